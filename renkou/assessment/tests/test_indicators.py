"""The service indicators: numerators and denominators are the hand-counted list lengths."""

from datetime import date
from decimal import Decimal

import pytest

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
