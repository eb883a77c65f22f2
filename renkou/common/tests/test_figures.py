"""The one Figure: half-up rounding (GB/T 8170) wherever a value is shown, given out or judged
against a target; met and gap on the value as displayed; the name-list links."""

from decimal import Decimal

import pytest

from renkou.common.figures import (
    AT_MOST,
    PER_MILLE,
    PERCENT,
    YUAN,
    Figure,
    Measure,
    NameList,
    Side,
    Target,
    ratio,
    round_half_up,
)


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (0.25, 1, 0.3),  # Python's round gives 0.2 (half to even)
        (0.35, 1, 0.4),
        (2.5, 0, 3),  # round gives 2
        (0.125, 2, 0.13),
        (1.005, 2, 1.01),  # stored as 1.00499999…
        (-0.25, 1, -0.3),
        (-0.125, 2, -0.13),
        (0.24, 1, 0.2),
    ],
)
def test_half_up(value, decimals, shown):
    assert round_half_up(value, decimals) == shown


def _percent(value, **fields):
    return Figure("x", "某率", 1, 4, value, PERCENT, 1, **fields)


def test_shown_given_out_and_judged_half_up():
    fig = _percent(0.25, target=Target(Decimal("0.3")))
    assert fig.rounded == 0.3 and fig.display == "0.3%"
    data = fig.as_dict()
    assert (data["value"], data["value_unrounded"], data["value_display"]) == (0.3, 0.25, "0.3%")
    assert fig.met is True and fig.gap == 0.0 and not fig.behind
    assert (data["target"], data["direction"], data["met"], data["gap"]) == (0.3, "ge", True, 0.0)


def test_a_target_is_judged_on_the_value_as_displayed():
    # 79.96 % is shown as 80.0 %: it meets an 80 % target; 79.94 % (shown 79.9 %) does not.
    assert _percent(79.96, target=Target(Decimal(80))).met is True
    low = _percent(79.94, target=Target(Decimal(80)))
    assert low.met is False and low.behind and low.gap_display == "-0.1%"
    at_most = Figure("r", "率", 1, 1, 9.315, PER_MILLE, 2, target=Target(Decimal("9.31"), AT_MOST))
    assert at_most.met is False and at_most.gap == pytest.approx(0.01)
    assert at_most.target_display == "≤9.31‰" and at_most.verdict == "未达标"


def test_no_value_or_no_target():
    empty = _percent(None, target=Target(Decimal(80)))
    assert empty.display == "—" and empty.met is None and not empty.behind
    assert empty.gap_display == "—" and empty.verdict == "无数据"
    plain = _percent(50.0)
    assert plain.met is None and plain.verdict == "" and "target" not in plain.as_dict()


def test_counts_and_money():
    count = Figure("births", "出生人数", 12, None, 12, "人", 0, unit_code="620001")
    assert count.display == "12" and count.rounded == 12 and isinstance(count.rounded, int)
    assert count.as_dict()["unit"] == "620001000000"
    money = Figure("paid", "发放金额", 1234567.005, None, 1234567.005, YUAN, 2)
    assert money.display == "1,234,567.01"


def test_ratio():
    assert ratio(1, 4) == 25 and ratio(3, 2, 1000) == 1500
    assert ratio(1, 0) is None and ratio(1, None) is None and ratio(1, -2) is None


def test_a_measure_builds_its_figure_and_counts_its_lists():
    def lister(prefix, year, today):
        return range(16 if prefix == "d" else 1)

    rate = Measure("m", "某率", Side("分子", lister, "person"), Side("分母", lister, "person"))
    fig = rate.figure(1, 16, unit_code="620001")
    # 1 / 16 = 6.25 %: shown 6.3 %, never 6.2 %.
    assert (fig.value, fig.display, fig.as_dict()["value"]) == (6.25, "6.3%", 6.3)
    assert rate.is_rate and rate.decimals == 1 and fig.target is None
    count = Measure("c", "人次", Side("人次", lister, "treatment"), unit_symbol="人次")
    assert not count.is_rate and count.figure(7, None).display == "7"
    aimed = Measure("a", "率", rate.numerator, rate.denominator, target=80).figure(4, 5)
    assert aimed.target == Target(Decimal(80)) and aimed.met is True
    assert rate.denominator.rows("d", 2026, None) == range(16)


def test_a_name_list_link(settings):
    names = NameList("reports:indicator_list", ("620001000000",), (("side", "numerator"),))
    assert names.url == "/reports/indicators/620001000000/list/?side=numerator"
