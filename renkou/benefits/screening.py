"""The 全覆盖 list kept current (issue 11 item 3), the way the tallies are kept (ADR 0002).

Screening the demo county from the register takes about half a minute (every person over 40,
their couples' cards, the rules), far too long for a page. So every person inside a screened
programme's age window has one ``Screening`` row per programme: the verdict of the rule in
force, the fact values it read (its trace, each condition with the fact's value and outcome,
is replayed from them when shown) and the first day on
which the calendar alone may change it (``valid_until``: a birthday, a child's recorded birth or
death date, a recorded exit; ``facts.changes_on``). The rows change

- in the same transaction as a register write that changes a fact (``receivers``: a person, the
  couple's card and its children, bulk loads), for the persons touched and their spouses;
- by the daily refresh (``refresh``) for rows whose ``valid_until`` came, people who entered an
  age window since the last run (turned 40 or 60), and rule versions coming into force;
- from scratch by ``rebuild`` (``manage.py screen_benefits --rebuild``); a test checks that a
  rebuild gives the same rows as the incremental path.

Applications and entitlements are not part of a row: the list leaves out, when it is read, the
people with an open or approved application or an entitlement in force, so filing one takes a
person off the list at once.
"""

import time
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from renkou.benefits import amounts, eligibility
from renkou.benefits.constants import OPEN, Status
from renkou.benefits.facts import changes_on
from renkou.benefits.models import (
    Application,
    Beneficiary,
    Program,
    RuleVersion,
    Screening,
    ScreeningRun,
)
from renkou.common import rules
from renkou.geo.scope import prefix_range
from renkou.people.models import Person, WomanCard

BATCH = 2000
SCREENED = eligibility.SCREENED
LISTED = (Screening.Verdict.PASS, Screening.Verdict.UNKNOWN)


def _in_force(today: date) -> list[tuple[Program, RuleVersion]]:
    """The screened programmes with the rule version each has in force today (two queries)."""
    programs = list(Program.objects.filter(is_active=True, code__in=SCREENED).order_by("sort"))
    versions = RuleVersion.objects.filter(
        program__in=programs, state=RuleVersion.State.ACTIVE, effective_from__lte=today
    ).order_by("program_id", "-effective_from", "-number")
    latest: dict[int, RuleVersion] = {}
    for version in versions:
        latest.setdefault(version.program_id, version)
    return [(p, latest[p.pk]) for p in programs if p.pk in latest]


def _rows(
    program: Program, version: RuleVersion, people: list[Person], today: date, children: Any
) -> list[Screening]:
    names = rules.fact_names(version.conditions)
    ages = SCREENED[program.code]
    out = []
    for person, case, result in eligibility.evaluate_people(
        program, version, people, today, children
    ):
        until = changes_on(case, names)
        leaves = ages[1] is not None and amounts.add_years(person.birth_date, ages[1])
        if leaves and (until is None or leaves < until):
            until = leaves  # out of the window (the childcare subsidy's third birthday)
        out.append(
            Screening(
                person=person,
                program=program,
                unit_code=person.unit_code,
                verdict=result.verdict,
                version=version,
                inputs=result.inputs if result.verdict != rules.FAIL else {},
                as_of=today,
                valid_until=until,
            )
        )
    return out


def _chunk(ids: list[int], today: date, programs: list[tuple[Program, RuleVersion]]) -> None:
    Screening.objects.filter(person_id__in=ids).delete()
    people = list(
        Person.objects.filter(pk__in=ids, exited_at__isnull=True).select_related("spouse")
    )
    if not people or not programs:
        return
    children = eligibility.children_by_woman(people)
    rows: list[Screening] = []
    for program, version in programs:
        ages = SCREENED[program.code]
        inside = [p for p in people if eligibility.window_holds(p, today, ages)]
        rows += _rows(program, version, inside, today, children)
    Screening.objects.bulk_create(rows, batch_size=500)


@transaction.atomic
def rescreen(person_ids: Iterable[int | None], today: date | None = None) -> int:
    """Screen these persons again on ``today`` (every screened programme); returns how many."""
    today = today or timezone.localdate()
    ids = sorted({i for i in person_ids if i})
    programs = _in_force(today)
    for start in range(0, len(ids), BATCH):
        _chunk(ids[start : start + BATCH], today, programs)
    return len(ids)


def with_spouses(person_ids: Iterable[int | None]) -> set[int]:
    """The persons and their spouses (either side of the link): a couple's case reads both."""
    ids = {i for i in person_ids if i}
    if not ids:
        return ids
    found = set(ids)
    for start in range(0, len(ids), BATCH):
        part = sorted(ids)[start : start + BATCH]
        pairs = Person.objects.filter(Q(pk__in=part) | Q(spouse_id__in=part)).values_list(
            "pk", "spouse_id"
        )
        for pk, spouse in pairs:
            found.add(pk)
            if spouse:
                found.add(spouse)
    return found


def persons_changed(person_ids: Iterable[int | None]) -> int:
    """A register write changed these persons: they and their spouses are screened again now,
    in the caller's transaction."""
    return rescreen(with_spouses(person_ids))


def cards_changed(card_ids: Iterable[int | None]) -> int:
    """The children of these cards changed: the women and their husbands are screened again."""
    ids = [i for i in card_ids if i]
    women = WomanCard.objects.filter(pk__in=ids).values_list("person_id", flat=True)
    return persons_changed(list(women))


def _window(ages: tuple[int | None, int | None], today: date) -> Q:
    """Inside one programme's age window on ``today`` (as ``eligibility.in_window``)."""
    low, under = ages
    part = Q()
    if low is not None:
        part &= Q(birth_date__lte=amounts.add_years(today, -low))
    if under is not None:
        part &= Q(birth_date__gt=amounts.add_years(today, -under))
    return part


