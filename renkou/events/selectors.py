"""Reading the tallies and the name lists behind them (花名册). The indicator definitions in
``renkou.reports`` ask only these functions, so a figure and its drill-down list agree.

A *flow* measure is summed over the months of a period; a *stock* measure is summed over every
month up to the month that ends on the day asked (always a month end).
"""

import copy
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from renkou.common.periods import Period, month_key, report_deadline
from renkou.events import tally
from renkou.events.constants import (
    AGE_GROUPS,
    COUNTED,
    EARLY_MARRIAGE_AGE,
    LATE_MARRIAGE_AGE,
    Kind,
    Measure,
    Scope,
)
from renkou.events.models import Checkpoint, Event, Spell, Tally
from renkou.events.presence import add_years
from renkou.geo.scope import prefix_range
from renkou.people.constants import FEMALE, MALE
from renkou.people.models import Person

PLACE_COLUMN = {Scope.REGISTERED: "reg_code", Scope.RESIDENT: "res_code", Scope.MANAGED: "man_code"}
# Women by five-year age group at a day: counted from the spells on demand (only the
# age-specific fertility rates need them, so they do not double the tallies).
AGE_STOCKS = frozenset(f"w{lo}" for lo, _ in AGE_GROUPS)
STOCKS = tally.STOCKS | AGE_STOCKS


READ = object()  # the checkpoint horizon is not known yet: read it


def _stock_plan(stock_days: Sequence[date], horizon: Any = READ) -> list[tuple[int, int | None]]:
    """For each day: (its month, the checkpoint year to start from or None to sum from the
    beginning). ``horizon``: ``tally.horizon()`` if the caller has already read it."""
    last = tally.horizon() if horizon is READ else horizon
    first = tally.checkpoint_first()
    plan = []
    for day in stock_days:
        month = month_key(day)
        year = month // 100 - 1 if last is None else min(month // 100 - 1, last)
        plan.append((month, year if last is not None and year >= first else None))
    return plan


def sums(
    *,
    scope: str,
    prefix: str,
    group_len: int,
    flows: Iterable[str] = (),
    stocks: Iterable[str] = (),
    period: Period | None = None,
    stock_days: Sequence[date] = (),
    also: Sequence[tuple[str, Period, Iterable[str]]] = (),
    horizon: Any = READ,
) -> dict[str, dict[tuple[str, str], int]]:
    """For each group of units (the first ``group_len`` digits of the village code, e.g. 9 =
    township) under ``prefix``: the flow of each measure over ``period`` (key
    ``(measure, "flow")``) and the stock at the end of each day of ``stock_days`` (key
    ``(measure, day.isoformat())``; every day a month end). ``also`` adds flows over other
    periods to the same query: ``(label, period, measures)`` gives keys ``(measure, label)``
    (e.g. the two earlier years of the pooled sex ratio). ``horizon``: the checkpoint horizon
    (``tally.horizon()``) when the caller read it with another query. One query over the
    monthly tallies (the flows and the stock changes since the checkpoint) and the
    checkpoints."""
    flows, stocks = list(flows), list(stocks)
    also = [(label, when, list(measures)) for label, when, measures in also]
    ages = [m for m in stocks if m in AGE_STOCKS]
    stocks = [m for m in stocks if m not in AGE_STOCKS]
    if group_len <= 9 and len(prefix) <= 9:
        # Townships and above: the township roll-up rows answer, named back on the way out.
        out = _sums(
            scope=scope,
            prefix=prefix,
            group_len=group_len,
            flows=[tally.rolled(m) for m in flows],
            stocks=[tally.rolled(m) for m in stocks],
            period=period,
            stock_days=stock_days,
            horizon=horizon,
            also=[
                (label, when, [tally.rolled(m) for m in measures]) for label, when, measures in also
            ],
        )
        out = {
            g: {(m.removeprefix(tally.ROLLUP), k): v for (m, k), v in cell.items()}
            for g, cell in out.items()
        }
    else:
        out = _sums(
            scope=scope,
            prefix=prefix,
            group_len=group_len,
            flows=flows,
            stocks=stocks,
            period=period,
            stock_days=stock_days,
            also=also,
            horizon=horizon,
        )
    if ages:
        _age_stocks(
            out, ages, scope=scope, prefix=prefix, group_len=group_len, stock_days=stock_days
        )
    return out


