"""Keeping the monthly tallies (``Tally``) and the spells (``Spell``) in step with the register
and the events, incrementally: every write recomputes the spells of the persons it touched and
adds the difference to the tallies in the same transaction, so the figures are never stale.

Measures (``Tally.measure``):

- stocks, from spells (sum of rows up to a month = count at its end): ``pop`` population,
  ``pop_id`` of them with a valid resident ID number, ``w15_49`` women aged 15–49 (the
  five-year groups ``w15`` … ``w45`` are counted from the spells when asked, see
  ``selectors.AGE_STOCKS``),
  ``w15``, ``w20`` … ``w45`` women in each five-year age group, ``mwcba`` married women aged
  15–49, ``cuser`` of them using a method of contraception;
- flows, from counted events (sum of rows in a period): see ``event_measures``.
"""

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from renkou.common.periods import month_key, report_deadline, stats_start
from renkou.events.constants import (
    AGE_GROUPS,
    COUNTED,
    EARLY_MARRIAGE_AGE,
    LATE_MARRIAGE_AGE,
    Kind,
    Measure,
    Scope,
)
from renkou.events.models import Checkpoint, Event, Spell, Tally, TallyState
from renkou.events.presence import SpellRow, add_years, all_spells
from renkou.geo.constants import township_of
from renkou.people.constants import FEMALE, ID_CARD, MALE, NO_CONTRACEPTION
from renkou.people.models import ContraceptionEpisode, IdStatus, Person
from renkou.people.quality import REQUIRED_ITEMS

Key = tuple[str, str, str, int]
# Measures read as stocks (sum up to a month) rather than flows (sum over a period).
STOCKS = frozenset(
    {
        Measure.POPULATION,
        Measure.MARRIED_WCBA,
        Measure.CONTRACEPTING,
        Measure.NOT_FERTILE,
        "pop_id",
        "pop_full",
        "w15_49",
    }
)
_SCOPES = (Scope.REGISTERED, Scope.RESIDENT, Scope.MANAGED)


def _base_month() -> int:
    first = stats_start()
    return first.year * 100 + first.month - 1 if first.month > 1 else (first.year - 1) * 100 + 12


def fold(day: date, base: int) -> int:
    return max(month_key(day), base)


def _interval(
    counter: Counter, measure: str, scope: str, unit: str, start: date, end: date | None, base: int
) -> None:
    counter[(measure, scope, unit, fold(start, base))] += 1
    if end is not None:
        counter[(measure, scope, unit, fold(end, base))] -= 1


def spell_tally(
    spells: Iterable[Spell | SpellRow], sex: str, birth: date, flags: tuple[bool, bool], base: int
) -> Counter:
    counter: Counter = Counter()
    id_ok, complete = flags
    for s in spells:
        _interval(counter, s.measure, s.scope, s.unit_code, s.start, s.end, base)
        if s.measure != Measure.POPULATION:
            continue
        if id_ok:
            _interval(counter, "pop_id", s.scope, s.unit_code, s.start, s.end, base)
        if complete:
            _interval(counter, "pop_full", s.scope, s.unit_code, s.start, s.end, base)
        if sex != FEMALE:
            continue
        for measure, lo, hi in (("w15_49", 15, 50),):
            start = max(s.start, add_years(birth, lo))
            end = add_years(birth, hi) if s.end is None else min(s.end, add_years(birth, hi))
            if end > start:
                _interval(counter, measure, s.scope, s.unit_code, start, end, base)
    return counter


def age_group(age: int | None) -> int | None:
    for lo, hi in AGE_GROUPS:
        if age is not None and lo <= age <= hi:
            return lo
    return None


def parity_class(parity: int | None) -> str:
    """The tallies' 孩次 class: ``1``, ``2``, ``3`` (3 and more, 多孩) or ``u`` (不详: never
    counted as a first child)."""
    return "u" if parity is None else str(min(parity, 3))


