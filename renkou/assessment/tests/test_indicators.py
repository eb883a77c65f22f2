"""The service indicators: numerators and denominators are the hand-counted list lengths."""

from datetime import date
from decimal import Decimal

import pytest

from conftest import COUNTY, TOWNSHIP_B, VILLAGE_B2
from renkou.assessment import indicators
from renkou.assessment.models import TaskQuota
from renkou.programs.tests.conftest import TODAY, YEAR

from .conftest import RH_TODAY, RH_YEAR


def test_pre_pregnancy_indicators_of_township_a(scenario):
    found = indicators.evaluate("620001100", YEAR, TODAY)
    coverage = found["prepreg_coverage"]
    assert (coverage.numerator, coverage.denominator) == (3, 5)
    assert coverage.value == pytest.approx(60) and coverage.display == "60.0%"
    assert (found["prepreg_high_risk"].numerator, found["prepreg_high_risk"].denominator) == (2, 4)
    assert found["prepreg_early_followup"].display == "50.0%"
    data = coverage.as_dict()
    assert data["unit"] == "620001100000" and data["value"] == 60 and data["measure_unit"] == "%"


def test_rh_check_rate_and_treatment_completion(rh, stations):
    found = indicators.evaluate("620001101", RH_YEAR, RH_TODAY)
    assert (found["rh_check_rate"].numerator, found["rh_check_rate"].denominator) == (2, 4)
    completion = found["treatment_completion"]
    assert completion.value is None and completion.warnings  # no quota yet
    quota = TaskQuota.objects.create(
        year=RH_YEAR,
        unit_code="620001100000",
        measure="treatment",
        target=Decimal(4),
        deadline=date(2027, 9, 30),
        veto=True,
    )
    quota.service_points.set([stations["centre"]])
    completion = indicators.figure("treatment_completion", "620001100", RH_YEAR, RH_TODAY)
    # A: a1's treatment + b2's at the county centre = 2 of 4.
    assert (completion.numerator, completion.denominator, completion.display) == (2, 4, "50.0%")
    assert completion.extra["veto"] is True


def test_each_side_links_to_its_name_list(scenario, personas, signed_in_client, client):
    coverage = indicators.figure("prepreg_coverage", "620001100", YEAR, TODAY)
    signed_in_client(personas["county_officer"])
    assert "共 3 条" in client.get(coverage.numerator_list.url).content.decode()
    assert "共 5 条" in client.get(coverage.denominator_list.url).content.decode()
    completion = indicators.figure("treatment_completion", "620001100", YEAR, TODAY)
    assert completion.denominator_list is None  # a quota's number has no names


def _quota(unit_code: str, measure: str, target: int, veto: bool = False) -> TaskQuota:
    return TaskQuota.objects.create(
        year=RH_YEAR,
        unit_code=unit_code,
        measure=measure,
        target=Decimal(target),
        deadline=date(2027, 9, 30),
        veto=veto,
    )


def test_a_rate_carries_its_quota_as_target_with_veto_and_deadline(scenario):
    """docs/indicators.md §9: the figure of a rate measure is judged against the unit's quota."""
    plain = indicators.figure("prepreg_coverage", "620001100", YEAR, TODAY)
    assert plain.target is None and "veto" not in plain.as_dict()
    TaskQuota.objects.create(
        year=YEAR,
        unit_code="620001100000",
        measure="prepreg_exam",
        target=Decimal(80),
        deadline=date(YEAR, 9, 30),
        veto=True,
    )
    coverage = indicators.figure("prepreg_coverage", "620001100", YEAR, TODAY)
    data = coverage.as_dict()
    # 3 of 5 couples examined = 60.0 %, 20 points short of the 80 % quota, which is a veto item.
    assert (data["target"], data["direction"], data["met"], data["gap"]) == (80, "ge", False, -20)
    assert data["veto"] is True and data["deadline"] == f"{YEAR}-09-30"
    assert coverage.target_display == "≥80%"


def test_the_county_without_its_own_blue_oxygen_quota_sums_the_townships(rh, stations):
    county = COUNTY[:6]
    empty = indicators.figure("treatment_completion", county, RH_YEAR, RH_TODAY)
    assert empty.denominator is None and empty.warnings == ["该单位本年度未下达蓝氧治疗任务"]
    a = _quota("620001100000", "treatment", 4, veto=True)
    a.service_points.set([stations["centre"]])
    _quota(TOWNSHIP_B, "treatment", 6)
    _quota(VILLAGE_B2, "treatment", 2)  # a share of township B's 6: not added again
    summed = indicators.figure("treatment_completion", county, RH_YEAR, RH_TODAY)
    # FP 2027 蓝氧 in the county: b1 ×2 (Oct, Nov), b2 (Dec), a1 (Jan) = 4 of 4 + 6 quota.
    assert (summed.numerator, summed.denominator, summed.display) == (4, 10, "40.0%")
    assert summed.extra["summed"] == 2 and summed.warnings == [
        "本单位未单独下达蓝氧治疗任务，按下级2个单位的任务合计"
    ]
    assert summed.target_display == "≥100%" and summed.met is False
    assert summed.extra["veto"] is False  # the county itself is not a veto item
    own = _quota(COUNTY, "treatment", 5)
    mine = indicators.figure("treatment_completion", county, RH_YEAR, RH_TODAY)
    assert (mine.numerator, mine.denominator) == (4, 5) and "summed" not in mine.extra
    assert own.veto is False and mine.warnings == []
