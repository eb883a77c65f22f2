"""Figures of FP year 2026 (2025-10-01 to 2026-09-30) for the hand-built scenario
(conftest.scenario), worked out by hand below, and equal to the lengths of their name lists.

Target population on 2025-10-01 (married women 20–49 living in the unit, no method in force, not
pregnant, no child in the last 12 months, no examined file still open):
- A1: w1, w9 (未避孕 in force), w12 (49 that day), w13 (left the register later) — not w2 (IUD),
  w5 (19), w7 (unmarried), w10 (her 2025 file is still open), w11 (50 that day), w14 (died
  before); A2: w8 (inflow, registered outside the county) — not w3 (child in March 2025) or w4
  (pregnant). Township A: 5. B1: w6. County: 6.
Couples examined in the year: c1 (A1, first exam 2025-11-09), c2 (A1), c5 (A2), c3 (B1,
2026-09-30); c4 was examined in FP year 2025.
Persons examined: A: c1 wife + husband, c2 wife, c5 wife = 4, high risk c1 wife and c5 wife = 2;
B: c3 wife, not assessed.
Early follow-ups due in the year: c2 (due 2026-05-24, done 05-20 in time), c5 (due 2026-01-24,
done 02-10, late); c4's was due 2025-08-24 (FP 2025). Outcome follow-ups due: c4 (2026-04-19,
never done), c5 (2026-09-19, done); c2's falls due 2027-01-17.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from renkou.geo.models import Unit
from renkou.programs import figures, selectors, services
from renkou.programs.tests.conftest import TODAY, YEAR

A, B, COUNTY = "620001100", "620001101", "620001"
A1, A2 = "620001100201", "620001100202"


def names_of(rows) -> set[str]:
    return {r.name for r in rows}


def test_the_target_population_follows_the_documented_rule(scenario):
    assert names_of(figures.target_population(A, YEAR)) == {
        "一号",
        "九号",
        "十二号",
        "十三号",
        "八号",
    }
    assert names_of(figures.target_population(B, YEAR)) == {"六号"}
    assert figures.target_population(COUNTY, YEAR).count() == 6
    assert figures.reference_day(YEAR) == date(2025, 10, 1)
    # FP year 2027 is counted on 2026-10-01: w1 and w9 had their exam and c1, c2 are still
    # open, while c5 closed with its outcome (w8 may plan again); w13 has left, w12 is 50; w3's
    # child is now 19 months old and w5 has turned 20.
    assert names_of(figures.target_population(A, YEAR + 1)) == {"八号", "三号", "五号"}


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            A,
            {
                "coverage": (3, 5),
                "high_risk": (2, 4),
                "early_follow_up": (1, 2),
                "outcome_follow_up": (1, 2),
            },
        ),
        (
            B,
            {
                "coverage": (1, 1),
                "high_risk": (0, 1),
                "early_follow_up": (0, 0),
                "outcome_follow_up": (0, 0),
            },
        ),
        (
            COUNTY,
            {
                "coverage": (4, 6),
                "high_risk": (2, 5),
                "early_follow_up": (1, 2),
                "outcome_follow_up": (1, 2),
            },
        ),
        (
            A1,
            {
                "coverage": (2, 4),
                "high_risk": (1, 3),
                "early_follow_up": (1, 1),
                "outcome_follow_up": (0, 1),
            },
        ),
    ],
)
def test_figures_by_hand(scenario, prefix, expected):
    found = figures.evaluate(prefix, YEAR, TODAY)
    assert {code: (f.numerator, f.denominator) for code, f in found.items()} == expected


def test_values_targets_and_display(scenario):
    found = figures.evaluate(A, YEAR, TODAY)
    assert found["coverage"].value == pytest.approx(60.0)
    assert found["coverage"].display == "60.0%" and found["coverage"].behind  # target 80 %
    assert found["early_follow_up"].value == 50 and found["early_follow_up"].behind
    assert found["outcome_follow_up"].value == 50 and found["outcome_follow_up"].behind  # 55 %
    assert found["high_risk"].value == 50 and not found["high_risk"].behind  # no target
    empty = figures.evaluate(B, YEAR, TODAY)["early_follow_up"]
    assert empty.value is None and empty.display == "—" and not empty.behind
    # The name lists behind both sides, where the coverage page links them.
    names = reverse("programs:names", args=[A.ljust(12, "0")])
    assert found["coverage"].numerator_list.url == f"{names}?figure=coverage&side=n&year={YEAR}"
    assert found["coverage"].denominator_list.url == f"{names}?figure=coverage&side=d&year={YEAR}"


@pytest.mark.parametrize("prefix", [A, B, COUNTY, A1, A2])
def test_every_figure_equals_the_lengths_of_its_name_lists(scenario, personas, prefix):
    county_officer = personas["county_officer"]
    for code, figure in figures.evaluate(prefix, YEAR, TODAY).items():
        numerator = selectors.names(county_officer, code, "n", prefix, YEAR, TODAY)
        denominator = selectors.names(county_officer, code, "d", prefix, YEAR, TODAY)
        assert len(list(numerator)) == figure.numerator, code
        listed = len(list(denominator))
        assert listed == figure.extra.get("computed", figure.denominator), code


def test_the_lists_name_the_expected_rows(scenario, personas):
    user, c = personas["county_officer"], scenario
    examined = selectors.names(user, "coverage", "n", A, YEAR, TODAY)
    assert set(examined) == {c["c1"], c["c2"], c["c5"]}
    high = selectors.names(user, "high_risk", "n", COUNTY, YEAR, TODAY)
    assert {(e.couple_id, e.spouse) for e in high} == {(c["c1"].pk, "wife"), (c["c5"].pk, "wife")}
    late = selectors.names(user, "early_follow_up", "d", A, YEAR, TODAY)
    timely = selectors.names(user, "early_follow_up", "n", A, YEAR, TODAY)
    assert {f.couple_id for f in late} == {c["c2"].pk, c["c5"].pk}
    assert {f.couple_id for f in timely} == {c["c2"].pk}
    due = selectors.names(user, "outcome_follow_up", "d", A, YEAR, TODAY)
    assert {f.couple_id for f in due} == {c["c4"].pk, c["c5"].pk}


def test_lists_are_scoped_to_the_viewer(scenario, personas):
    """The township B officer gets nothing of township A, whatever prefix is asked for."""
    other = personas["township_officer"]  # township A
    assert selectors.names(other, "coverage", "d", B, YEAR, TODAY).count() == 0
    assert selectors.names(personas["leader"], "coverage", "d", A, YEAR, TODAY).count() == 0


def test_the_grouped_table_agrees_with_each_unit_figure(scenario):
    townships = figures.table(COUNTY, YEAR, TODAY, 9)
    villages = figures.table(A, YEAR, TODAY, 12)
    for table, prefixes in ((townships, (A, B)), (villages, (A1, A2))):
        for prefix in prefixes:
            one = figures.evaluate(prefix, YEAR, TODAY)
            row = table[prefix]
            for code in figures.MEASURES:
                assert (row[code].numerator, row[code].denominator) == (
                    one[code].numerator,
                    one[code].denominator,
                ), (prefix, code)
    assert (villages[A2]["coverage"].numerator, villages[A2]["coverage"].denominator) == (1, 1)


def test_the_adjustment_is_added_to_the_target_with_its_reason(scenario, staff):
    township = Unit.objects.get(code="620001100000")
    with pytest.raises(ValidationError) as caught:
        services.target_adjust(
            actor=staff["county_officer"], unit=township, year=YEAR, adjustment=2, reason=" "
        )
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):  # 5 − 6 < 0
        services.target_adjust(
            actor=staff["county_officer"], unit=township, year=YEAR, adjustment=-6, reason="重复"
        )
    with pytest.raises(ValidationError):  # villages are not adjusted
        services.target_adjust(
            actor=staff["county_officer"],
            unit=Unit.objects.get(code=A1),
            year=YEAR,
            adjustment=1,
            reason="x",
        )
    services.target_adjust(
        actor=staff["county_officer"],
        unit=township,
        year=YEAR,
        adjustment=2,
        reason="村级摸底新增计划怀孕夫妇",
    )
    found = figures.evaluate(A, YEAR, TODAY)["coverage"]
    assert (found.numerator, found.denominator) == (3, 7)
    assert found.extra == {"computed": 5, "adjustment": 2, "reasons": ["村级摸底新增计划怀孕夫妇"]}
    county = figures.evaluate(COUNTY, YEAR, TODAY)["coverage"]
    assert (county.numerator, county.denominator, county.display) == (4, 8, "50.0%")
    # Below the township the computed count is used, unadjusted.
    assert figures.evaluate(A1, YEAR, TODAY)["coverage"].denominator == 4
    assert figures.table(COUNTY, YEAR, TODAY, 9)[A]["coverage"].denominator == 7
    # Another year is untouched.
    assert figures.adjustment(A, YEAR + 1) == (0, [])


def test_the_due_list(scenario, personas):
    """Open follow-ups due within 30 days or overdue. On 2026-11-29: c4's outcome follow-up
    (due 2026-04-19, never done); c4's early one (due 2025-08-24) was missed and left the list
    at the expected delivery (2026-03-08); c2's outcome follow-up falls due on 2027-01-17, more
    than 30 days ahead. On 2026-03-01 c4's early one was still listed, and its outcome one (due
    2026-04-19) not yet."""
    c, township = scenario, personas["township_officer"]
    rows = list(selectors.followups_due(township, TODAY))
    assert [(r.couple_id, r.kind) for r in rows] == [(c["c4"].pk, "outcome")]
    earlier = list(selectors.followups_due(township, date(2026, 3, 1)))
    assert [(r.couple_id, r.kind) for r in earlier] == [(c["c4"].pk, "early")]
    assert [r.couple_id for r in selectors.followups_due(township, date(2026, 12, 20))] == [
        c["c4"].pk,
        c["c2"].pk,
    ]
    assert list(selectors.followups_due(personas["leader"], TODAY)) == []


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ([10, 12, 30], [False, False, False]),
        ([3, 10, 12], [True, True, False]),  # the smallest other cell hides the lone small one
        ([3, 4, 12], [True, True, False]),
        ([0, 7, 8], [True, True, False]),
        ([2], [True]),
        ([5, 6], [False, False]),
    ],
)
def test_small_cells(counts, hidden):
    assert figures.small_cells(counts) == hidden


def test_time_progress():
    assert figures.time_progress(2027, date(2026, 9, 30)) == 0
    assert figures.time_progress(2026, TODAY) == 100
    # 2026-11-29 is day 60 of the 365 days of FP year 2027.
    assert figures.time_progress(2027, TODAY) == pytest.approx(60 * 100 / 365)
