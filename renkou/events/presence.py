"""Where a person counts, and since when: the intervals (spells) of presence in each population
scope, of being a married woman of childbearing age, and of using contraception, derived from
the register row and the person's change events (domain.md §2.4, issue "Periods").

A spell ``[start, end)`` means present at the end of every day d with start <= d < end.
Population of a unit at the end of a day = persons with a population spell of the scope in the
unit's subtree covering that day: born on or before it, not dead, not moved or flowed out, and
not yet moved in after it.

Rules per event kind and scope (R registered 户籍, S resident 常住, M managed 管理):

==============  =====================  =====================  =====================
event           R                      S                      M
==============  =====================  =====================  =====================
birth (child)   starts                 starts                 starts
death           ends                   ends                   ends
move_in         starts (to)            starts or moves (to)   starts or moves (to)
move_out        ends                   ends                   ends
move_within     moves (from → to)      moves                  moves
flow_in         —                      starts or moves (to)   starts or moves (to)
flow_out        —                      ends                   — (still managed here)
==============  =====================  =====================  =====================

A person present before their first event counts from birth at the place that event left.
Register rows with no events (a loaded or imported population) count from birth at their
current places; an inflow (流入) row without a flow-in event counts as resident and managed
from its flow date, an outflow (流出) row stops being resident on its flow date. A person who
left the register as a duplicate or error (退出原因 4) never counts; any other register exit
ends every spell on the exit date.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from renkou.events.constants import NOT_FERTILE_REASONS, Kind, Measure, Scope
from renkou.people.constants import FEMALE, MARRIED_CODES, NO_CONTRACEPTION, WCBA_AGES

ERROR_EXIT = "4"
LEGAL_MARRIAGE_AGE = 20

START, MOVE, END = "start", "move", "end"
_ALL = (Scope.REGISTERED, Scope.RESIDENT, Scope.MANAGED)
OPS: dict[str, dict[str, str]] = {
    Kind.BIRTH: dict.fromkeys(_ALL, START),
    Kind.DEATH: dict.fromkeys(_ALL, END),
    Kind.MOVE_IN: dict.fromkeys(_ALL, START),
    Kind.MOVE_OUT: dict.fromkeys(_ALL, END),
    Kind.MOVE_WITHIN: dict.fromkeys(_ALL, MOVE),
    Kind.FLOW_IN: {Scope.RESIDENT: START, Scope.MANAGED: START},
    Kind.FLOW_OUT: {Scope.RESIDENT: END},
}
_FIELD = {
    Scope.REGISTERED: "registered_code",
    Scope.RESIDENT: "residence_code",
    Scope.MANAGED: "unit_code",
}


@dataclass(frozen=True, order=True)
class SpellRow:
    measure: str
    scope: str
    unit_code: str
    start: date
    end: date | None


@dataclass(frozen=True)
class _Op:
    day: date
    op: str
    before: str  # the place just before (MOVE, END)
    after: str  # the place just after (START, MOVE)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _ops(person, events: Sequence, scope: str) -> list[_Op]:
    ops = []
    kinds = set()
    for event in events:
        if event.kind == Kind.BIRTH and event.child_id != person.pk:
            continue  # the mother's record of a birth moves nobody
        op = OPS.get(event.kind, {}).get(scope)
        if op is None:
            continue
        kinds.add(event.kind)
        here = event.place_of(scope)
        after = here if event.kind == Kind.BIRTH else (event.to_code or here)
        ops.append(_Op(event.effective_date, op, here, after))
    flow_day = person.flow_date or person.birth_date
    if scope == Scope.RESIDENT and person.flow == "out" and Kind.FLOW_OUT not in kinds:
        ops.append(_Op(flow_day, END, getattr(person, _FIELD[scope]), ""))
    if scope != Scope.REGISTERED and person.flow == "in" and Kind.FLOW_IN not in kinds:
        place = getattr(person, _FIELD[scope])
        ops.append(_Op(flow_day, START, "", place))
    ops.sort(key=lambda o: o.day)
    return ops


def population_spells(person, events: Sequence) -> list[SpellRow]:
    """The population spells of one person in every scope. ``events``: the person's counted
    events (as subject or as the born child), in the order they happened."""
    if person.exited_at is not None and person.exit_reason == ERROR_EXIT:
        return []
    rows: list[SpellRow] = []
    for scope in _ALL:
        ops = _ops(person, events, scope)
        if not ops:
            place = getattr(person, _FIELD[scope])
        else:
            place = "" if ops[0].op == START else ops[0].before
        since = person.birth_date
        for op in ops:
            day = max(op.day, person.birth_date)
            if place:
                rows.append(SpellRow(Measure.POPULATION, scope, place, since, day))
            place = "" if op.op == END else op.after
            since = day
        if place:
            rows.append(SpellRow(Measure.POPULATION, scope, place, since, person.exited_at))
    return [r for r in rows if r.end is None or r.end > r.start]


def married_intervals(person, events: Sequence) -> list[tuple[date, date | None]]:
    """When the person was married, from marriage, divorce and widowhood events; before the
    first such event the register's status and first-marriage date decide."""
    marital = [
        e
        for e in events
        if e.kind in (Kind.FIRST_MARRIAGE, Kind.REMARRIAGE, Kind.DIVORCE, Kind.WIDOWHOOD)
    ]
    assumed = person.first_marriage_date or add_years(person.birth_date, LEGAL_MARRIAGE_AGE)
    if marital:
        first_is_marriage = marital[0].kind in (Kind.FIRST_MARRIAGE, Kind.REMARRIAGE)
        since = None if first_is_marriage else min(assumed, marital[0].effective_date)
    else:
        since = assumed if person.marital_status in MARRIED_CODES else None
    out = []
    for event in marital:
        if event.kind in (Kind.FIRST_MARRIAGE, Kind.REMARRIAGE):
            since = since or event.effective_date
        elif since is not None:
            out.append((since, event.effective_date))
            since = None
    if since is not None:
        out.append((since, None))
    return out


