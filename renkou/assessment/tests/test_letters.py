"""Responsibility letters (issue 14 item 2): a township's own target set on the draft with a
reason, letters issued to every township of the county in one action from a published scheme
only, the township's acknowledgement, the letter's targets scoring its sheet, and the letter,
score sheet and ranking printed as PDFs on the worker (item 8)."""

import subprocess
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1
from renkou.assessment import services, sheets
from renkou.assessment.models import Letter, Scheme, TownshipTarget
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry, JobProgress

pytestmark = pytest.mark.django_db

ON = date(2027, 3, 1)
WORDING = "甲乙双方约定：乙方按本责任书完成各项目标。"


@pytest.fixture
def draft(units, personas):
    """A draft township scheme: item 1 a manual satisfaction rate, target ≥ 90 % (threshold,
    5 points); item 2 a manual points item (5 points, no target)."""
    actor = Actor(personas["county_officer"])
    made = services.scheme_create(
        actor=actor,
        county=units[COUNTY],
        year=2027,
        level=Scheme.Level.TOWNSHIP,
        name="责任书方案",
        from_template=False,
    )
    services.item_save(
        actor=actor,
        scheme=made,
        number=1,
        group="群众满意",
        name="群众满意率",
        points=D(5),
        source="manual",
        code="",
        target=D(90),
        direction="ge",
        rule={"type": "threshold"},
    )
    services.item_save(
        actor=actor,
        scheme=made,
        number=2,
        group="组织领导",
        name="工作机制",
        points=D(5),
        source="manual",
        code="",
        target=None,
        direction="ge",
        rule={"type": "points"},
    )
    return made


def _item(scheme, number):
    return scheme.items.get(number=number)


def _adjust(client, scheme, unit, target, reason):
    return client.post(
        reverse("assessment:township_target_save", args=[scheme.pk]),
        {"unit": unit, "item": _item(scheme, 1).pk, "target": target, "reason": reason},
    )


def _publish_and_score(personas, draft, units, value):
    actor = Actor(personas["county_officer"])
    scheme = services.scheme_publish(actor=actor, scheme=draft)
    for code in (TOWNSHIP_A, TOWNSHIP_B):
        services.manual_score_set(
            actor=actor, item=_item(scheme, 1), unit=units[code], value=value, reason="问卷"
        )
    return scheme


def test_a_townships_own_target_scores_its_sheet_and_the_others_keep_the_schemes(
    units, personas, signed_in_client, client, draft
):
    signed_in_client(personas["county_officer"])
    response = _adjust(client, draft, TOWNSHIP_A, "80", "山区乡镇，交通不便")
    assert response.status_code == 302
    row = TownshipTarget.objects.get()
    assert (row.unit_code, row.target, row.reason) == (TOWNSHIP_A, D(80), "山区乡镇，交通不便")
    audit = AuditEntry.objects.get(action="assessment.township_target_set")
    assert "90->80" in audit.summary and audit.reason == "山区乡镇，交通不便"
    assert row.history.count() == 1
    page = client.get(reverse("assessment:scheme_detail", args=[draft.pk])).content.decode()
    assert "山区乡镇，交通不便" in page
    scheme = _publish_and_score(personas, draft, units, D(85))
    by_unit = {s.unit_code: s for s in sheets.compute(scheme, ON)}
    a, b = by_unit[TOWNSHIP_A[:9]], by_unit[TOWNSHIP_B[:9]]
    assert (a.lines[0].target, a.lines[0].scored.points) == (D(80), D(5))
    assert (b.lines[0].target, b.lines[0].scored.points) == (D(90), D(0))
    assert a.rank == 1 and b.rank == 2
    sheet = client.get(reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_A])).content.decode()
    assert "≥80" in sheet and "乡镇调整：山区乡镇，交通不便" in sheet


