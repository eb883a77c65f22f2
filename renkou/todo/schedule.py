"""A rule's schedule: offsets from the anchor date (``"3d"``, ``"1m"``, ``"4y"``) and an optional
repeat interval, turned into occurrences with their windows.

For the occurrence ``k`` of one anchor (a date such as the IUD insertion):

- ``due`` is the anchor plus the k-th offset; after the last offset, every ``repeat`` more
  (months are calendar months counted from the anchor, so 2026-01-31 + 1m = 2026-02-28 and the
  series never drifts);
- the item appears ``lead_days`` before ``due`` and is overdue ``grace_days`` after it;
- its window runs from the day after the previous window (the day after the anchor for the first)
  to the earlier of ``due + expire_days`` and the day before the next occurrence appears: the
  windows of one anchor never overlap, so one visit closes at most one item, and an item nobody
  served is replaced by the next one instead of piling up;
- ``holds_until`` (the IUD removed, the year over) cuts the series: no occurrence appears after
  it and a window never runs past it.
"""

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError

_OFFSET = re.compile(r"^(\d{1,4})([dmy])$")
UNIT_NAMES = {"d": "天", "m": "个月", "y": "年"}
OFFSET_HINT = "应写成数字加单位 d（天）、m（月）、y（年），如 3m"
MAX_OCCURRENCES = 200  # a yearly series over a whole reproductive life is about 35


@dataclass(frozen=True)
class Offset:
    months: int = 0
    days: int = 0

    def after(self, day: date) -> date:
        return add_months(day, self.months) + timedelta(days=self.days)

    def __add__(self, other: "Offset") -> "Offset":
        return Offset(self.months + other.months, self.days + other.days)

    def __mul__(self, times: int) -> "Offset":
        return Offset(self.months * times, self.days * times)

    def is_zero(self) -> bool:
        return self.months == 0 and self.days == 0


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_offset(text: str) -> Offset:
    found = _OFFSET.match(text.strip().lower())
    if found is None:
        raise ValidationError(f"“{text}”不是有效的间隔，" + OFFSET_HINT)
    number, unit = int(found.group(1)), found.group(2)
    return {"d": Offset(days=number), "m": Offset(months=number), "y": Offset(months=12 * number)}[
        unit
    ]


def parse_offsets(text: str) -> list[Offset]:
    """``"1m,3m,6m,12m"`` → offsets, which must increase."""
    parts = [p for p in re.split(r"[,，\s]+", text.strip()) if p]
    if not parts:
        raise ValidationError("请至少填写一个间隔")
    offsets = [parse_offset(p) for p in parts]
    probe = date(2001, 1, 31)
    dues = [o.after(probe) for o in offsets]
    if any(b <= a for a, b in zip(dues, dues[1:], strict=False)):
        raise ValidationError("间隔应从小到大排列，且不能重复")
    return offsets


def describe(text: str) -> str:
    """``"1m,3m"`` → ``"1个月、3个月"`` for the pages."""
    parts = [p for p in re.split(r"[,，\s]+", text.strip()) if p]
    shown = []
    for part in parts:
        found = _OFFSET.match(part.lower())
        shown.append(f"{found.group(1)}{UNIT_NAMES[found.group(2)]}" if found else part)
    return "、".join(shown)


@dataclass(frozen=True)
class Timing:
    """The days of a rule that turn a due date into a window (see the module docstring)."""

    lead_days: int
    grace_days: int
    expire_days: int


@dataclass(frozen=True)
class Occurrence:
    index: int
    due: date
    appears: date
    overdue: date  # overdue from the day after this date
    starts: date  # window start (inclusive)
    ends: date  # window end (inclusive)


def due_dates(
    anchor: date, offsets: list[Offset], repeat: Offset | None, skip: int = 0
) -> Iterator[date]:
    """The due dates of one anchor, in order (without end when ``repeat`` is set), leaving out
    the first ``skip`` repeats."""
    if skip == 0:
        for offset in offsets:
            yield offset.after(anchor)
    if repeat is None or repeat.is_zero():
        return
    times = 1 + skip
    while times < MAX_OCCURRENCES:
        yield (offsets[-1] + repeat * times).after(anchor)
        times += 1


def _repeats_before(anchor: date, offsets: list[Offset], repeat: Offset | None, day: date) -> int:
    """How many repeats can be passed over because the window after them ends before ``day``
    (two are kept as a margin; only whole-month repeats are skipped)."""
    if repeat is None or repeat.months <= 0 or repeat.days:
        return 0
    last = offsets[-1].after(anchor)
    months = (day.year - last.year) * 12 + day.month - last.month
    return max(0, months // repeat.months - 2)


def occurrences(
    anchor: date,
    offsets: list[Offset],
    repeat: Offset | None,
    timing: Timing,
    *,
    first_day: date,
    until: date,
    holds_until: date | None = None,
    since: date | None = None,
) -> list[Occurrence]:
    """The occurrences that have appeared by ``until`` (and not after ``holds_until``). With
    ``since``, the repeats whose windows all ended well before it are passed over without being
    computed (an IUD inserted decades ago), so the result starts a little before ``since``."""
    lead = timedelta(days=timing.lead_days)
    last_day = until if holds_until is None else min(until, holds_until)
    skip = _repeats_before(anchor, offsets, repeat, since) if since else 0
    found: list[Occurrence] = []
    starts, dues = first_day, due_dates(anchor, offsets, repeat, skip)
    index = len(offsets) + skip if skip else 0
    due = next(dues, None)
    if skip and due is not None:  # where the window of the last repeat passed over ends
        previous = (offsets[-1] + repeat * skip).after(anchor)  # type: ignore[operator]  # skip > 0 only with a repeat
        ends = min(previous + timedelta(days=timing.expire_days), due - lead - timedelta(days=1))
        starts = max(ends, first_day) + timedelta(days=1)
    while due is not None and due - lead <= last_day:
        following = next(dues, None)
        ends = due + timedelta(days=timing.expire_days)
        if following is not None:
            ends = min(ends, following - lead - timedelta(days=1))
        if holds_until is not None:
            ends = min(ends, holds_until)
        overdue = due + timedelta(days=timing.grace_days)
        found.append(Occurrence(index, due, due - lead, overdue, starts, max(ends, starts)))
        starts, due, index = max(ends, starts) + timedelta(days=1), following, index + 1
    return found