def _window_q(today: date, codes: Iterable[str] = tuple(SCREENED)) -> Q:
    """Inside the age window of one of the programmes ``codes`` on ``today``."""
    q = Q(pk__in=[])
    for code in codes:
        q |= _window(SCREENED[code], today)
    return q


def _logged(trigger: str, prefix: str, today: date, work: Any) -> ScreeningRun:
    started = time.monotonic()
    run = ScreeningRun.objects.create(day=today, trigger=trigger, prefix=prefix)
    run.persons = work()
    run.seconds = round(time.monotonic() - started, 2)
    run.save(update_fields=["persons", "seconds"])
    return run


@transaction.atomic
def rebuild(prefix: str = "", today: date | None = None) -> ScreeningRun:
    """Every row of the unit subtree ``prefix`` from scratch, in one transaction (the list never
    shows a half-built state)."""
    today = today or timezone.localdate()

    def work() -> int:
        Screening.objects.filter(**prefix_range("unit_code", prefix)).delete()
        ids = Person.objects.filter(
            _window_q(today), exited_at__isnull=True, **prefix_range("unit_code", prefix)
        ).values_list("pk", flat=True)
        return rescreen(list(ids), today)

    return _logged(ScreeningRun.Trigger.REBUILD, prefix, today, work)


def _entered(since: date, today: date) -> set[int]:
    """Persons who crossed a programme's lower age since ``since`` (turned 40, 60 …)."""
    q = Q(pk__in=[])
    for low, _under in SCREENED.values():
        if low is not None:
            add = amounts.add_years
            q |= Q(birth_date__gt=add(since, -low), birth_date__lte=add(today, -low))
    return set(Person.objects.filter(q, exited_at__isnull=True).values_list("pk", flat=True))


def _new_versions(since: date, today: date) -> set[int]:
    """Everyone in the window of a programme whose rule in force changed since ``since``."""
    before = {p.pk: v.pk for p, v in _in_force(since)}
    now = {p.pk: v.pk for p, v in _in_force(today)}
    changed = [pk for pk in {*before, *now} if before.get(pk) != now.get(pk)]
    if not changed:
        return set()
    codes = Program.objects.filter(pk__in=changed, code__in=SCREENED).values_list("code", flat=True)
    rows = Person.objects.filter(_window_q(today, codes), exited_at__isnull=True)
    old = Screening.objects.filter(program_id__in=changed).values_list("person_id", flat=True)
    return set(rows.values_list("pk", flat=True)) | set(old)


def last_day() -> date | None:
    """The day of the last finished refresh or rebuild of a whole county (or of everything)."""
    whole = Q(prefix="") | Q(prefix__regex=r"^\d{6}$")
    run = (
        ScreeningRun.objects.filter(whole, seconds__isnull=False)
        .order_by("-day", "-started_at")
        .first()
    )
    return run.day if run is not None else None


def refresh(today: date | None = None, *, run: ScreeningRun | None = None) -> ScreeningRun:
    """The daily catch-up: rows the calendar changed, people who entered an age window and
    rule versions that came into force since the last run; a rebuild when none ran yet."""
    today = today or timezone.localdate()
    since = last_day()
    if since is None:
        built = rebuild("", today)
        if run is None:
            return built
        run.persons, run.seconds = built.persons, built.seconds
        run.save()
        return run
    started = time.monotonic()
    with transaction.atomic():
        due = Screening.objects.filter(valid_until__lte=today).values_list("person_id", flat=True)
        ids = set(due) | _entered(since, today) | _new_versions(since, today)
        count = rescreen(ids, today)
    run = run or ScreeningRun(day=today, trigger=ScreeningRun.Trigger.DAILY)
    run.persons, run.seconds = count, round(time.monotonic() - started, 2)
    run.save()
    return run


def program_changed(program: Program, today: date | None = None) -> int:
    """A rule version of ``program`` came into force: everyone in its window again."""
    today = today or timezone.localdate()
    if program.code not in SCREENED:
        return 0
    rows = Person.objects.filter(_window_q(today, [program.code]), exited_at__isnull=True)
    old = Screening.objects.filter(program=program).values_list("person_id", flat=True)
    return rescreen({*rows.values_list("pk", flat=True), *old}, today)


# --- reading ------------------------------------------------------------------------------


def waiting(rows: QuerySet[Screening]) -> QuerySet[Screening]:
    """Rows of people with no open or approved application and no entitlement in force for
    the programme (the 全覆盖 list's "no application yet")."""
    applied = Application.objects.filter(
        person_id=OuterRef("person_id"),
        program_id=OuterRef("program_id"),
        status__in=[*OPEN, Status.APPROVED],
    )
    held = Beneficiary.objects.filter(
        person_id=OuterRef("person_id"), program_id=OuterRef("program_id"), status="active"
    )
    return rows.filter(~Exists(applied), ~Exists(held))


def stale_since(today: date) -> date | None:
    """The day the table was last brought up to date when that is before ``today`` (the daily
    refresh has not run today), else None."""
    since = last_day()
    return since if since is not None and since < today else None


def rows_in(prefix: str) -> QuerySet[Screening]:
    """Listed rows (pass or 待核实, no application) of the unit subtree ``prefix``, unscoped:
    callers scope (``selectors.screening``) or pass a prefix inside the caller's subtree."""
    rows = Screening.objects.filter(verdict__in=LISTED, **prefix_range("unit_code", prefix))
    return waiting(rows)
