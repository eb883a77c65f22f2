"""The assessment pages as each role uses them (issue 14 items 1, 3, 8)."""

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.assessment import services
from renkou.assessment.models import ManualScore, Scheme, SchemeItem
from renkou.common.actors import Actor


@pytest.fixture
def scheme(units, personas):
    """A published scheme with one manual item and one service-quota item."""
    actor = Actor(personas["county_officer"])
    made = services.scheme_create(
        actor=actor,
        county=units[COUNTY],
        year=2027,
        level=Scheme.Level.TOWNSHIP,
        name="测试方案",
        from_template=False,
    )
    services.item_save(
        actor=actor,
        scheme=made,
        number=1,
        group="组织领导",
        name="工作机制",
        points=D(5),
        source="manual",
        code="",
        target=None,
        direction="ge",
        rule={"type": "points"},
    )
    services.item_save(
        actor=actor,
        scheme=made,
        number=2,
        group="生殖健康",
        name="生殖健康检查率",
        points=D(10),
        source="service",
        code="rh_check",
        target=D(30),
        direction="ge",
        rule={"type": "threshold"},
    )
    return services.scheme_publish(actor=actor, scheme=made)


def test_an_officer_makes_a_scheme_from_the_template_and_a_bad_band_changes_nothing(
    units, personas, signed_in_client, client
):
    signed_in_client(personas["county_officer"])
    response = client.post(
        reverse("assessment:scheme_create"),
        {"year": 2027, "level": "township", "name": "", "from_template": "on"},
    )
    scheme = Scheme.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("assessment:scheme_detail", args=[scheme.pk])).content.decode()
    assert "重构模板，请对照省级文件核实" in page and "人口自然增长率控制在计划内" in page
    item = scheme.items.get(number=11)  # contraceptive prevalence, banded
    form = {
        "number": 11,
        "group": item.group,
        "name": item.name,
        "points": "4",
        "source": "indicator:contraceptive_prevalence",
        "target": "85",
        "direction": "ge",
        "rule_type": "bands",
        "bands": "90,80,4",
    }
    url = reverse("assessment:item_edit", args=[scheme.pk, item.pk])
    page = client.post(url, form).content.decode()
    assert "第1档的下限（90）须小于上限（80）" in page
    assert SchemeItem.objects.get(pk=item.pk).rule == item.rule
    form["bands"] = "85,,4\n80,85,3\n,80,0"
    assert client.post(url, form).status_code == 302
    assert SchemeItem.objects.get(pk=item.pk).rule["bands"][1]["points"] == 3
    client.post(reverse("assessment:scheme_publish", args=[scheme.pk]))
    scheme.refresh_from_db()
    assert scheme.version == 1
    form["points"] = "6"
    assert "方案已发布，不能修改" in client.post(url, form).content.decode()
    assert SchemeItem.objects.get(pk=item.pk).points == 4


def test_a_township_sees_its_own_sheet_only(units, personas, signed_in_client, client, scheme):
    signed_in_client(personas["township_officer"])
    own = client.get(reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_A]))
    assert own.status_code == 200 and "甲镇" in own.content.decode()
    other = client.get(reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_B]))
    assert other.status_code == 404
    board = client.get(reverse("assessment:board", args=[scheme.pk])).content.decode()
    assert "甲镇" in board and "乙乡" not in board
    mine = client.get(reverse("assessment:mine"))
    assert mine["Location"] == reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_A])


def test_drafts_are_for_scheme_makers_only(units, personas, signed_in_client, client):
    draft = services.scheme_create(
        actor=Actor(personas["county_officer"]),
        county=units[COUNTY],
        year=2027,
        level=Scheme.Level.TOWNSHIP,
        name="草稿",
        from_template=False,
    )
    signed_in_client(personas["leader"])
    assert client.get(reverse("assessment:scheme_detail", args=[draft.pk])).status_code == 404