def _sums(
    *,
    scope: str,
    prefix: str,
    group_len: int,
    flows: list[str],
    stocks: list[str],
    period: Period | None,
    stock_days: Sequence[date],
    also: Sequence[tuple[str, Period, list[str]]] = (),
    horizon: Any = READ,
) -> dict:
    plan = _stock_plan(stock_days, horizon) if stocks else []
    out: dict[str, dict[tuple[str, str], int]] = {}
    rows = _tally_rows(
        scope=scope,
        prefix=prefix,
        group_len=group_len,
        flows=flows,
        stocks=stocks,
        period=period,
        plan=plan,
        also=also,
    )
    flow_set, stock_set = set(flows), set(stocks)
    day_keys = [day.isoformat() for day in stock_days]
    also_of: dict[str, list[tuple[int, str]]] = {}  # measure → its (column, label) in ``also``
    for i, (label, _when, measures) in enumerate(also):
        for measure in measures:
            also_of.setdefault(measure, []).append((len(plan) + i, label))
    for group, measure, from_checkpoint, flow, *rest in rows:
        cell = out.setdefault(group, {})
        if from_checkpoint or measure in stock_set:
            # A checkpoint row, or the stock's change since it: both add up at each stock day.
            for i, key in enumerate(day_keys):
                cell[(measure, key)] = cell.get((measure, key), 0) + (rest[i] or 0)
            if from_checkpoint:
                continue
        if measure in flow_set and period is not None:
            cell[(measure, "flow")] = flow or 0
        for column, label in also_of.get(measure, ()):
            cell[(measure, label)] = rest[column] or 0
    return out


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _tally_rows(
    *,
    scope: str,
    prefix: str,
    group_len: int,
    flows: list[str],
    stocks: list[str],
    period: Period | None,
    plan: list[tuple[int, int | None]],
    also: Sequence[tuple[str, Period, list[str]]],
) -> list[tuple]:
    """One query over the monthly tallies, grouped by unit group and measure: the flow over
    ``period``, the stock change up to each day of ``plan`` since its checkpoint, and each
    flow of ``also``; then (third column 1) the yearly checkpoints the stock days start from.
    Written as SQL: the ORM took longer to build the query than the database to run it
    (issue 4 item 7). Rows netting to zero (a voided event, a corrected spell) are left out, so
    a unit appears in a breakdown only while something is counted there: no trace of a void."""
    columns, column_params, wanted, wanted_params = [], [], [], []
    in_period = "month >= %s AND month <= %s"
    if period is not None and flows:
        columns.append(f"SUM(CASE WHEN {in_period} THEN value END)")
        column_params += [period.start_month, period.end_month]
        wanted.append(f"(measure IN ({_marks(flows)}) AND {in_period})")
        wanted_params += [*flows, period.start_month, period.end_month]
    else:
        columns.append("NULL")
    for month, year in plan:
        since = "month <= %s" + (" AND month > %s" if year is not None else "")
        bounds = [month] + ([year * 100 + 12] if year is not None else [])
        columns.append(f"SUM(CASE WHEN {since} THEN value END)")
        column_params += bounds
        wanted.append(f"(measure IN ({_marks(stocks)}) AND {since})")
        wanted_params += [*stocks, *bounds]
    for _label, when, measures in also:
        chosen = f"measure IN ({_marks(measures)}) AND {in_period}"
        columns.append(f"SUM(CASE WHEN {chosen} THEN value END)")
        column_params += [*measures, when.start_month, when.end_month]
        wanted.append(f"({chosen})")
        wanted_params += [*measures, when.start_month, when.end_month]
    if not wanted:
        return []
    where = prefix_range("unit_code", prefix)
    if "unit_code__gte" in where:
        place, place_params = (
            "unit_code >= %s AND unit_code < %s",
            [where["unit_code__gte"], where["unit_code__lt"]],
        )
    else:
        place, place_params = "substr(unit_code, 1, %s) = %s", [len(prefix), prefix]
    sql = (
        f"SELECT substr(unit_code, 1, %s), measure, 0, {', '.join(columns)} "  # noqa: S608
        f"FROM {Tally._meta.db_table} WHERE scope = %s AND {place} AND value <> 0 "
        f"AND ({' OR '.join(wanted)}) GROUP BY 1, 2"
    )
    params = [group_len, *column_params, scope, *place_params, *wanted_params]
    years = sorted({year for _month, year in plan if year is not None})
    if years:
        points = [
            ("SUM(CASE WHEN year = %s THEN value END)" if year is not None else "NULL")
            for _month, year in plan
        ]
        blanks = ", NULL" * len(also)
        sql += (
            f" UNION ALL SELECT substr(unit_code, 1, %s), measure, 1, NULL, "  # noqa: S608
            f"{', '.join(points)}{blanks} FROM {Checkpoint._meta.db_table} "
            f"WHERE scope = %s AND {place} AND value <> 0 AND measure IN ({_marks(stocks)}) "
            f"AND year IN ({_marks(years)}) GROUP BY 1, 2"
        )
        params += [
            group_len,
            *(year for _month, year in plan if year is not None),
            scope,
            *place_params,
            *stocks,
            *years,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _age_stocks(
    out: dict,
    measures: list[str],
    *,
    scope: str,
    prefix: str,
    group_len: int,
    stock_days: Sequence[date],
) -> None:
    """Women in five-year age groups at each day, from the population spells (one query)."""
    counts = {}
    for measure in measures:
        lo, hi = _group(int(measure[1:]))
        for i, day in enumerate(stock_days):
            in_group = Q(
                birth_date__lte=latest_birth(day, lo), birth_date__gt=latest_birth(day, hi + 1)
            )
            counts[f"{measure}_{i}"] = Count("id", filter=_covering(day) & in_group)
    rows = (
        Spell.objects.filter(
            measure=Measure.POPULATION, scope=scope, sex=FEMALE, **prefix_range("unit_code", prefix)
        )
        .annotate(group=Substr("unit_code", 1, group_len))
        .values("group")
        .annotate(**counts)
    )
    for row in rows:
        cell = out.setdefault(row["group"], {})
        for measure in measures:
            for i, day in enumerate(stock_days):
                cell[(measure, day.isoformat())] = row[f"{measure}_{i}"]


def _covering(day: date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gt=day))