@pytest.mark.parametrize(
    ("unit", "target", "reason", "message"),
    [
        (TOWNSHIP_A, "80", "", "请填写"),
        (VILLAGE_A1, "80", "理由", "请选择"),
        (OTHER_TOWNSHIP, "80", "理由", "请选择"),
        (TOWNSHIP_A, "-1", "理由", "不能小于0"),
    ],
)
def test_a_bad_adjustment_is_refused_with_a_message_and_changes_nothing(
    units, personas, signed_in_client, client, draft, unit, target, reason, message
):
    signed_in_client(personas["county_officer"])
    response = _adjust(client, draft, unit, target, reason)
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert message in shown
    assert not TownshipTarget.objects.exists()


def test_targets_are_locked_once_published_and_a_copy_carries_them(units, personas, draft):
    actor = Actor(personas["county_officer"])
    services.township_target_set(
        actor=actor, item=_item(draft, 1), unit=units[TOWNSHIP_B], target=D(85), reason="新建乡"
    )
    scheme = services.scheme_publish(actor=actor, scheme=draft)
    with pytest.raises(ValidationError, match="已发布"):
        services.township_target_set(
            actor=actor, item=_item(scheme, 1), unit=units[TOWNSHIP_A], target=D(1), reason="x"
        )
    copy = services.scheme_copy(actor=actor, scheme=scheme, year=2028)
    copied = TownshipTarget.objects.get(item__scheme=copy)
    assert (copied.unit_code, copied.target, copied.reason) == (TOWNSHIP_B, D(85), "新建乡")
    assert copied.item.number == 1 and copied.item.scheme_id == copy.pk


def _issue(client, scheme, **extra):
    data = {"county_signatory": "张县长", "issued_on": "2027-01-05", "wording": WORDING, **extra}
    return client.post(reverse("assessment:letters_issue", args=[scheme.pk]), data)


@time_machine.travel(date(2027, 1, 5), tick=False)
def test_letters_are_issued_to_every_township_in_one_action_from_a_published_scheme_only(
    units, personas, signed_in_client, client, draft
):
    signed_in_client(personas["county_officer"])
    assert _issue(client, draft).status_code == 404  # a draft is not a published scheme
    with pytest.raises(ValidationError, match="尚未发布"):
        services.letters_issue(
            actor=Actor(personas["county_officer"]),
            scheme=draft,
            county_signatory="张县长",
            issued_on=date(2027, 1, 5),
            wording=WORDING,
        )
    scheme = services.scheme_publish(actor=Actor(personas["county_officer"]), scheme=draft)
    early = _issue(client, scheme, issued_on="2027-01-04")
    assert "不能早于方案发布日期" in client.get(early["Location"]).content.decode()
    assert not Letter.objects.exists()
    _issue(client, scheme)
    letters = list(Letter.objects.order_by("unit_code"))
    assert [x.unit_code for x in letters] == [TOWNSHIP_A, TOWNSHIP_B]
    assert {(x.county_signatory, x.issued_on, x.wording) for x in letters} == {
        ("张县长", date(2027, 1, 5), WORDING)
    }
    assert AuditEntry.objects.get(action="assessment.letters_issue").row_count == 2
    again = _issue(client, scheme)
    assert "已向全部乡镇签订" in client.get(again["Location"]).content.decode()
    assert Letter.objects.count() == 2


