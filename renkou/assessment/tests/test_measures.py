"""Every measure worked out by hand from the data the tests build (conftest.rh here and the
pre-pregnancy scenario of renkou.programs.tests, whose figures are derived in its
test_figures.py), and each figure equal to the length of its name list."""

from datetime import date

import pytest

from renkou.assessment import measures as M
from renkou.programs.models import TargetPopulation
from renkou.programs.tests.conftest import TODAY, YEAR

from .conftest import RH_TODAY, RH_YEAR

A, B, COUNTY = "620001100", "620001101", "620001"
A1, B2 = "620001100201", "620001101202"


def names(rows) -> set[str]:
    return {r.name for r in rows}


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            A,
            {
                "prepreg_exam": (3, 5),
                "prepreg_high_risk": (2, 4),
                "prepreg_early_followup": (1, 2),
                "prepreg_outcome_followup": (1, 2),
            },
        ),
        (
            B,
            {
                "prepreg_exam": (1, 1),
                "prepreg_high_risk": (0, 1),
                "prepreg_early_followup": (0, 0),
                "prepreg_outcome_followup": (0, 0),
            },
        ),
        (
            COUNTY,
            {
                "prepreg_exam": (4, 6),
                "prepreg_high_risk": (2, 5),
                "prepreg_early_followup": (1, 2),
                "prepreg_outcome_followup": (1, 2),
            },
        ),
    ],
)
def test_pre_pregnancy_measures_by_hand(scenario, prefix, expected):
    for code, (done, base) in expected.items():
        assert M.counted(code, prefix, YEAR, TODAY) == (done, base), code
        assert M.done_rows(code, prefix, YEAR, TODAY).count() == done
        assert M.base_rows(code, prefix, YEAR, TODAY).count() == base


def test_the_target_adjustment_is_added_to_the_coverage_base_only(scenario):
    TargetPopulation.objects.create(
        unit_code="620001100000", year=YEAR, adjustment=3, reason="外出务工返乡夫妇"
    )
    assert M.counted("prepreg_exam", A, YEAR, TODAY) == (3, 8)
    assert M.counted("prepreg_exam", COUNTY, YEAR, TODAY) == (4, 9)
    assert M.counted("prepreg_exam", "620001100201", YEAR, TODAY) == (2, 4)  # villages: none
    assert M.counted("prepreg_high_risk", A, YEAR, TODAY) == (2, 4)


def test_married_women_and_rh_checks_by_hand(rh):
    # Married WCBA of B2 on 2027-01-31: b1–b4 (b5 unmarried, b6 a man).
    assert names(M.mwcba(B2, RH_YEAR, RH_TODAY)) == {"乙一", "乙二", "乙三", "乙四"}
    # Checked in FP 2027: b1 (twice), b2; b3's check is voided, b4's is in FP 2026.
    assert names(M.mwcba_checked(B2, RH_YEAR, RH_TODAY)) == {"乙一", "乙二"}
    assert M.counted("rh_check", B2, RH_YEAR, RH_TODAY) == (2, 4)
    assert M.counted("rh_check", B, RH_YEAR, RH_TODAY) == (2, 4)
    assert M.counted("rh_check", COUNTY, RH_YEAR, RH_TODAY) == (3, 5)  # + a1 in A1
    assert M.counted("rh_checks", B, RH_YEAR, RH_TODAY) == (3, None)  # person-times
    assert M.counted("rh_abnormal", B, RH_YEAR, RH_TODAY) == (1, None)


def test_treatments_by_hand_with_and_without_service_points(rh, stations):
    # 蓝氧 in FP 2027 of B's women: b1 twice, b2 once (at the centre); a1's is A's.
    assert M.counted("treatment", B, RH_YEAR, RH_TODAY) == (3, None)
    assert M.counted("treatment_all", B, RH_YEAR, RH_TODAY) == (4, None)
    assert M.counted("treatment", A, RH_YEAR, RH_TODAY) == (1, None)
    # A with the county centre: a1's, and b2's given there.
    centre = [stations["centre"].pk]
    assert M.counted("treatment", A, RH_YEAR, RH_TODAY, service_points=centre) == (2, None)
    assert M.counted("treatment", COUNTY, RH_YEAR, RH_TODAY) == (4, None)


@pytest.mark.parametrize("code", list(M.MEASURES))
def test_grouped_counts_agree_with_the_lists_of_each_unit(rh, scenario, code):
    today = RH_TODAY if code.startswith(("rh", "treat", "contra", "suppl")) else TODAY
    year = RH_YEAR if today == RH_TODAY else YEAR
    measure = M.MEASURES[code]
    for side in (measure.numerator, measure.denominator):
        if side is None:
            continue
        for length, prefixes in ((9, (A, B)), (12, (A1, B2))):
            grouped = side.grouped(COUNTY, year, today, M.DEFAULT_SCOPE, length)
            for prefix in prefixes:
                assert grouped.get(prefix, 0) == side.rows(prefix, year, today).count(), prefix


def test_the_stock_day_is_today_within_the_year():
    assert M.stock_day(RH_YEAR, RH_TODAY) == RH_TODAY
    assert M.stock_day(RH_YEAR, date(2028, 1, 1)) == date(2027, 9, 30)
    assert M.stock_day(RH_YEAR, date(2026, 1, 1)) == date(2026, 10, 1)