# --- name lists -----------------------------------------------------------------------------


def stock_persons(measure: str, *, scope: str, prefix: str, day: date) -> QuerySet[Person]:
    """The persons a stock measure counts in the unit subtree at the end of ``day``."""
    base = (
        Measure.POPULATION
        if measure not in (Measure.MARRIED_WCBA, Measure.CONTRACEPTING, Measure.NOT_FERTILE)
        else measure
    )
    spells = Spell.objects.filter(
        measure=base, scope=scope, start__lte=day, **prefix_range("unit_code", prefix)
    ).filter(Q(end__isnull=True) | Q(end__gt=day))
    if measure == "pop_id":
        spells = spells.filter(id_ok=True)
    elif measure == "pop_full":
        spells = spells.filter(complete=True)
    elif measure.startswith("w"):
        lo, hi = (15, 49) if measure == "w15_49" else _group(int(measure[1:]))
        spells = spells.filter(
            sex=FEMALE,
            birth_date__lte=latest_birth(day, lo),
            birth_date__gt=latest_birth(day, hi + 1),
        )
    return Person.objects.filter(pk__in=spells.values("person_id"))


def latest_birth(day: date, years: int) -> date:
    """The last birth date of a person who is ``years`` old at the end of ``day``, counting
    as the tallies do (``add_years(birth, years) <= day``, a 29 February birthday falling on
    28 February): one day before the first birth date still too young."""
    too_young = add_years(day + timedelta(days=1), -years)
    return too_young - timedelta(days=1)


