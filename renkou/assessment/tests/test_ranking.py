"""Rankings beyond one board (issue 14 item 4): the townships across the years' frozen
results, and the county among the prefecture's counties from figures entered by hand or
imported from a spreadsheet (all or nothing, every error by row, column and reason)."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.assessment import ranking, services
from renkou.assessment.models import CountyFigure, Scheme
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry

pytestmark = pytest.mark.django_db


def _scheme(personas, units, year, level=Scheme.Level.TOWNSHIP):
    """A published scheme with one manual points item (10 points)."""
    actor = Actor(personas["county_officer"])
    made = services.scheme_create(
        actor=actor, county=units[COUNTY], year=year, level=level, name="方案", from_template=False
    )
    services.item_save(
        actor=actor,
        scheme=made,
        number=1,
        group="组织领导",
        name="工作机制",
        points=D(10),
        source="manual",
        code="",
        target=None,
        direction="ge",
        rule={"type": "points"},
    )
    return services.scheme_publish(actor=actor, scheme=made)


def _score(personas, units, scheme, scores):
    actor = Actor(personas["county_officer"])
    item = scheme.items.get()
    for code, value in scores.items():
        services.manual_score_set(
            actor=actor, item=item, unit=units[code], value=D(value), reason="评定"
        )


@time_machine.travel(date(2027, 10, 20), tick=False)
def test_the_trend_shows_each_townships_place_in_every_frozen_year(
    units, personas, signed_in_client, client
):
    actor = Actor(personas["county_officer"])
    old = _scheme(personas, units, 2026)
    _score(personas, units, old, {TOWNSHIP_A: 9, TOWNSHIP_B: 6})
    services.scores_freeze(actor=actor, scheme=old, on=date(2026, 10, 1), reason="年终定格")
    new = _scheme(personas, units, 2027)
    _score(personas, units, new, {TOWNSHIP_A: 7, TOWNSHIP_B: 8})
    services.scores_freeze(actor=actor, scheme=new, on=date(2027, 10, 1), reason="年终定格")
    _score(personas, units, new, {TOWNSHIP_A: 9})  # a re-score after a review: version 2
    services.scores_freeze(actor=actor, scheme=new, on=date(2027, 10, 15), reason="复核")
    found = ranking.trend(COUNTY[:6], COUNTY[:6])
    assert found.years == [2026, 2027]
    rows = {code: [(c.rank, c.total) for c in cells] for code, _n, cells in found.rows}
    assert rows == {
        TOWNSHIP_A: [(1, "9.00"), (1, "9.00")],
        TOWNSHIP_B: [(2, "6.00"), (2, "8.00")],
    }
    signed_in_client(personas["leader"])
    page = client.get(reverse("assessment:trend")).content.decode()
    assert "2026年度" in page and "甲镇" in page and "乙乡" in page
    signed_in_client(personas["township_officer"])
    page = client.get(reverse("assessment:trend")).content.decode()
    assert "甲镇" in page and "乙乡" not in page


def test_ties_share_a_place_and_the_lower_figure_can_rank_first():
    rows = [
        ranking.CountyRow("甲", D(5)),
        ranking.CountyRow("乙", D(3)),
        ranking.CountyRow("丙", D(5)),
        ranking.CountyRow("丁", None),
    ]
    ranking.rank(rows, lower_first=False)
    assert [(r.name, r.rank) for r in rows] == [("丙", 1), ("甲", 1), ("乙", 3), ("丁", 0)]
    ranking.rank(rows, lower_first=True)
    assert [(r.name, r.rank) for r in rows] == [("乙", 1), ("丙", 2), ("甲", 2), ("丁", 0)]


@time_machine.travel(date(2027, 3, 1), tick=False)
def test_the_county_takes_its_place_among_the_counties_entered(
    units, personas, signed_in_client, client
):
    own = _scheme(personas, units, 2027, level=Scheme.Level.COUNTY)
    _score(personas, units, own, {COUNTY: 8})
    signed_in_client(personas["county_officer"])
    url = reverse("assessment:county_figure_save")
    for name, value in (("东县", "9"), ("西县", "8"), ("南市", "7.5")):
        client.post(url, {"year": 2027, "county_name": name, "measure": "total", "value": value})
    refused = client.post(
        url, {"year": 2027, "county_name": "测试县", "measure": "total", "value": "99"}
    )
    assert "本县的数值由系统计算" in client.get(refused["Location"]).content.decode()
    client.post(url, {"year": 2027, "county_name": "北县", "measure": "total", "value": "-1"})
    assert sorted(CountyFigure.objects.values_list("county_name", flat=True)) == [
        "东县",
        "南市",
        "西县",
    ]
    assert AuditEntry.objects.filter(action="assessment.county_figure_set").count() == 3
    found = ranking.compare(personas["leader"], "测试县", 2027, ranking.TOTAL, date(2027, 3, 1))
    assert [(r.name, r.rank, r.value) for r in found.rows] == [
        ("东县", 1, D(9)),
        ("测试县", 2, D(8)),
        ("西县", 2, D(8)),
        ("南市", 4, D("7.5")),
    ]
    signed_in_client(personas["leader"])
    page = client.get(reverse("assessment:prefecture"), {"year": 2027, "measure": "total"})
    text = page.content.decode()
    assert "测试县（本县）" in text and "第2位" in text and "东县" in text
    assert "录入其他县市的数据" not in text


def _xlsx(rows) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return SimpleUploadedFile("各县市.xlsx", buffer.getvalue(), content_type=kind)


def test_an_import_with_bad_rows_lists_each_and_saves_nothing_a_good_one_saves_all(
    units, personas, signed_in_client, client
):
    signed_in_client(personas["county_officer"])
    url = reverse("assessment:county_figures_import")
    bad = [
        ["县（市）", "指标", "数值", "说明"],
        ["东县", "考核总分", 91, "地区通报"],
        ["西县", "不存在的指标", 88, ""],
        ["南市", "总分", "八十", ""],
        ["东县", "total", 90, ""],
        ["测试县", "总分", 95, ""],
    ]
    page = client.post(url, {"year": 2027, "file": _xlsx(bad)}).content.decode()
    assert "文件有 4 处错误，未导入任何一行" in page
    for row, column, reason in (
        (3, "指标", "没有该指标"),
        (4, "数值", "数值应为数字"),
        (5, "县（市）", "与第 2 行重复"),
        (6, "县（市）", "本县的数值由系统计算"),
    ):
        assert f"<td>{row}</td><td>{column}</td><td>{reason}" in page
    assert not CountyFigure.objects.exists()
    good = [["县（市）", "指标", "数值"], ["东县", "考核总分", 91], ["西县", "总分", 88.5]]
    response = client.post(url, {"year": 2027, "file": _xlsx(good)})
    assert response.status_code == 302
    assert dict(CountyFigure.objects.values_list("county_name", "value")) == {
        "东县": D(91),
        "西县": D("88.5"),
    }
    assert AuditEntry.objects.get(action="assessment.county_figures_import").row_count == 2


def test_the_import_template_has_the_importers_columns_and_a_skipped_example(
    units, personas, signed_in_client, client
):
    from python_calamine import CalamineWorkbook

    from renkou.assessment import county_import
    from renkou.people.importing.columns import normalise_header

    signed_in_client(personas["county_officer"])
    url = reverse("assessment:county_figures_import")
    template = reverse("assessment:county_figures_template")
    assert f'href="{template}"' in client.get(url).content.decode()
    response = client.get(template)
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name("各县市数据").to_python()
    header, example = rows[0], rows[1]
    assert header == ["县（市）", "指标", "数值", "说明"]
    index = county_import.SHEET.header_index
    assert [index[normalise_header(h)] for h in header] == [
        "county_name",
        "measure",
        "value",
        "note",
    ]
    assert example[0] == "示例"
    # Imported as downloaded: the example row is skipped, so the file has no data row.
    unchanged = SimpleUploadedFile("模板.xlsx", response.content)
    page = client.post(url, {"year": 2027, "file": unchanged}).content.decode()
    assert "文件中没有数据行" in page and not CountyFigure.objects.exists()
    # The example filled in for a real county imports as the importer reads it.
    filled = [header, example, ["东县", *example[1:]]]
    assert client.post(url, {"year": 2027, "file": _xlsx(filled)}).status_code == 302
    figure = CountyFigure.objects.get()
    assert (figure.county_name, figure.measure, figure.value) == ("东县", "total", D("92.5"))
    signed_in_client(personas["township_officer"])
    assert client.get(template).status_code == 403