def event_measures(event: Event) -> list[str]:
    """The flow measures one counted event adds to (in each scope, at its place there)."""
    kind = event.kind
    if kind == Kind.BIRTH:
        sex = {MALE: "m", FEMALE: "f"}.get(event.sex, "u")
        parity = parity_class(event.parity)
        out = ["birth", f"birth_{sex}", f"birth_p{parity}", f"birth_p{parity}_{sex}"]
        if event.policy_attribute == "1":
            out.append("birth_ok")
            out.append(f"birth_p{parity}_ok")
        if event.reported_date <= report_deadline(event.effective_date.replace(day=1)):
            out.append("birth_timely")
        group = age_group(event.subject_age)
        if group is not None:
            out.append(f"birth_a{group}")
        return out
    if kind == Kind.FIRST_MARRIAGE and event.subject_sex == FEMALE:
        out = ["marriage", "fmar_f"]
        age = event.subject_age or 0
        if age >= LATE_MARRIAGE_AGE:
            out.append("fmar_f_late")
        if age <= EARLY_MARRIAGE_AGE:
            out.append("fmar_f_early")
        return out
    if kind in (Kind.FIRST_MARRIAGE, Kind.REMARRIAGE):
        return ["marriage"]
    if kind == Kind.VOID:
        return []
    return [str(kind)]


def event_tally(event: Event, sign: int, base: int | None = None) -> Counter:
    base = _base_month() if base is None else base
    counter: Counter = Counter()
    month = fold(event.effective_date, base)
    for scope in _SCOPES:
        unit = event.place_of(scope)
        if not unit:
            continue
        for measure in event_measures(event):
            counter[(measure, scope, unit, month)] += sign
        if event.kind == Kind.MOVE_WITHIN and event.to_code:
            counter[(WITHIN_IN, scope, event.to_code, month)] += sign
        if event.kind == Kind.BIRTH:
            # The same births by the month they were reported (统计口径 #4: a birth found late
            # counts in the period it is reported; docs/indicators.md §4.3).
            reported = fold(event.reported_date, base)
            for measure in event_measures(event):
                counter[(BY_REPORT + measure, scope, unit, reported)] += sign
    return counter


BY_REPORT = "r"  # prefix of the birth measures counted by report date


def by_report(measure: str) -> str:
    """The measure counted by report date, for a birth measure (others unchanged)."""
    return BY_REPORT + measure if measure.startswith("birth") else measure


# --- the balance (人口变动平衡): 期初 + 变动 = 期末 for every unit, period and scope ----------

WITHIN_IN = "within_in"  # a move within the county, counted where it arrives
WITHIN_OUT = str(Kind.MOVE_WITHIN)  # … and where it leaves (the event's own measure)
OTHER_IN, OTHER_OUT = "o_in", "o_out"  # 其他变动: register changes no counted event explains


def balance_terms(event: Event, scope: str) -> list[tuple[str, str, int]]:
    """How one counted event moves the population of ``scope`` in the balance identity:
    (measure, unit, sign) — the same measures and places ``event_tally`` writes. Flows move
    the resident population (流入 and 流出) and the managed one (流入 only: an outflow is still
    managed here); the registered population not at all."""
    here = event.place_of(scope)
    kind = event.kind
    if kind == Kind.BIRTH:
        return [("birth", here, +1)]
    if kind in (Kind.DEATH, Kind.MOVE_OUT):
        return [(str(kind), here, -1)]
    if kind == Kind.MOVE_IN:
        return [(str(kind), here, +1)]
    if kind == Kind.MOVE_WITHIN:
        return [(WITHIN_OUT, here, -1), (WITHIN_IN, event.to_code, +1)]
    if kind == Kind.FLOW_IN and scope != Scope.REGISTERED:
        return [(str(kind), here, +1)]
    if kind == Kind.FLOW_OUT and scope == Scope.RESIDENT:
        return [(str(kind), here, -1)]
    return []