def merge_intervals(intervals: Iterable[tuple[date, date | None]]):
    """Overlapping or touching intervals joined, so a woman never counts twice."""
    out: list[tuple[date, date | None]] = []
    for start, end in sorted(intervals, key=lambda i: i[0]):
        if end is not None and end <= start:
            continue
        if out and (out[-1][1] is None or start <= out[-1][1]):
            last_start, last_end = out[-1]
            joined = None if last_end is None or end is None else max(last_end, end)
            out[-1] = (last_start, joined)
        else:
            out.append((start, end))
    return out


def _clip(a: tuple[date, date | None], b: tuple[date, date | None]):
    start = max(a[0], b[0])
    ends = [x for x in (a[1], b[1]) if x is not None]
    end = min(ends) if ends else None
    if end is not None and end <= start:
        return None
    return start, end


def derived_spells(
    person, pop: Iterable[SpellRow], events: Sequence, episodes: Sequence
) -> list[SpellRow]:
    """Married-WCBA and contraception spells of a woman, clipped to her population spells, and
    the spells in which she is a married WCBA without the possibility of childbearing (未避孕
    for 不孕 or 绝经, no method in use). ``episodes``: (method, start, end) or (method, start,
    end, 未避孕原因) of her card's contraception episodes."""
    if person.sex != FEMALE:
        return []
    low, high = WCBA_AGES
    age = (add_years(person.birth_date, low), add_years(person.birth_date, high + 1))
    married = married_intervals(person, events)
    using = merge_intervals((e[1], e[2]) for e in episodes if e[0] and e[0] != NO_CONTRACEPTION)
    barred = merge_intervals(
        (e[1], e[2])
        for e in episodes
        if e[0] == NO_CONTRACEPTION and len(e) > 3 and e[3] in NOT_FERTILE_REASONS
    )
    rows = []
    for spell in pop:
        in_age = _clip((spell.start, spell.end), age)
        if in_age is None:
            continue
        for interval in married:
            both = _clip(in_age, interval)
            if both is None:
                continue
            rows.append(SpellRow(Measure.MARRIED_WCBA, spell.scope, spell.unit_code, *both))
            for use in using:
                part = _clip(both, use)
                if part is not None:
                    rows.append(
                        SpellRow(Measure.CONTRACEPTING, spell.scope, spell.unit_code, *part)
                    )
            for bar in barred:
                part = _clip(both, bar)
                for free in _minus(part, using) if part is not None else ():
                    rows.append(SpellRow(Measure.NOT_FERTILE, spell.scope, spell.unit_code, *free))
    return rows


def _minus(
    interval: tuple[date, date | None], taken: Sequence[tuple[date, date | None]]
) -> list[tuple[date, date | None]]:
    """The parts of ``interval`` outside the (merged, sorted) intervals ``taken``."""
    out: list[tuple[date, date | None]] = []
    start, end = interval
    for t_start, t_end in taken:
        if end is not None and t_start >= end:
            break
        if t_end is not None and t_end <= start:
            continue
        if t_start > start:
            out.append((start, t_start))
        if t_end is None:
            return out
        start = max(start, t_end)
        if end is not None and start >= end:
            return out
    out.append((start, end))
    return out


def all_spells(person, events: Sequence, episodes: Sequence) -> list[SpellRow]:
    pop = population_spells(person, events)
    return sorted(pop + derived_spells(person, pop, events, episodes))
