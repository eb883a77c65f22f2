"""Amount tables by date (domain.md §5.1, §5.2, §9.1). Money is integer fen (分), never float."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from renkou.benefits.constants import CHILDCARE_YEARS, Period
from renkou.benefits.models import Amount, Program

CHILDCARE_START = date(2025, 1, 1)  # 育儿补贴 from 2025-01-01 (domain.md §9.1 [S19])


def amount_on(program: Program, day: date, grade: str = "") -> Amount | None:
    """The amount row in force on ``day`` (the latest ``effective_from`` not after it)."""
    rows = Amount.objects.filter(program=program, grade=grade, effective_from__lte=day)
    return rows.order_by("-effective_from").first()


def yuan(fen: int) -> str:
    """Fen as a yuan string for display: 96000 → "960", 12345 → "123.45"."""
    whole, cents = divmod(fen, 100)
    return f"{whole}.{cents:02d}" if cents else str(whole)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def childcare_months(birth: date, start: date = CHILDCARE_START) -> int:
    """Months of the childcare subsidy: calendar months from the later of the birth month and
    the scheme's start month, up to the month before the third birthday's month, so a child
    born in 2022–2024 is paid pro rata for the months under 3 from 2025-01 (domain.md §9.1)."""
    end = add_years(birth, CHILDCARE_YEARS)  # the third birthday: no longer under 3
    first = max(date(birth.year, birth.month, 1), start)
    months = (end.year - first.year) * 12 + end.month - first.month
    return max(months, 0)


def childcare_fen(birth: date, per_year_fen: int, start: date = CHILDCARE_START) -> int:
    """The whole subsidy for one child in fen: per-year standard / 12 × eligible months."""
    return per_year_fen * childcare_months(birth, start) // 12


# --- amounts due for a payment period (issue 6 items 5–6) ------------------------------------

PERIOD_FORMAT = "发放期间应为年度（如 2026）或半年（如 2026H1、2026H2）"


@dataclass(frozen=True)
class Span:
    """A payment period: a calendar year ``2026`` or half ``2026H1`` / ``2026H2``."""

    code: str
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def label(self) -> str:
        if len(self.code) == 4:
            return f"{self.code}年"
        return f"{self.code[:4]}年{'上' if self.code[-1] == '1' else '下'}半年"


def span(code: str) -> Span:
    """The period a code names; ``ValueError`` with a Chinese message otherwise."""
    text = (code or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return Span(text, date(year, 1, 1), date(year, 12, 31))
    if m := re.fullmatch(r"(\d{4})H([12])", text):
        year, half = int(m[1]), int(m[2])
        if half == 1:
            return Span(text, date(year, 1, 1), date(year, 6, 30))
        return Span(text, date(year, 7, 1), date(year, 12, 31))
    raise ValueError(PERIOD_FORMAT)


def _month_starts(start: date, end: date) -> list[date]:
    out, day = [], date(start.year, start.month, 1)
    while day <= end:
        out.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def _halves(start: date, end: date) -> list[date]:
    return [d for d in _month_starts(start, end) if d.month in (1, 7)]


class Table:
    """A programme's amount table read once (rolls and re-confirmation price thousands of
    months): the fen in force on a day for a grade, as ``amount_on`` would answer."""

    def __init__(self, program: Program) -> None:
        self.rows: dict[str, list[tuple[date, int]]] = {}
        for row in Amount.objects.filter(program=program).order_by("-effective_from"):
            self.rows.setdefault(row.grade, []).append((row.effective_from, row.fen))

    def fen(self, day: date, grade: str = "") -> int:
        return next((fen for start, fen in self.rows.get(grade, []) if start <= day), 0)


def _fen(program: Program, day: date, grade: str, table: Table | None) -> int:
    if table is not None:
        return table.fen(day, grade)
    row = amount_on(program, day, grade)
    return row.fen if row else 0


def due_fen(
    program: Program,
    *,
    starts_on: date,
    ends_on: date | None,
    period: Span,
    grade: str = "",
    birth: date | None = None,
    table: Table | None = None,
) -> int:
    """What one entitlement earns in ``period`` (fen), prorated by the programme's unit:

    - per person per year (奖扶, domain.md §5.1 [S11d]) by half-years: a half is earned when the
      entitlement starts on or before its last day and has not ended before its first day, so
      turning 60 in H1 earns the whole year, in H2 half; dying in H1 earns half, in H2 the whole
      year. H1 pays ``fen // 2`` of the yearly standard in force on 1 January, H2 the rest of the
      standard in force on 1 July;
    - per person per month (特扶): every calendar month the entitlement touches, at the monthly
      standard in force on its first day;
    - per child per year (育儿补贴, §9.1): the yearly standard / 12 × the months under 3 from
      2025-01 (as ``childcare_months``), with ``birth`` the child's birth date;
    - one-off and non-cash programmes are not paid through rolls (0)."""
    last = ends_on or period.end
    if program.period == Period.PERSON_YEAR:
        total = 0
        for half in _halves(period.start, period.end):
            half_end = date(half.year, 6, 30) if half.month == 1 else date(half.year, 12, 31)
            if starts_on <= half_end and last >= half:
                fen = _fen(program, half, grade, table)
                total += fen // 2 if half.month == 1 else fen - fen // 2
        return total
    if program.period == Period.PERSON_MONTH:
        months = _month_starts(max(period.start, starts_on), min(period.end, last))
        return sum(_fen(program, m, grade, table) for m in months)
    if program.period == Period.CHILD_YEAR and birth is not None:
        first = max(date(birth.year, birth.month, 1), CHILDCARE_START, period.start, starts_on)
        third = add_years(birth, CHILDCARE_YEARS)
        stop = min(period.end, last, date(third.year, third.month, 1) - timedelta(days=1))
        months = _month_starts(first, stop) if first <= stop else []
        return sum(_fen(program, m, grade, table) for m in months) // 12
    return 0