@time_machine.travel(date(2027, 3, 1), tick=False)
def test_the_township_reads_and_acknowledges_its_own_letter_only(
    units, personas, signed_in_client, client, draft
):
    actor = Actor(personas["county_officer"])
    services.township_target_set(
        actor=actor, item=_item(draft, 1), unit=units[TOWNSHIP_A], target=D(80), reason="山区"
    )
    scheme = _publish_and_score(personas, draft, units, D(85))
    services.letters_issue(
        actor=actor, scheme=scheme, county_signatory="张县长", issued_on=ON, wording=WORDING
    )
    own = Letter.objects.get(unit_code=TOWNSHIP_A)
    other = Letter.objects.get(unit_code=TOWNSHIP_B)
    signed_in_client(personas["leader"])
    assert client.get(reverse("assessment:letter_detail", args=[own.pk])).status_code == 200
    refused = client.post(
        reverse("assessment:letter_acknowledge", args=[own.pk]), {"township_signatory": "李"}
    )
    assert refused.status_code == 403
    signed_in_client(personas["township_officer"])
    assert client.get(reverse("assessment:letter_detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("assessment:letter_detail", args=[own.pk])).content.decode()
    assert WORDING in page and "≥80" in page and "已按本乡镇调整：山区" in page
    assert "实时得分" in page and "10.00" not in page  # item 2 not scored yet: 5 of 10
    assert "乡镇尚未确认" in page
    blank = client.post(
        reverse("assessment:letter_acknowledge", args=[own.pk]), {"township_signatory": " "}
    )
    assert "请填写" in client.get(blank["Location"]).content.decode()
    client.post(
        reverse("assessment:letter_acknowledge", args=[own.pk]), {"township_signatory": "李镇长"}
    )
    own.refresh_from_db()
    assert own.township_signatory == "李镇长"
    assert own.acknowledged_by == personas["township_officer"] and own.acknowledged_at
    assert AuditEntry.objects.filter(action="assessment.letter_acknowledge").count() == 1
    with pytest.raises(ValidationError, match="已确认"):
        services.letter_acknowledge(actor=actor, letter=own, township_signatory="王")
    sheet = client.get(reverse("assessment:sheet", args=[scheme.pk, TOWNSHIP_A])).content.decode()
    assert "乡镇已于 2027-03-01 确认" in sheet


def _pdf_text(client, url, capture) -> str:
    with capture(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("system:job_list")
    job = JobProgress.objects.filter(kind="assessment_pdf").latest("pk")
    assert job.status == JobProgress.Status.DONE, job.message
    download = client.get(reverse("system:job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@time_machine.travel(date(2027, 3, 1), tick=False)
def test_the_letter_sheet_and_ranking_print_as_pdfs_on_the_worker(
    units, personas, signed_in_client, client, draft, django_capture_on_commit_callbacks
):
    actor = Actor(personas["county_officer"])
    services.township_target_set(
        actor=actor, item=_item(draft, 1), unit=units[TOWNSHIP_A], target=D(80), reason="山区"
    )
    scheme = _publish_and_score(personas, draft, units, D(85))
    services.letters_issue(
        actor=actor, scheme=scheme, county_signatory="张县长", issued_on=ON, wording=WORDING
    )
    letter = Letter.objects.get(unit_code=TOWNSHIP_A)
    signed_in_client(personas["township_officer"])
    capture = django_capture_on_commit_callbacks
    text = _pdf_text(client, reverse("assessment:letter_pdf", args=[letter.pk]), capture)
    assert "2027年度人口和计划生育目标管理责任书" in text
    assert "甲镇人民政府" in text and "张县长" in text and "≥80" in text and "群众满意率" in text
    assert "第1页共1页" in text.replace(" ", "")
    sheet_url = reverse("assessment:sheet_pdf", args=[scheme.pk, TOWNSHIP_A]) + "?on=2027-03-01"
    text = _pdf_text(client, sheet_url, capture)
    assert "考核评分表" in text and "甲镇" in text and "群众满意率" in text
    # The ranking a township prints holds its own row only, as its board does.
    text = _pdf_text(client, reverse("assessment:ranking_pdf", args=[scheme.pk]), capture)
    assert "考核排名" in text and "甲镇" in text and "乙乡" not in text
    signed_in_client(personas["leader"])
    text = _pdf_text(client, reverse("assessment:ranking_pdf", args=[scheme.pk]), capture)
    assert "甲镇" in text and "乙乡" in text
    other = reverse("assessment:sheet_pdf", args=[scheme.pk, TOWNSHIP_B])
    signed_in_client(personas["township_officer"])
    assert client.post(other).status_code == 404