def test_an_assessor_scores_a_manual_item_with_evidence_the_leader_sees_no_document(
    units, personas, signed_in_client, client, scheme
):
    signed_in_client(personas["inspector"])
    item = scheme.items.get(number=1)
    url = reverse("assessment:manual_score", args=[scheme.pk, TOWNSHIP_A, item.pk])
    bad = client.post(url, {"value": "7", "reason": "超出分值"})
    assert "评定得分须在0到5之间" in bad.content.decode()
    assert not ManualScore.objects.exists()
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    done = client.post(url, {"value": "4", "reason": "制度健全", "evidence": photo})
    assert done.status_code == 302
    row = ManualScore.objects.get()
    assert row.evidence_ext == "png" and row.value == 4
    sheet = client.get(reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_A])).content.decode()
    assert "制度健全" in sheet and "4.00 / 5" in sheet
    download = client.get(reverse("assessment:evidence", args=[row.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(
        b"\x89PNG"
    )
    signed_in_client(personas["leader"])
    assert client.get(reverse("assessment:evidence", args=[row.pk])).status_code == 404
    leader_sheet = client.get(reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_A]))
    assert leader_sheet.status_code == 200
    assert "分子名单" not in leader_sheet.content.decode()


def test_the_ranking_exports_as_xlsx_with_each_items_points(
    units, personas, signed_in_client, client, scheme
):
    from python_calamine import CalamineWorkbook

    services.manual_score_set(
        actor=Actor(personas["county_officer"]),
        item=scheme.items.get(number=1),
        unit=units[TOWNSHIP_B],
        value=D(3),
        reason="制度健全",
    )
    signed_in_client(personas["leader"])
    response = client.get(reverse("assessment:board_export", args=[scheme.pk]))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["名次", "单位", "1.工作机制", "2.生殖健康检查率"]
    # 乙乡 3 points (manual), 甲镇 0; no RH data: the rate has no value and scores 0.
    total = rows[0].index("总分")
    assert [(r[0], r[1], r[2], r[total]) for r in rows[1:]] == [
        (1, "乙乡", 3, 3),
        (2, "甲镇", 0, 0),
    ]


def test_one_sheet_exports_as_xlsx_with_the_pages_rows_and_totals(
    units, personas, signed_in_client, client, scheme
):
    from urllib.parse import unquote

    from python_calamine import CalamineWorkbook

    actor = Actor(personas["county_officer"])
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    services.manual_score_set(
        actor=actor,
        item=scheme.items.get(number=1),
        unit=units[TOWNSHIP_A],
        value=D(4),
        reason="制度健全",
        evidence=photo,
    )
    services.deduction_add(
        actor=actor, scheme=scheme, unit=units[TOWNSHIP_A], points=D("1.5"), reason="台账不全"
    )
    signed_in_client(personas["township_officer"])
    on = {"on": "2027-03-01"}
    page = client.get(reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_A]), on)
    page = page.content.decode()
    url = reverse("assessment:sheet_export", args=[scheme.pk, TOWNSHIP_A])
    assert f'href="{url}?on=2027-03-01"' in page
    page_total = page.split('<div class="small text-muted">总分</div><div class="h4 mb-0">')[1]
    page_total = page_total.split("<")[0]
    response = client.get(url, on)
    assert response.status_code == 200
    assert "考核评分表-甲镇-20270301.xlsx" in unquote(response["Content-Disposition"])
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["考核评分表"]
    rows = book.get_sheet_by_index(0).to_python()
    head = rows[0]
    assert head[:9] == [
        "序号",
        "考核内容",
        "实际值",
        "目标",
        "评分方法",
        "得分",
        "分值",
        "一票否决",
        "佐证材料（份）",
    ]
    by_name = {r[1]: r for r in rows[1:]}
    points, evidence = head.index("得分"), head.index("佐证材料（份）")
    assert (by_name["工作机制"][points], by_name["工作机制"][evidence]) == (4, 1)
    assert (by_name["生殖健康检查率"][points], by_name["生殖健康检查率"][evidence]) == (0, 0)
    assert by_name["生殖健康检查率"][head.index("目标")] == "≥30"
    assert by_name["扣分：台账不全"][points] == -1.5
    assert by_name["总分"][points] == 2.5 == float(page_total)
    other = reverse("assessment:sheet_export", args=[scheme.pk, TOWNSHIP_B])
    assert client.get(other).status_code == 404
