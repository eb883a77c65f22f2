"""Reads of the “两非” cases, scoped by ``visible_to`` (the one chokepoint, house style rule 4),
and the outcome figures per township beside the sex ratio at birth of ``renkou.reports``.

The figures and the case lists behind them are built from one filter (``Filters``), so a count
and its list cannot disagree (``renkou/cases/tests/test_stats.py``).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from renkou.cases.constants import SUBSTANTIATED, Outcome, Source, Status
from renkou.cases.models import Case, Evidence, Step
from renkou.common.figures import Figure
from renkou.common.periods import Period, fp_year
from renkou.events.constants import Scope
from renkou.geo.constants import COUNTY_LENGTH, TOWNSHIP_LENGTH, Level, full_code
from renkou.geo.models import Unit
from renkou.geo.selectors import unit_names
from renkou.reports import indicators
from renkou.tipoffs.constants import Category
from renkou.tipoffs.models import TipOff

SRB = "sex_ratio_at_birth"
SRB_SCOPE = Scope.REGISTERED  # the dashboard's default scope (户籍人口)


def cases_visible(user: Any) -> QuerySet[Case]:
    rows: QuerySet[Case] = Case.objects.visible_to(user)
    return rows


@dataclass(frozen=True)
class Filters:
    """The list's filters, also the name list behind each figure (``stat_query``)."""

    year: int | None = None  # FP year of opening (domain.md §3)
    unit: str = ""  # a unit's code or prefix (a case is about a township or the county itself)
    status: str = ""
    outcome: str = ""
    source: str = ""
    referred: bool = False
    substantiated: bool = False
    overdue: bool = False
    q: str = ""


def case_list(user: Any, f: Filters, today: date) -> QuerySet[Case]:
    rows = cases_visible(user)
    if f.year is not None:
        period = fp_year(f.year)
        rows = rows.filter(opened_on__gte=period.start, opened_on__lte=period.end)
    if f.unit.isascii() and f.unit.isdigit():
        rows = rows.filter(unit_code__startswith=f.unit)
    if f.status in Status.values:
        rows = rows.filter(status=f.status)
    if f.outcome in Outcome.values:
        rows = rows.filter(outcome=f.outcome)
    if f.source in Source.values:
        rows = rows.filter(source=f.source)
    if f.referred:
        rows = rows.filter(referred_on__isnull=False)
    if f.substantiated:
        rows = rows.filter(outcome__in=SUBSTANTIATED)
    if f.overdue:
        rows = rows.filter(status=Status.OPEN, deadline__lt=today)
    if f.q:
        rows = rows.filter(subject_name__contains=f.q)
    return rows


def steps_of(case: Case) -> list[Step]:
    """The case's steps (the caller already holds the case through the chokepoint)."""
    return list(Step.objects.filter(case=case).select_related("actor"))


def evidence_of(case: Case) -> list[Evidence]:
    return list(Evidence.objects.filter(case=case).select_related("uploaded_by"))


def tipoffs_of(case: Case) -> list[TipOff]:
    """The linked tip-offs: their number only (``year``, ``seq``), never their informant."""
    return list(case.tipoffs.only("pk", "year", "seq").order_by("year", "seq"))


def tipoff_for_opening(user: Any, pk: int | None) -> TipOff | None:
    """The tip-off a case is being opened from: in ``user``'s subtree and handled by ``user``
    (the service checks again); its matter only, nothing of the informant."""
    if pk is None:
        return None
    rows = TipOff.objects.visible_to(user).filter(
        pk=pk, handler_id=user.pk, category=Category.SEX_SELECTION
    )
    return rows.only("pk", "year", "seq", "unit_code", "subject", "place").first()


# --- figures ---------------------------------------------------------------------------------

