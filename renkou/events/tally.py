"""Keeping the monthly tallies (``Tally``) and the spells (``Spell``) in step with the register
and the events, incrementally: every write recomputes the spells of the persons it touched and
adds the difference to the tallies in the same transaction, so the figures are never stale.

Measures (``Tally.measure``):

- stocks, from spells (sum of rows up to a month = count at its end): ``pop`` population,
  ``pop_id`` of them with a valid resident ID number, ``w15_49`` women aged 15–49 and
  ``w15``, ``w20`` … ``w45`` women in each five-year age group, ``mwcba`` married women aged
  15–49, ``cuser`` of them using a method of contraception;
- flows, from counted events (sum of rows in a period): see ``event_measures``.
"""

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction
from django.db.models import Q

from renkou.events.constants import (
    AGE_GROUPS,
    COUNTED,
    EARLY_MARRIAGE_AGE,
    LATE_MARRIAGE_AGE,
    Kind,
    Measure,
    Scope,
)
from renkou.events.models import Event, Spell, Tally
from renkou.events.periods import month_key, report_deadline, stats_start
from renkou.events.presence import SpellRow, add_years, all_spells
from renkou.people.constants import FEMALE, ID_CARD, MALE
from renkou.people.models import ContraceptionEpisode, IdStatus, Person
from renkou.people.quality import REQUIRED_ITEMS

Key = tuple[str, str, str, int]
_SCOPES = (Scope.REGISTERED, Scope.RESIDENT, Scope.MANAGED)


def _base_month() -> int:
    first = stats_start()
    return first.year * 100 + first.month - 1 if first.month > 1 else (first.year - 1) * 100 + 12


def fold(day: date, base: int) -> int:
    return max(month_key(day), base)


def _interval(counter: Counter, measure: str, scope: str, unit: str, start: date,
              end: date | None, base: int) -> None:  # fmt: skip
    counter[(measure, scope, unit, fold(start, base))] += 1
    if end is not None:
        counter[(measure, scope, unit, fold(end, base))] -= 1


def spell_tally(spells: Iterable[Spell | SpellRow], sex: str, birth: date, flags: tuple[bool, bool],
                base: int) -> Counter:  # fmt: skip
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
        windows = [("w15_49", 15, 50)] + [(f"w{lo}", lo, hi + 1) for lo, hi in AGE_GROUPS]
        for measure, lo, hi in windows:
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


def event_measures(event: Event) -> list[str]:
    """The flow measures one counted event adds to (in each scope, at its place there)."""
    kind = event.kind
    if kind == Kind.BIRTH:
        sex = {MALE: "m", FEMALE: "f"}.get(event.sex, "u")
        parity = min(event.parity or 1, 3)
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
    return counter


def add(counter: Counter) -> None:
    """Add the non-zero deltas to the tallies (one upsert per 500 keys)."""
    rows = [(m, s, u, mo, v) for (m, s, u, mo), v in counter.items() if v]
    table = Tally._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 500):
            chunk = rows[i : i + 500]
            values = ",".join(["(%s,%s,%s,%s,%s)"] * len(chunk))
            # The table name comes from the model and every value is bound.
            sql = (
                f"INSERT INTO {table} (measure, scope, unit_code, month, value) VALUES {values} "  # noqa: S608
                f"ON CONFLICT (measure, scope, month, unit_code) "
                f"DO UPDATE SET value = {table}.value + excluded.value"
            )
            cursor.execute(sql, [x for row in chunk for x in row])


def _events_of(ids: Sequence[int]) -> dict[int, list[Event]]:
    events = (Event.objects.filter(status__in=COUNTED)
              .filter(Q(person_id__in=ids) | Q(child_id__in=ids))
              .exclude(kind=Kind.VOID).order_by("effective_date", "id"))  # fmt: skip
    out: dict[int, list[Event]] = {}
    for event in events:
        out.setdefault(event.person_id, []).append(event)
        if event.child_id and event.child_id != event.person_id:
            out.setdefault(event.child_id, []).append(event)
    return out


def _episodes_of(ids: Sequence[int]) -> dict[int, list[tuple]]:
    rows = ContraceptionEpisode.objects.filter(card__person_id__in=ids).values_list(
        "card__person_id", "method", "start", "end"
    )
    out: dict[int, list[tuple]] = {}
    for pid, method, start, end in rows:
        out.setdefault(pid, []).append((method, start, end))
    return out


REQUIRED = tuple(name for name, _label in REQUIRED_ITEMS)  # the data-quality page's list


def person_flags(person: Person) -> tuple[bool, bool]:
    """(valid resident ID, all required items present) — as data quality counts them."""
    id_ok = (person.id_type == ID_CARD and person.id_status == IdStatus.OK
             and not person.id_override_reason)  # fmt: skip
    return id_ok, all(getattr(person, name) for name in REQUIRED)


def _spell_key(s: Spell | SpellRow) -> tuple:
    return (s.measure, s.scope, s.unit_code, s.start, s.end)


@transaction.atomic
def refresh(person_ids: Iterable[int]) -> int:
    """Recompute the spells of these persons and move the tallies by the difference.
    Returns how many persons changed."""
    ids = sorted({i for i in person_ids if i})
    changed = 0
    base = _base_month()
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        persons = Person.objects.filter(pk__in=chunk)
        events, episodes = _events_of(chunk), _episodes_of(chunk)
        old: dict[int, list[Spell]] = {}
        for spell in Spell.objects.filter(person_id__in=chunk):
            old.setdefault(spell.person_id, []).append(spell)
        counter: Counter = Counter()
        stale: list[int] = []
        fresh: list[Spell] = []
        for person in persons:
            flags = person_flags(person)
            new = all_spells(person, events.get(person.pk, []), episodes.get(person.pk, []))
            before = old.get(person.pk, [])
            same_person = all(s.sex == person.sex and s.birth_date == person.birth_date
                              and (s.id_ok, s.complete) == flags for s in before)  # fmt: skip
            if same_person and sorted(map(_spell_key, before)) == sorted(map(_spell_key, new)):
                continue
            changed += 1
            for s in before:
                counter.subtract(spell_tally([s], s.sex, s.birth_date, (s.id_ok, s.complete),
                                             base))  # fmt: skip
            counter.update(spell_tally(new, person.sex, person.birth_date, flags, base))
            stale.append(person.pk)
            fresh.extend(Spell(person_id=person.pk, sex=person.sex, birth_date=person.birth_date,
                               id_ok=flags[0], complete=flags[1], measure=r.measure, scope=r.scope,
                               unit_code=r.unit_code, start=r.start, end=r.end)
                         for r in new)  # fmt: skip
        if stale:
            Spell.objects.filter(person_id__in=stale).delete()
            Spell.objects.bulk_create(fresh, batch_size=2000)
            add(counter)
    return changed


def record_event(event: Event, sign: int = 1) -> None:
    """Count (+1) or uncount (−1) one event's flows."""
    add(event_tally(event, sign))


@transaction.atomic
def rebuild(progress=None) -> tuple[int, int]:
    """Recompute every spell and tally from the register and the events (after a bulk load;
    the daily work never needs it). Returns (persons, events)."""
    Spell.objects.all().delete()
    Tally.objects.all().delete()
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), 5000):
        refresh(ids[i : i + 5000])
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
    return len(ids), count


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
