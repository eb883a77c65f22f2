"""The service tables of the table framework (renkou/reports/tables/definitions/rh_service.json
and prepreg_summary.json, query kind "service"): cells counted by hand, 合计 = the sum of the
rows, every drill-down list as long as its cell, and the .xlsx and PDF read back."""

import subprocess
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from python_calamine import CalamineWorkbook

from renkou.assessment.tests.conftest import RH_TODAY, RH_YEAR
from renkou.common.periods import fp_year
from renkou.common.testing import local_noon
from renkou.geo.models import Unit
from renkou.programs.tests.conftest import TODAY, YEAR
from renkou.reports.tables import engine
from renkou.reports.tables.queries import DefinitionError

R = "R"
COLUMNS_RH = ["mwcba", "checked", "checks", "abnormal", "treated", "blue", "visits", "supplies"]
COLUMNS_PP = [
    "targets",
    "couples",
    "persons",
    "high_risk",
    "early_due",
    "early_done",
    "outcome_due",
    "outcome_done",
]


def _today(time_machine, day):
    """The tables count up to today: hold the clock on ``day``."""
    time_machine.move_to(local_noon(day))


def _rows(code, unit_code, year):
    table = engine.tables()[code]
    unit = Unit.objects.get(code=unit_code)
    return engine.compute(table, unit=unit, period=fp_year(year), scope=R)


def _by_label(result):
    ids = [leaf.id for leaf in result.table.leaves]
    return {row.label: dict(zip(ids, row.values, strict=True)) for row in result.all_rows}


def _agrees(result, year):
    """合计 = the sum of the rows, and each cell's list is as long as the cell; a rate column
    is its two columns' ratio in every row, the 合计 row's that of the totals."""
    table = result.table
    at = {leaf.id: i for i, leaf in enumerate(table.leaves)}
    for i, leaf in enumerate(table.leaves):
        if leaf.query["kind"] == "ratio":
            num, den = (at[c] for c in leaf.query["of"])
            for row in result.all_rows:
                want = (
                    round(row.values[num] * 100 / row.values[den], 1) if row.values[den] else None
                )
                assert row.values[i] == want, (leaf.id, row.label)
            continue
        assert result.total.values[i] == sum(row.values[i] for row in result.rows), leaf.id
        for row in result.all_rows:
            prefix = Unit.objects.get(code=row.unit_code).prefix
            found = engine.members(table, leaf.id, prefix=prefix, period=fp_year(year), scope=R)
            assert len(found) == row.values[i], (leaf.id, row.label)
            assert len(list(found[0 : len(found)])) == row.values[i]


def test_the_rh_service_table_by_hand(rh, time_machine):
    # A: a1 (married, checked once at the centre, one 蓝氧); B: b1–b4 married, b1 and b2 checked
    # (3 live checks, 1 abnormal), b1 2 蓝氧 + 1 other, b2 1 蓝氧 (see conftest.rh).
    _today(time_machine, RH_TODAY)
    result = _rows("rh_service", "620001000000", RH_YEAR)
    found = _by_label(result)
    assert [found["甲镇"][c] for c in COLUMNS_RH] == [1, 1, 1, 0, 1, 1, 0, 0]
    assert [found["乙乡"][c] for c in COLUMNS_RH] == [4, 2, 3, 1, 4, 3, 0, 0]
    assert [found["合计"][c] for c in COLUMNS_RH] == [5, 3, 4, 1, 5, 4, 0, 0]
    # 检查率: 1 of 1, 2 of 4, and 3 of 5 for the county (not 100 + 50).
    assert [found[u]["check_rate"] for u in ("甲镇", "乙乡", "合计")] == [100.0, 50.0, 60.0]
    _agrees(result, RH_YEAR)
    _agrees(_rows("rh_service", "620001101000", RH_YEAR), RH_YEAR)  # by village