COUNTS = {
    "opened": Q(),
    "referred": Q(referred_on__isnull=False),
    "substantiated": Q(outcome__in=SUBSTANTIATED),
    "open": Q(status=Status.OPEN),
    "pending": Q(status=Status.REFERRED),
    **{f"source_{s}": Q(source=s) for s in Source.values},
    **{f"outcome_{o}": Q(outcome=o) for o in Outcome.values},
}
# The list filter of each count (the name list behind it).
QUERY: dict[str, dict[str, str]] = {
    "opened": {},
    "referred": {"referred": "1"},
    "substantiated": {"substantiated": "1"},
    "open": {"status": Status.OPEN},
    "pending": {"status": Status.REFERRED},
    **{f"source_{s}": {"source": s} for s in Source.values},
    **{f"outcome_{o}": {"outcome": o} for o in Outcome.values},
}

# The columns of the figures page, in order.
COLUMNS = (
    "opened",
    *(f"source_{s}" for s in Source.values),
    "open",
    "pending",
    *(f"outcome_{o}" for o in Outcome.values),
    "referred",
    "substantiated",
)


@dataclass
class StatRow:
    prefix: str  # the township's 9 digits, or the county's code + 000 for the county itself
    name: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    srb: Figure | None = None

    def query(self, key: str, year: int) -> dict[str, str]:
        unit = {"unit": full_code(self.prefix)} if self.prefix else {}
        return {"year": str(year), **unit, **QUERY[key]}


def _group(unit_code: str) -> str:
    return unit_code[:TOWNSHIP_LENGTH]


def _is_county_itself(prefix: str) -> bool:
    return prefix[COUNTY_LENGTH:] == "000"


def stats(user: Any, year: int) -> tuple[list[StatRow], StatRow, Period]:
    """Per township: cases opened in the FP year ``year``, by source and outcome, referred and
    substantiated, with the township's sex ratio at birth (``reports.indicators``, the one
    definition); and the total. Counts only: no subject, no facts."""
    period = fp_year(year)
    rows = Case.objects.visible_to(user).filter(
        opened_on__gte=period.start, opened_on__lte=period.end
    )
    found: dict[str, StatRow] = {}
    aggregates = {key: Count("id", filter=q) for key, q in COUNTS.items()}
    for r in rows.values("unit_code").annotate(**aggregates):
        row = found.setdefault(_group(r["unit_code"]), StatRow(_group(r["unit_code"])))
        for key in COUNTS:
            row.counts[key] += r[key]
    prefix = getattr(user, "scope_prefix", None) or ""
    townships = _townships(prefix)
    for code in townships:
        found.setdefault(code, StatRow(code))
    names = unit_names(found)
    for row in found.values():
        label = names.get(full_code(row.prefix), row.prefix)
        row.name = f"{label}（县本级）" if _is_county_itself(row.prefix) else label
    srb = sex_ratio(prefix, townships, period)
    for code, row in found.items():
        row.srb = srb.get(code)
    total = StatRow("", "合计", srb=srb.get(prefix) if len(prefix) == COUNTY_LENGTH else None)
    for row in found.values():
        for key in COUNTS:
            total.counts[key] += row.counts[key]
    return sorted(found.values(), key=lambda r: r.prefix), total, period


def _townships(prefix: str) -> list[str]:
    """The current townships of the subtree ``prefix`` (all of them get a row, with or without
    cases, for their sex ratio)."""
    if not prefix:
        return []
    current = Unit.objects.current().filter(level=Level.TOWNSHIP, code__startswith=prefix)
    return sorted(c[:TOWNSHIP_LENGTH] for c in current.values_list("code", flat=True))


def sex_ratio(prefix: str, townships: Iterable[str], period: Period) -> dict[str, Figure]:
    """The sex ratio at birth of each township (and of the county as a whole) over ``period``,
    as ``reports.indicators`` computes it for the dashboard: not computed here a second time."""
    if not prefix:
        return {}
    if len(prefix) == COUNTY_LENGTH:
        found = indicators.evaluate(
            [SRB],
            prefix=prefix,
            period=period,
            scope=SRB_SCOPE,
            group_len=TOWNSHIP_LENGTH,
            groups=list(townships),
            with_total=True,
        )
    else:
        found = indicators.evaluate([SRB], prefix=prefix, period=period, scope=SRB_SCOPE)
    return {group: figures[SRB] for group, figures in found.items()}
