"""Reading the tallies and the name lists behind them (花名册). The indicator definitions in
``renkou.reports`` ask only these functions, so a figure and its drill-down list agree.

A *flow* measure is summed over the months of a period; a *stock* measure is summed over every
month up to the month that ends on the day asked (always a month end).
"""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Substr

from renkou.events.constants import (
    AGE_GROUPS,
    COUNTED,
    EARLY_MARRIAGE_AGE,
    LATE_MARRIAGE_AGE,
    Kind,  # fmt: skip
    Measure,
    Scope,
)
from renkou.events.models import Event, Spell, Tally
from renkou.events.periods import Period, month_key, report_deadline
from renkou.events.presence import add_years
from renkou.geo.scope import prefix_range
from renkou.people.constants import FEMALE, MALE
from renkou.people.models import Person

PLACE_COLUMN = {Scope.REGISTERED: "reg_code", Scope.RESIDENT: "res_code",
                Scope.MANAGED: "man_code"}  # fmt: skip
STOCKS = frozenset({Measure.POPULATION, Measure.MARRIED_WCBA, Measure.CONTRACEPTING, "pop_id",
                    "pop_full", "w15_49", *(f"w{lo}" for lo, _ in AGE_GROUPS)})  # fmt: skip


def sums(*, scope: str, prefix: str, group_len: int, flows: Iterable[str] = (),
         stocks: Iterable[str] = (), period: Period | None = None,
         stock_days: Sequence[date] = ()) -> dict[str, dict[tuple[str, str], int]]:  # fmt: skip
    """One query over the tallies: for each group of units (the first ``group_len`` digits of
    the village code, e.g. 9 = township) under ``prefix``, the flow of each measure over
    ``period`` (key ``(measure, "flow")``) and the stock at the end of each day of
    ``stock_days`` (key ``(measure, day.isoformat())``); every day must be a month end."""
    flows, stocks = list(flows), list(stocks)
    months = [month_key(d) for d in stock_days]
    last = max([*months, period.end_month if period else 0])
    annotations = {}
    if period is not None and flows:
        annotations["flow"] = Sum("value", filter=Q(month__gte=period.start_month,
                                                    month__lte=period.end_month))  # fmt: skip
    for i, month in enumerate(months):
        annotations[f"s{i}"] = Sum("value", filter=Q(month__lte=month))
    rows = (
        Tally.objects.filter(scope=scope, measure__in=flows + stocks, month__lte=last,
                             **prefix_range("unit_code", prefix))
        .annotate(group=Substr("unit_code", 1, group_len))
        .values("group", "measure")
        .annotate(**annotations)
    )  # fmt: skip
    out: dict[str, dict[tuple[str, str], int]] = {}
    flow_set = set(flows)
    for row in rows:
        cell = out.setdefault(row["group"], {})
        measure = row["measure"]
        if measure in flow_set and "flow" in row:
            cell[(measure, "flow")] = row["flow"] or 0
        if measure in stocks:
            for i, day in enumerate(stock_days):
                cell[(measure, day.isoformat())] = row[f"s{i}"] or 0
    return out


# --- name lists -----------------------------------------------------------------------------


def stock_persons(measure: str, *, scope: str, prefix: str, day: date) -> QuerySet[Person]:
    """The persons a stock measure counts in the unit subtree at the end of ``day``."""
    base = Measure.POPULATION if measure not in (Measure.MARRIED_WCBA,
                                                 Measure.CONTRACEPTING) else measure  # fmt: skip
    spells = Spell.objects.filter(measure=base, scope=scope, start__lte=day,
                                  **prefix_range("unit_code", prefix)).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )  # fmt: skip
    if measure == "pop_id":
        spells = spells.filter(id_ok=True)
    elif measure == "pop_full":
        spells = spells.filter(complete=True)
    elif measure.startswith("w"):
        lo, hi = (15, 49) if measure == "w15_49" else _group(int(measure[1:]))
        spells = spells.filter(sex=FEMALE, birth_date__lte=add_years(day, -lo),
                               birth_date__gt=add_years(day, -(hi + 1)))  # fmt: skip
    return Person.objects.filter(pk__in=spells.values("person_id"))


def _group(lo: int) -> tuple[int, int]:
    return next(g for g in AGE_GROUPS if g[0] == lo)


def _kind_filter(measure: str) -> Q:
    if measure.startswith("birth"):
        return Q(kind=Kind.BIRTH)
    if measure == "marriage":
        return Q(kind__in=(Kind.FIRST_MARRIAGE, Kind.REMARRIAGE))
    if measure.startswith("fmar_f"):
        return Q(kind=Kind.FIRST_MARRIAGE, subject_sex=FEMALE)
    return Q(kind=measure)


def _event_matches(measure: str, event: Event) -> bool:
    """The part of a flow measure's definition beyond the kind (``tally.event_measures``)."""
    parts = measure.split("_")
    if measure.startswith("birth"):
        for part in parts[1:]:
            if part in ("m", "f", "u"):
                sex = {MALE: "m", FEMALE: "f"}.get(event.sex, "u")
                if sex != part:
                    return False
            elif part.startswith("p"):
                if min(event.parity or 1, 3) != int(part[1:]):
                    return False
            elif part == "ok":
                if event.policy_attribute != "1":
                    return False
            elif part == "timely":
                due = report_deadline(event.effective_date.replace(day=1))
                if event.reported_date > due:
                    return False
            elif part.startswith("a"):
                lo, hi = _group(int(part[1:]))
                if event.subject_age is None or not lo <= event.subject_age <= hi:
                    return False
        return True
    if measure == "fmar_f_late":
        return (event.subject_age or 0) >= LATE_MARRIAGE_AGE
    if measure == "fmar_f_early":
        return (event.subject_age or 0) <= EARLY_MARRIAGE_AGE
    return True


def flow_events(measure: str, *, scope: str, prefix: str, period: Period) -> list[Event]:
    """The counted events a flow measure counts in the unit subtree during ``period``."""
    column = PLACE_COLUMN[scope]
    events = (
        Event.objects.filter(_kind_filter(measure), status__in=COUNTED,
                             effective_date__gte=period.start, effective_date__lte=period.end,
                             **prefix_range(column, prefix))
        .select_related("person", "child", "partner")
        .order_by("effective_date", "id")
    )  # fmt: skip
    return [e for e in events if _event_matches(measure, e)]


def is_stock(measure: str) -> bool:
    return measure in STOCKS