def other_changes(person: Person, events: Sequence[Event], pop: Sequence[SpellRow], base: int):
    """The other changes (其他变动) of one person: wherever the person's population spells
    start or end in a month and unit without a counted event that says so (a register row
    entered without a birth or move-in event, an exit without a death or move-out event, a
    duplicate removed, a flow between two villages of the county …), one ``o_in`` or
    ``o_out`` row per person and month, so that for every unit, month and scope
    期初 + 出生 − 死亡 + 迁入 − 迁出 (+ 流入 − 流出) + 其他变动 = 期末 holds exactly."""
    net: Counter = Counter()
    days: dict[tuple[str, str, int], date] = {}

    def note(key: tuple[str, str, int], day: date, sign: int) -> None:
        net[key] += sign
        days[key] = min(days.get(key, day), day)

    for s in pop:
        if s.measure != Measure.POPULATION:
            continue
        note((s.scope, s.unit_code, fold(s.start, base)), s.start, +1)
        if s.end is not None:
            note((s.scope, s.unit_code, fold(s.end, base)), s.end, -1)
    for event in events:
        if event.kind == Kind.BIRTH and event.child_id != person.pk:
            continue  # the mother's record of a birth counts the child
        for scope in _SCOPES:
            for _measure, unit, sign in balance_terms(event, scope):
                if unit:
                    note(
                        (scope, unit, fold(event.effective_date, base)), event.effective_date, -sign
                    )
    rows = []
    for key, value in net.items():
        scope, unit, _month = key
        measure = OTHER_IN if value > 0 else OTHER_OUT
        day = days[key]
        rows.extend(SpellRow(measure, scope, unit, day, None) for _ in range(abs(value)))
    return rows


