"""Statistical periods (domain.md §3, §4): the family-planning year (1 October – 30 September
by default, ``RENKOU_FP_YEAR_START_MONTH``), its half-year (1 October – 31 March), calendar
quarters, months and calendar years.

A period is named by its end: FP year 2024 runs from 2023-10-01 to 2024-09-30. Codes:
``2024`` (FP year, or the calendar year with ``calendar=True``), ``2024H1`` (first FP half),
``2024H2``, ``2024Q1``…``2024Q4`` (calendar quarters), ``2024-03`` (month), and
``2023-10-01..2024-03-31`` for any run of whole months.
"""

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings


class PeriodError(ValueError):
    """A period code that cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Period:
    code: str
    label: str
    start: date
    end: date  # inclusive

    @property
    def day_before(self) -> date:
        return self.start - timedelta(days=1)

    @property
    def start_month(self) -> int:
        return month_key(self.start)

    @property
    def end_month(self) -> int:
        return month_key(self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def fp_start_month() -> int:
    return int(getattr(settings, "RENKOU_FP_YEAR_START_MONTH", 10))


def fp_year(year: int) -> Period:
    first = fp_start_month()
    if first == 1:
        return calendar_year(year)
    y0, m0 = _shift_month(year, first, -12)
    y1, m1 = _shift_month(year, first, -1)
    return Period(
        str(year), f"{year}年度（{y0}年{m0}月—{y1}年{m1}月）", date(y0, m0, 1), month_end(y1, m1)
    )


def fp_half(year: int, half: int) -> Period:
    whole = fp_year(year)
    y, m = _shift_month(whole.start.year, whole.start.month, 5)
    if half == 1:
        return Period(f"{year}H1", f"{year}年度上半年", whole.start, month_end(y, m))
    y2, m2 = _shift_month(y, m, 1)
    return Period(f"{year}H2", f"{year}年度下半年", date(y2, m2, 1), whole.end)


def calendar_year(year: int) -> Period:
    return Period(f"{year}", f"{year}年", date(year, 1, 1), date(year, 12, 31))


def quarter(year: int, number: int) -> Period:
    m0 = 3 * (number - 1) + 1
    return Period(
        f"{year}Q{number}", f"{year}年第{number}季度", date(year, m0, 1), month_end(year, m0 + 2)
    )


def month(year: int, number: int) -> Period:
    return Period(
        f"{year}-{number:02d}",
        f"{year}年{number}月",
        date(year, number, 1),
        month_end(year, number),
    )


def span(start: date, end: date) -> Period:
    if start.day != 1 or end != month_end(end.year, end.month) or end < start:
        raise PeriodError("自定义期间须从某月1日开始、到某月最后一天结束")
    return Period(f"{start}..{end}", f"{start:%Y年%m月%d日}—{end:%Y年%m月%d日}", start, end)


def parse(code: str, *, calendar: bool = False) -> Period:
    """The period a code names; ``PeriodError`` with a Chinese message otherwise."""
    text = (code or "").strip().upper()
    try:
        if m := re.fullmatch(r"(\d{4})", text):
            year = int(m[1])
            period = calendar_year(year) if calendar else fp_year(year)
        elif m := re.fullmatch(r"(\d{4})H([12])", text):
            period = fp_half(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})Q([1-4])", text):
            period = quarter(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            period = month(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            period = span(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
        else:
            raise PeriodError(f"无法识别的统计期间“{code}”：应为 2024、2024H1、2024Q1 或 2024-03")
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"无法识别的统计期间“{code}”") from exc
    first = stats_start()
    if period.start < first:
        raise PeriodError(f"统计数据从{first:%Y年%m月}开始，无法计算更早的期间")
    return period


def stats_start() -> date:
    """The first month whose flows the tallies keep (``RENKOU_STATS_START``, ``YYYY-MM``);
    everything earlier is folded into the month before it, whose end is the first stock."""
    text = getattr(settings, "RENKOU_STATS_START", "2010-01")
    year, mon = text.split("-")
    return date(int(year), int(mon), 1)


LAST_YEAR = 2099  # periods later than this are not statistics but typing errors


def first_year() -> int:
    """The first year every period of which (FP year and halves, calendar year, quarters,
    months) starts on or after ``stats_start``: the API accepts codes of this year on."""
    first = stats_start()
    year = first.year
    while fp_year(year).start < first or date(year, 1, 1) < first:
        year += 1
    return year


def code_pattern() -> str:
    """The period codes the API accepts, as a regular expression (its schema's ``pattern``):
    ``2024``, ``2024H1``, ``2024Q1``, ``2024-03``, years ``first_year()``—``LAST_YEAR``."""
    return rf"^(?:{_years(first_year(), LAST_YEAR)})(?:H[12]|Q[1-4]|-(?:0[1-9]|1[0-2]))?$"


def _years(low: int, high: int) -> str:
    """The years ``low``—``high`` as alternatives, one per decade (``201[1-9]|202[0-9]|…``)."""
    parts = []
    year = low
    while year <= high:
        last = min(year // 10 * 10 + 9, high)
        digit = str(year % 10) if year == last else f"[{year % 10}-{last % 10}]"
        parts.append(f"{year // 10:03d}{digit}")
        year = last + 1
    return "|".join(parts)


def fp_year_of(day: date) -> int:
    """The FP year a day falls in (named by its end)."""
    first = fp_start_month()
    return day.year + 1 if first != 1 and day.month >= first else day.year


def report_deadline(month_start: date) -> date:
    """The monthly report of a month is due on day ``RENKOU_REPORT_DUE_DAY`` (5) of the next."""
    due_day = int(getattr(settings, "RENKOU_REPORT_DUE_DAY", 5))
    y, m = _shift_month(month_start.year, month_start.month, 1)
    return date(y, m, min(due_day, _calendar.monthrange(y, m)[1]))