def _group(lo: int) -> tuple[int, int]:
    return next(g for g in AGE_GROUPS if g[0] == lo)


def _kind_filter(measure: str) -> Q:
    if measure == tally.WITHIN_IN:
        return Q(kind=Kind.MOVE_WITHIN)
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
                if tally.parity_class(event.parity) != part[1:]:
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
    """The counted events a flow measure counts in the unit subtree during ``period`` (a birth
    measure counted by report date, ``rbirth…``: the births reported in the period)."""
    day = "effective_date"
    if measure.startswith(tally.BY_REPORT + "birth"):
        measure, day = measure.removeprefix(tally.BY_REPORT), "reported_date"
    column = "to_code" if measure == tally.WITHIN_IN else PLACE_COLUMN[scope]
    events = (
        Event.objects.filter(
            _kind_filter(measure),
            status__in=COUNTED,
            **{f"{day}__gte": period.start, f"{day}__lte": period.end},
            **prefix_range(column, prefix),
        )
        .select_related("person", "child", "partner")
        .order_by("effective_date", "id")
    )
    return [e for e in events if _event_matches(measure, e)]


OTHER = frozenset({tally.OTHER_IN, tally.OTHER_OUT})


def other_persons(measure: str, *, scope: str, prefix: str, period: Period) -> list[Person]:
    """The persons behind the other changes (其他变动) of the unit subtree in ``period``: one
    row per change (``o_in`` or ``o_out`` spell row), so the list gives back the figure; each
    person carries ``change_day`` and ``change_place``."""
    rows = list(
        Spell.objects.filter(
            measure=measure,
            scope=scope,
            start__gte=period.start,
            start__lte=period.end,
            **prefix_range("unit_code", prefix),
        )
        .order_by("start", "person_id")
        .values_list("person_id", "start", "unit_code")
    )
    persons = Person.objects.in_bulk({pk for pk, _day, _unit in rows})
    out = []
    for pk, day, unit in rows:
        person = copy.copy(persons[pk])
        person.change_day, person.change_place = day, unit  # type: ignore[attr-defined]  # display values for the name list
        out.append(person)
    return out


def is_stock(measure: str) -> bool:
    return measure in STOCKS


# --- submitted monthly reports and what came after them (补报) -------------------------------


def month_events(user: Any, prefix: str, period: Period) -> QuerySet[Event]:
    """Change events of the month recorded in the unit subtree ``prefix``, current or voided
    (a voided one may belong to a submitted report); void markers are not events of the month."""
    return (
        Event.objects.visible_to(user)
        .filter(
            effective_date__range=(period.start, period.end), **prefix_range("unit_code", prefix)
        )
        .exclude(kind=Kind.VOID)
    )


def report_changes(
    user: Any, prefix: str, period: Period, reports: dict[str, Any]
) -> dict[str, tuple[int, int]]:
    """For each submitted report (village code → report) whose month changed after submission:
    (events recorded after it, 补报; events of it voided since)."""
    late: dict[str, int] = {}
    voided: dict[str, int] = {}
    held = {code: set(report.event_ids) for code, report in reports.items()}
    rows = month_events(user, prefix, period).filter(unit_code__in=list(held))
    for pk, unit, status in rows.values_list("pk", "unit_code", "status"):
        if status in COUNTED and pk not in held[unit]:
            late[unit] = late.get(unit, 0) + 1
        elif status not in COUNTED and pk in held[unit]:
            voided[unit] = voided.get(unit, 0) + 1
    return {code: (late.get(code, 0), voided.get(code, 0)) for code in {*late, *voided}}
