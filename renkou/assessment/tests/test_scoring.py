"""The scoring rules (renkou/assessment/scoring.py), worked out by hand."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from renkou.assessment import scoring


def score(rule, value, target="96.5", direction="ge", points="6", **kw):
    return scoring.score(
        rule,
        points=D(points),
        value=value,
        target=None if target is None else D(target),
        direction=direction,
        **kw,
    )


def test_threshold_full_or_nothing_on_the_displayed_value():
    rule = {"type": "threshold"}
    assert score(rule, 9.31, "9.31", "le", "8").points == D(8)
    assert score(rule, 9.32, "9.31", "le", "8").points == D(0)
    assert score(rule, 9.32, "9.31", "le", "8").met is False


def test_linear_deducts_per_started_step_not_below_the_floor():
    rule = {"type": "linear", "step": "0.1", "deduct": "0.3", "floor": "0"}
    # 96.5 − 96.25 = 0.25 → three started steps of 0.1 → −0.9
    assert score(rule, 96.25).points == D("5.10")
    assert score(rule, 97).points == D(6)
    assert score(rule, 80).points == D(0)  # −49.5 stops at the floor
    floored = {**rule, "floor": "2"}
    assert score(floored, 80).points == D(2)


def test_linear_for_an_at_most_target():
    rule = {"type": "linear", "step": "0.1", "deduct": "0.1"}
    # sex ratio 108.0 against ≤107: 10 steps above → −1.0
    assert score(rule, 108.0, "107", "le", "6").points == D(5)


def test_bands_pick_the_band_holding_the_value():
    rule = {
        "type": "bands",
        "bands": [
            {"min": 85, "max": None, "points": 4},
            {"min": 80, "max": 85, "points": 2},
            {"min": None, "max": 80, "points": 0},
        ],
    }
    assert score(rule, 85, "85", points="4").points == D(4)
    assert score(rule, 84.99, "85", points="4").points == D(2)
    assert score(rule, 79, "85", points="4").points == D(0)


def test_level_and_progress_weighted_seven_three_or_three_seven():
    rule = {"type": "level_progress", "reference": "last_year", "above": [7, 3], "below": [3, 7]}
    # 24 of a 30 target, last year 20: level 0.8, progress full → 10 × (7×0.8 + 3×1)/10 = 8.6
    assert score(rule, 24, "30", points="10", reference=20).points == D("8.60")
    # 24, last year 30: level 0.8, progress 0.8 → 10 × (3×0.8 + 7×0.8)/10 = 8
    assert score(rule, 24, "30", points="10", reference=30).points == D("8.00")
    # 15, last year 30: level 0.5, progress 0.5 → 5
    assert score(rule, 15, "30", points="10", reference=30).points == D("5.00")
    assert "仅按水平" in score(rule, 15, "30", points="10").explanation


def test_bonus_per_whole_step_beyond_the_target_up_to_its_cap():
    rule = {"type": "bonus", "step": "1", "per_step": "0.5", "cap": "2"}
    assert score(rule, 92.5, "90", points="2").points == D("1.00")
    assert score(rule, 99, "90", points="2").points == D(2)
    assert score(rule, 89, "90", points="2").points == D(0)


def test_population_weighting_never_above_the_item_points():
    rule = {"type": "linear", "step": "1", "deduct": "1", "population_weight": True}
    assert score(rule, 93, "96", points="10", weight=1.5).points == D(10)  # 7 × 1.5 capped
    assert score(rule, 93, "96", points="10", weight=0.5).points == D("3.50")


def test_veto_on_a_missed_target_and_on_an_own_condition():
    rule = {"type": "threshold", "veto": {"effect": "zero"}}
    assert score(rule, 9.5, "9.31", "le").veto["effect"] == "zero"
    assert score(rule, 9.0, "9.31", "le").veto is None
    own = {
        "type": "linear",
        "step": "0.1",
        "deduct": "0.1",
        "veto": {"effect": "cap", "cap": 60, "when": {"fact": "value", "op": ">=", "value": 110}},
    }
    assert score(own, 109.9, "107", "le").veto is None  # missed, but below the veto line
    hit = score(own, 110, "107", "le").veto
    assert hit["effect"] == "cap" and hit["cap"] == 60


def test_no_value_scores_nothing_and_vetoes_nobody():
    rule = {"type": "threshold", "veto": {"effect": "zero"}}
    got = score(rule, None)
    assert got.points == 0 and got.veto is None and "无数据" in got.explanation


@pytest.mark.parametrize(
    ("rule", "points", "message"),
    [
        ({"type": "bands", "bands": [{"min": 90, "max": 80, "points": 2}]}, "4", "须小于上限"),
        (
            {
                "type": "bands",
                "bands": [
                    {"min": 80, "max": 90, "points": 2},
                    {"min": 85, "max": None, "points": 4},
                ],
            },
            "4",
            "重叠",
        ),
        ({"type": "bands", "bands": [{"min": 80, "max": None, "points": 9}]}, "4", "得分须在0到"),
        (
            {"type": "level_progress", "reference": "last_year", "above": [7, 2], "below": [3, 7]},
            "4",
            "之和须为10",
        ),
        ({"type": "bonus", "step": 1, "per_step": 1, "cap": -1}, "-1", "不能小于0"),
        ({"type": "linear", "step": 0, "deduct": 1}, "4", "步长须大于0"),
        ({"type": "threshold", "veto": {"effect": "cap", "cap": -5}}, "4", "封顶分不能小于0"),
        (
            {"type": "threshold", "veto": {"effect": "zero", "when": {"fact": "x", "op": "<"}}},
            "4",
            "否决条件",
        ),
        ({"type": "magic"}, "4", "类型无效"),
    ],
)
def test_impossible_rules_are_refused_in_chinese(rule, points, message):
    with pytest.raises(ValidationError) as caught:
        scoring.check_rule(rule, points=D(points), target=D(90))
    assert message in " ".join(caught.value.messages)


def test_ranking_shares_ties_and_puts_vetoed_units_last():
    from renkou.assessment.sheets import Sheet, Veto, rank

    def sheet(code, total, vetoed=False):
        vetoes = [Veto(None, "zero", None, "x")] if vetoed else []
        return Sheet(code, code, [], [], D(0), D(0), D(0), vetoes, D(total), D(100))

    sheets = [sheet("a", 90), sheet("b", 95), sheet("c", 90), sheet("d", 99, True), sheet("e", 80)]
    rank(sheets)
    assert [(s.unit_code, s.rank) for s in sheets] == [
        ("b", 1),
        ("a", 2),
        ("c", 2),
        ("e", 4),
        ("d", 5),
    ]