def test_the_pre_pregnancy_summary_by_hand(scenario, time_machine):
    # programs/tests/test_figures.py: A 5 targets, 3 couples, 4 examined of whom 2 high risk,
    # early 1 of 2, outcome 1 of 2; B 1 target, 1 couple, 1 examined.
    _today(time_machine, TODAY)
    result = _rows("prepreg_summary", "620001000000", YEAR)
    found = _by_label(result)
    assert [found["甲镇"][c] for c in COLUMNS_PP] == [5, 3, 4, 2, 2, 1, 2, 1]
    assert [found["乙乡"][c] for c in COLUMNS_PP] == [1, 1, 1, 0, 0, 0, 0, 0]
    assert [found["合计"][c] for c in COLUMNS_PP] == [6, 4, 5, 2, 2, 1, 2, 1]
    rates = ("coverage", "high_risk_rate", "early_rate", "outcome_rate")
    assert [found["甲镇"][c] for c in rates] == [60.0, 50.0, 50.0, 50.0]  # 3/5, 2/4, 1/2, 1/2
    assert [found["乙乡"][c] for c in rates] == [100.0, 0.0, None, None]  # nothing due: "—"
    assert [found["合计"][c] for c in rates] == [66.7, 40.0, 50.0, 50.0]  # 4/6, 2/5, 1/2, 1/2
    _agrees(result, YEAR)
    _agrees(_rows("prepreg_summary", "620001100000", YEAR), YEAR)


@pytest.mark.parametrize(
    "spec",
    [
        {"measure": "nope"},
        {"measure": "treatment", "side": "base"},
        {"measure": "rh_check", "where": 1},
    ],
)
def test_a_bad_service_cell_is_refused(spec):
    from renkou.reports.tables.queries import KINDS

    with pytest.raises(DefinitionError):
        KINDS["service"].check({"kind": "service", **spec})


def test_only_yearly_periods(scenario):
    from renkou.common.periods import parse

    table = engine.tables()["prepreg_summary"]
    with pytest.raises(Exception, match="年报"):
        engine.read_period(table, "2026H1")
    with pytest.raises(DefinitionError):
        engine.compute(
            table, unit=Unit.objects.get(code="620001000000"), period=parse("2026H1"), scope=R
        )


from renkou.reports.tests.test_tables_views import pdf_by_job  # noqa: E402


def _url(name, **params):
    return f"{reverse(name)}?{urlencode(params)}"


QUERY = {
    "table": "prepreg_summary",
    "unit": "620001000000",
    "period": str(YEAR),
    "scope": "registered",
}


def test_the_xlsx_and_pdf_read_back(
    scenario, time_machine, personas, client, signed_in_client, django_capture_on_commit_callbacks
):
    _today(time_machine, TODAY)
    signed_in_client(personas["county_officer"])
    response = client.get(_url("reports:table_xlsx", **QUERY))
    assert response.status_code == 200
    sheet = (
        CalamineWorkbook.from_filelike(BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    body = {row[0]: row[1:13] for row in sheet if row and row[0] in ("合计", "甲镇", "乙乡")}
    assert body == {
        "合计": [6, 4, 66.7, 5, 2, 40.0, 2, 1, 50.0, 2, 1, 50.0],
        "甲镇": [5, 3, 60.0, 4, 2, 50.0, 2, 1, 50.0, 2, 1, 50.0],
        "乙乡": [1, 1, 100.0, 1, 0, 0.0, 0, 0, "—", 0, 0, "—"],
    }
    content = pdf_by_job(client, QUERY, django_capture_on_commit_callbacks)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert "孕前优生健康检查汇总表" in text
    assert "合计 6 4 66.7 5 2 40 2 1 50 2 1 50" in " ".join(text.split())  # whole rates: no ".0"


def test_a_drill_down_page_lists_the_cell(
    scenario, time_machine, personas, client, signed_in_client
):
    _today(time_machine, TODAY)
    signed_in_client(personas["county_officer"])
    url = reverse("reports:table_drill", args=["620001100000"])
    response = client.get(f"{url}?{urlencode({**QUERY, 'col': 'couples'})}")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3
    assert {r.person.name for r in response.context["rows"]} == {"一号", "九号", "八号"}
