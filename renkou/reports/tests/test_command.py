"""``manage.py indicators`` on the hand-built county of ``test_indicators`` (FP 2024, registered:
9 persons at the start, 10 at the end, births 2, deaths 1; see that module for the count)."""

import csv
import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.assessment.models import TaskQuota
from renkou.reports.indicators import INDICATORS
from renkou.reports.models import Target
from renkou.reports.tests.test_indicators import build_county


@pytest.fixture
def county(units, personas):
    return build_county(personas)


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command("indicators", *args, stdout=out, stderr=err, **options)
    return out.getvalue()


def by_code(rows, unit=COUNTY):
    return {r["code"]: r for r in rows if r["unit"] == unit}


def test_json_has_every_indicator_as_the_spec_says(county):
    rows = json.loads(run(unit=COUNTY, period="2024"))
    assert [r["code"] for r in rows] == [i.code for i in INDICATORS]
    births = by_code(rows)["births"]
    assert {
        k: births[k]
        for k in (
            "code",
            "name",
            "unit",
            "period",
            "scope",
            "numerator",
            "denominator",
            "value",
            "value_unrounded",
            "measure_unit",
            "warnings",
        )
    } == {
        "code": "births",
        "name": "出生人数",
        "unit": COUNTY,
        "period": "2024",
        "scope": "registered",
        "numerator": 2,
        "denominator": None,
        "value": 2,
        "value_unrounded": 2,
        "measure_unit": "人",
        "warnings": [],
    }
    cbr = by_code(rows)["crude_birth_rate"]
    # 2 births per average population (9 + 10) / 2 = 9.5, per thousand.
    assert (cbr["numerator"], cbr["denominator"]) == (2, 9.5)
    assert cbr["value"] == 210.53
    assert cbr["value_unrounded"] == pytest.approx(2 / 9.5 * 1000)
    assert cbr["period_start"] == "2023-10-01" and cbr["period_end"] == "2024-09-30"
    assert "target" not in cbr


def test_csv_is_utf8_with_bom_and_a_header(county, tmp_path):
    text = run(unit=COUNTY, period="2024", format="csv")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(StringIO(text[1:])))
    assert len(rows) == len(INDICATORS)
    deaths = next(r for r in rows if r["code"] == "deaths")
    assert (deaths["name"], deaths["value"], deaths["denominator"], deaths["scope"]) == (
        "死亡人数",
        "1",
        "",
        "registered",
    )
    path = tmp_path / "out.csv"
    run(unit=COUNTY, period="2024", format="csv", output=str(path))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_townships_follow_the_county(county):
    rows = json.loads(
        run(unit=COUNTY, period="2024", townships=True, indicator=["births", "population_end"])
    )
    assert [(r["unit"], r["code"], r["value"]) for r in rows] == [
        (COUNTY, "births", 2),
        (COUNTY, "population_end", 10),
        (TOWNSHIP_A, "births", 1),
        (TOWNSHIP_A, "population_end", 6),
        (TOWNSHIP_B, "births", 1),
        (TOWNSHIP_B, "population_end", 4),
    ]
    assert rows[2]["unit_name"] == "甲镇"


def test_scope_calendar_and_short_unit_codes(county):
    resident = by_code(json.loads(run(unit="620001", period="2024", scope="resident")))
    assert resident["population_end"]["value"] == 9  # 扎西 flowed out
    assert resident["population_end"]["scope"] == "resident"
    calendar = by_code(json.loads(run(unit=COUNTY, period="2024", calendar=True)))
    assert calendar["deaths"]["value"] == 2  # 才让 in June, 李强 in October 2024
    month = by_code(json.loads(run(unit=COUNTY, period="2024-05", indicator=["births"])))
    assert month["births"]["value"] == 1


def test_targets_are_judged_in_the_output(county):
    Target.objects.create(
        unit_code=COUNTY, year=2024, indicator="natural_growth_rate", direction="le", value="9.31"
    )
    growth = by_code(json.loads(run(unit=COUNTY, period="2024")))["natural_growth_rate"]
    # (2 − 1) / 9.5 × 1000 = 105.26‰ shown, against ≤ 9.31‰.
    assert (growth["target"], growth["direction"], growth["met"]) == (9.31, "le", False)
    assert growth["gap"] == pytest.approx(105.26 - 9.31)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unit": "620099", "period": "2024"}, "没有代码为 620099 的单位"),
        ({"unit": "6200011", "period": "2024"}, "没有代码为 6200011 的单位"),
        ({"unit": COUNTY, "period": "2024Q5"}, "无法识别的统计期间"),
        ({"unit": COUNTY, "period": "1999"}, "统计数据从"),
        ({"unit": COUNTY, "period": "2024", "indicator": ["births", "gdp"]}, "没有这些指标：gdp"),
    ],
)
def test_bad_input_exits_2_with_a_chinese_message(units, options, message):
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("indicators", stdout=out, stderr=err, **options)
    assert exit_info.value.code == 2
    assert message in err.getvalue() and out.getvalue() == ""


def test_service_coverage_indicators_on_request(county):
    """The services' coverage rates (issue 5) come when asked for, for the FP year of the
    period, in the same objects; the county has no service recorded, so every numerator is 0
    (and 蓝氧 completion has no quota, so no denominator)."""
    codes = ["prepreg_coverage", "rh_check_rate", "treatment_completion"]
    rows = json.loads(
        run(
            "--indicator",
            codes[0],
            "--indicator",
            codes[1],
            "--indicator",
            codes[2],
            unit=COUNTY,
            period="2024-03",
            townships=True,
        )
    )
    assert [r["code"] for r in rows if r["unit"] == COUNTY] == codes
    assert {r["unit"] for r in rows} == {COUNTY, TOWNSHIP_A, TOWNSHIP_B}
    for row in rows:
        assert row["numerator"] == 0 and row["scope"] == "registered"
        assert row["period_start"] == "2023-10-01" and row["period_end"] == "2024-09-30"
        assert any("按统计年度计算" in w for w in row["warnings"])
    completion = by_code(rows)["treatment_completion"]
    assert completion["denominator"] is None and completion["value"] is None


def test_prepreg_coverage_carries_the_quota_target_veto_and_deadline(county):
    """Issue 13 item 8 (docs/indicators.md §9): the command gives the unit's quota beside the
    figure; no couple is examined in the county, so 0 % misses the 80 % veto quota by 80."""
    TaskQuota.objects.create(
        year=2024,
        unit_code=TOWNSHIP_A,
        measure="prepreg_exam",
        target=Decimal(80),
        deadline=date(2024, 9, 30),
        veto=True,
    )
    rows = json.loads(
        run("--indicator", "prepreg_coverage", unit=COUNTY, period="2024", townships=True)
    )
    quoted = {r["unit"]: r for r in rows}
    a = quoted[TOWNSHIP_A]
    assert (a["target"], a["direction"], a["veto"], a["deadline"]) == (80, "ge", True, "2024-09-30")
    assert "target" not in quoted[TOWNSHIP_B] and "veto" not in quoted[COUNTY]
