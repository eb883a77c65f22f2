"""The schedule arithmetic, by hand."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from renkou.todo.schedule import (
    Offset,
    Timing,
    add_months,
    describe,
    occurrences,
    parse_offset,
    parse_offsets,
)

IUD = parse_offsets("1m,3m,6m,12m")
YEARLY = parse_offset("12m")
TIMING = Timing(lead_days=14, grace_days=14, expire_days=90)


def test_month_arithmetic_clamps_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_offsets_parse_and_must_increase():
    assert parse_offsets("3d, 3m，6m") == [Offset(days=3), Offset(months=3), Offset(months=6)]
    assert parse_offset("4y") == Offset(months=48)
    for bad in ("3m,1m", "1m,1m", "", "3w", "m3"):
        with pytest.raises(ValidationError):
            parse_offsets(bad)
    assert describe("1m,4y,30d") == "1个月、4年、30天"


def test_iud_series_due_dates_months_1_3_6_12_then_yearly():
    found = occurrences(
        date(2026, 1, 10),
        IUD,
        YEARLY,
        TIMING,
        first_day=date(2026, 1, 11),
        until=date(2028, 12, 26),
    )
    assert [o.due for o in found] == [
        date(2026, 2, 10),
        date(2026, 4, 10),
        date(2026, 7, 10),
        date(2027, 1, 10),
        date(2028, 1, 10),
    ]
    # 2029-01-10 appears on 2028-12-27, the day after "until".
    first, second = found[0], found[1]
    assert first.appears == date(2026, 1, 27)  # 14 days before 2026-02-10
    assert first.overdue == date(2026, 2, 24)  # 14 days after
    # The window ends the day before the 3-month item appears (2026-04-10 - 14 = 03-27).
    assert (first.starts, first.ends) == (date(2026, 1, 11), date(2026, 3, 26))
    assert second.starts == date(2026, 3, 27)


def test_nothing_appears_before_the_lead_and_removal_stops_the_series():
    found = occurrences(
        date(2026, 1, 10), IUD, YEARLY, TIMING, first_day=date(2026, 1, 11), until=date(2026, 1, 26)
    )
    assert found == []
    cut = occurrences(
        date(2026, 1, 10),
        IUD,
        YEARLY,
        TIMING,
        first_day=date(2026, 1, 11),
        until=date(2027, 6, 1),
        holds_until=date(2026, 5, 1),
    )
    assert [o.due for o in cut] == [date(2026, 2, 10), date(2026, 4, 10)]
    assert cut[-1].ends == date(2026, 5, 1)


def test_a_single_offset_expires_after_the_expire_days():
    (only,) = occurrences(
        date(2026, 3, 1),
        [Offset(days=30)],
        None,
        Timing(lead_days=7, grace_days=30, expire_days=90),
        first_day=date(2026, 3, 2),
        until=date(2027, 1, 1),
    )
    assert only.due == date(2026, 3, 31)
    assert only.overdue == date(2026, 4, 30)  # "30–60 days": overdue after day 60
    assert only.ends == date(2026, 6, 29)  # 90 days after the due date


def test_passing_over_old_repeats_gives_the_same_recent_occurrences():
    anchor, until, since = date(1998, 3, 31), date(2026, 6, 1), date(2026, 3, 31)
    full = occurrences(anchor, IUD, YEARLY, TIMING, first_day=date(1998, 4, 1), until=until)
    quick = occurrences(
        anchor, IUD, YEARLY, TIMING, first_day=date(1998, 4, 1), until=until, since=since
    )
    assert len(quick) < 5 < len(full)
    assert quick == full[-len(quick) :]
    assert quick[-1].due == date(2026, 3, 31) and quick[-2].due == date(2025, 3, 31)