def _upsert(model: Any, key: str, rows: list[tuple]) -> None:
    """Add ``rows`` (measure, scope, unit_code, key, delta) to ``model``'s values."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 500):
            chunk = rows[i : i + 500]
            values = ",".join(["(%s,%s,%s,%s,%s)"] * len(chunk))
            # The table and column names come from the code and every value is bound.
            sql = (
                f"INSERT INTO {table} (measure, scope, unit_code, {key}, value) VALUES {values} "  # noqa: S608
                f"ON CONFLICT (measure, scope, {key}, unit_code) "
                f"DO UPDATE SET value = {table}.value + excluded.value"
            )
            cursor.execute(sql, [x for row in chunk for x in row])


CHECKPOINT_YEARS = 5  # checkpoints are kept for this year and the four before (and next year)


def checkpoint_first() -> int:
    """The first year whose checkpoints writes keep current; older stocks sum the tallies."""
    return timezone.localdate().year - (CHECKPOINT_YEARS - 1)


def horizon() -> int | None:
    """The last year with checkpoints for every key (None before the first write)."""
    return TallyState.objects.values_list("horizon", flat=True).first()


def _extend(target: int) -> int:
    """Carry the checkpoints forward to ``target`` (once a year, on the year's first write);
    build them from the tallies when there are none (after a bulk load)."""
    state = TallyState.objects.select_for_update().first()
    if state is None:
        _build_checkpoints(target)
        TallyState.objects.create(pk=1, horizon=target)
        return target
    if state.horizon >= target:
        return state.horizon
    table = Checkpoint._meta.db_table
    with connection.cursor() as cursor:
        for year in range(state.horizon + 1, target + 1):
            cursor.execute(
                f"INSERT INTO {table} (measure, scope, unit_code, year, value) "  # noqa: S608
                f"SELECT measure, scope, unit_code, %s, value FROM {table} WHERE year = %s",
                [year, year - 1],
            )
    state.horizon = target
    state.save(update_fields=["horizon"])
    return target


ROLLUP = "t."  # measure prefix of the township roll-up rows (unit_code = 9-digit township)


def rolled(measure: str) -> str:
    return ROLLUP + measure


def _with_rollup(counter: Counter) -> list[tuple]:
    """The village rows and the same deltas summed per township (``t.``-prefixed measure,
    9-digit code): county and township figures read the roll-up, about a seventh of the rows."""
    towns: Counter = Counter()
    for (m, s, u, mo), v in counter.items():
        if v and len(u) == 12:
            towns[(rolled(m), s, township_of(u), mo)] += v
    rows = [(m, s, u, mo, v) for (m, s, u, mo), v in counter.items() if v]
    return rows + [(m, s, u, mo, v) for (m, s, u, mo), v in towns.items() if v]


def is_stock_row(measure: str) -> bool:
    return measure.removeprefix(ROLLUP) in STOCKS


def add(counter: Counter) -> None:
    """Add the non-zero deltas to the tallies (villages and their township roll-up), and the
    stock deltas to every checkpoint year from the delta's year to the horizon (next year)."""
    rows = _with_rollup(counter)
    if not rows:
        return
    if getattr(_pending, "rebuilding", False):
        _upsert(Tally, "month", rows)
        return  # bulk loads: the next ordinary write builds the checkpoints from the tallies
    last = _extend(timezone.localdate().year + 1)  # before these rows reach the tallies
    _upsert(Tally, "month", rows)
    first = checkpoint_first()
    points: Counter = Counter()
    for m, s, u, mo, v in rows:
        if is_stock_row(m):
            for year in range(max(mo // 100, first), last + 1):
                points[(m, s, u, year)] += v
    _upsert(Checkpoint, "year", [(m, s, u, y, v) for (m, s, u, y), v in points.items() if v])


def _events_of(ids: Sequence[int]) -> dict[int, list[Event]]:
    events = (
        Event.objects.filter(status__in=COUNTED)
        .filter(Q(person_id__in=ids) | Q(child_id__in=ids))
        .exclude(kind=Kind.VOID)
        .order_by("effective_date", "id")
    )
    out: dict[int, list[Event]] = {}
    for event in events:
        out.setdefault(event.person_id, []).append(event)
        if event.child_id and event.child_id != event.person_id:
            out.setdefault(event.child_id, []).append(event)
    return out


def _episodes_of(ids: Sequence[int]) -> dict[int, list[tuple]]:
    """(method, start, end, 未避孕原因) of each person's episodes; the reason (encrypted) is
    read only for 未避孕 episodes, the few that need it."""
    episodes = ContraceptionEpisode.objects.filter(card__person_id__in=ids)
    rows = episodes.values_list("pk", "card__person_id", "method", "start", "end")
    reasons = dict(episodes.filter(method=NO_CONTRACEPTION).values_list("pk", "no_method_reason"))
    out: dict[int, list[tuple]] = {}
    for pk, pid, method, start, end in rows:
        out.setdefault(pid, []).append((method, start, end, reasons.get(pk, "")))
    return out


REQUIRED = tuple(name for name, _label in REQUIRED_ITEMS)  # the data-quality page's list


def person_flags(person: Person) -> tuple[bool, bool]:
    """(valid resident ID, all required items present) — as data quality counts them."""
    id_ok = (
        person.id_type == ID_CARD
        and person.id_status == IdStatus.OK
        and not person.id_override_reason
    )
    return id_ok, all(getattr(person, name) for name in REQUIRED)


def _spell_key(s: Spell | SpellRow) -> tuple:
    return (s.measure, s.scope, s.unit_code, s.start, s.end)


# The columns a spell needs from a person (no encrypted column: nothing is decrypted here).
PERSON_COLUMNS = (
    "id",
    "sex",
    "birth_date",
    "exited_at",
    "exit_reason",
    "flow",
    "flow_date",
    "registered_code",
    "residence_code",
    "unit_code",
    "marital_status",
    "first_marriage_date",
    "id_type",
    "id_status",
    "id_override_reason",
    *REQUIRED,
)
SPELL_COLUMNS = (
    "person_id",
    "measure",
    "scope",
    "unit_code",
    "start",
    "end",
    "sex",
    "birth_date",
    "id_ok",
    "complete",
)


def _write_spells(rows: list[tuple]) -> None:
    """Insert spell rows (tuples in ``SPELL_COLUMNS`` order) without building model objects."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in SPELL_COLUMNS)
    marks = ", ".join(["%s"] * len(SPELL_COLUMNS))
    sql = f"INSERT INTO {quote(Spell._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i : i + 5000])


@transaction.atomic
def refresh(person_ids: Iterable[int], *, new: bool = False) -> int:
    """Recompute the spells of these persons and move the tallies by the difference.
    ``new``: the persons were just created (no spells to read). Returns how many changed."""
    ids = sorted({i for i in person_ids if i})
    changed = 0
    base = _base_month()
    for i in range(0, len(ids), 2000):
        chunk = ids[i : i + 2000]
        persons = Person.objects.filter(pk__in=chunk).only(*PERSON_COLUMNS)
        events, episodes = _events_of(chunk), _episodes_of(chunk)
        old: dict[int, list[Spell]] = {}
        if not new:
            for spell in Spell.objects.filter(person_id__in=chunk):
                old.setdefault(spell.person_id, []).append(spell)
        counter: Counter = Counter()
        stale: list[int] = []
        fresh: list[tuple] = []
        for person in persons:
            flags = person_flags(person)
            mine = events.get(person.pk, [])
            spells = all_spells(person, mine, episodes.get(person.pk, []))
            spells += other_changes(person, mine, spells, base)
            before = old.get(person.pk, [])
            same_person = all(
                s.sex == person.sex
                and s.birth_date == person.birth_date
                and (s.id_ok, s.complete) == flags
                for s in before
            )
            if same_person and sorted(map(_spell_key, before)) == sorted(map(_spell_key, spells)):
                continue
            changed += 1
            for s in before:
                counter.subtract(spell_tally([s], s.sex, s.birth_date, (s.id_ok, s.complete), base))
            counter.update(spell_tally(spells, person.sex, person.birth_date, flags, base))
            if before:
                stale.append(person.pk)
            fresh.extend(
                (
                    person.pk,
                    r.measure,
                    r.scope,
                    r.unit_code,
                    r.start,
                    r.end,
                    person.sex,
                    person.birth_date,
                    flags[0],
                    flags[1],
                )
                for r in spells
            )
        if stale:
            Spell.objects.filter(person_id__in=stale).delete()
        _write_spells(fresh)
        add(counter)
    return changed


def load_new(person_ids: list[int]) -> None:
    """Spells and tallies of persons just inserted in bulk (demo, import of new persons):
    tallies only; the checkpoints are dropped and rebuilt by the next ordinary write."""
    invalidate_checkpoints()
    _pending.rebuilding = True
    try:
        refresh(person_ids, new=True)
    finally:
        _pending.rebuilding = False


def record_event(event: Event, sign: int = 1) -> None:
    """Count (+1) or uncount (−1) one event's flows."""
    add(event_tally(event, sign))


@transaction.atomic
def rebuild(progress=None) -> tuple[int, int]:
    """Recompute every spell and tally from the register and the events (after a bulk load;
    the daily work never needs it). Returns (persons, events)."""
    Spell.objects.all().delete()
    Tally.objects.all().delete()
    invalidate_checkpoints()
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    _pending.rebuilding = True
    try:
        for i in range(0, len(ids), 5000):
            refresh(ids[i : i + 5000], new=True)
            if progress is not None:
                progress(min(i + 5000, len(ids)), len(ids))
        counter: Counter = Counter()
        base = _base_month()
        events = Event.objects.filter(status__in=COUNTED).exclude(kind=Kind.VOID)
        count = 0
        for event in events.iterator(chunk_size=5000):
            counter.update(event_tally(event, 1, base))
            count += 1
        add(counter)
    finally:
        _pending.rebuilding = False
    _extend(timezone.localdate().year + 1)
    return len(ids), count


def invalidate_checkpoints() -> None:
    """Drop the checkpoints (a bulk load writes tallies only); stocks then sum the tallies
    until the next write builds them again."""
    TallyState.objects.all().delete()
    Checkpoint.objects.all().delete()


def _build_checkpoints(last: int) -> None:
    """Checkpoints from the tallies, for every maintained year up to ``last``."""
    Checkpoint.objects.all().delete()
    tally_table, table = Tally._meta.db_table, Checkpoint._meta.db_table
    measures = sorted(STOCKS | {rolled(m) for m in STOCKS})
    marks = ",".join(["%s"] * len(measures))
    with connection.cursor() as cursor:
        for year in range(checkpoint_first(), last + 1):
            cursor.execute(
                f"INSERT INTO {table} (measure, scope, unit_code, year, value) "  # noqa: S608
                f"SELECT measure, scope, unit_code, %s, SUM(value) FROM {tally_table} "
                f"WHERE month <= %s AND measure IN ({marks}) GROUP BY measure, scope, unit_code",
                [year, year * 100 + 12, *measures],
            )


_pending = threading.local()


@contextmanager
def deferred():
    """Collect the persons touched inside the block and refresh them once at its end (the
    event services change a person several times in one event)."""
    outer = getattr(_pending, "ids", None)
    if outer is not None:
        yield outer
        return
    _pending.ids = ids = set()
    try:
        yield ids
    finally:
        _pending.ids = None
    refresh(ids)


def touch(ids: Iterable[int | None]) -> None:
    """A write changed these persons: refresh now, or at the end of the ``deferred`` block."""
    pending = getattr(_pending, "ids", None)
    clean = [i for i in ids if i]
    if pending is not None:
        pending.update(clean)
    elif clean:
        refresh(clean)
