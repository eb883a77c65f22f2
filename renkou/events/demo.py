"""Demo change events for the synthetic county (``manage.py seed_demo_events``).

The demo register (``renkou.people.demo``) already holds the children born in the last years,
the marriages and the floating population; this module writes the events a county would have
recorded for them over the last ``years`` FP years (3 by default): births (parity from the
mother's earlier children, about 3.5 % recorded 政策外, most reported within the month), first
marriages, flows in and out. It adds deaths (about 6 ‰ a year, mostly among the elderly) and
the villages' monthly reports (a few late or missing in the last two months, so the dashboard
has alerts). Then the spells of the persons the events touch are recomputed and the events'
flows added to the tallies. Deterministic for a seed and a reference day.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from renkou.common import audit
from renkou.common.periods import fp_year, fp_year_of, month_key, report_deadline
from renkou.events import tally
from renkou.events.constants import Kind, Status
from renkou.events.models import Event, MonthlyReport
from renkou.events.parity import parity_of
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import prefix_range
from renkou.people.cards import card_sync
from renkou.people.constants import MALE
from renkou.people.models import Person

DEATH_RATE = 0.0062  # per person-year
DEATH_CAUSES = ("心脑血管疾病", "呼吸系统疾病", "恶性肿瘤", "意外伤害", "其他疾病")


@dataclass
class DemoEvents:
    births: int = 0
    deaths: int = 0
    marriages: int = 0
    flows: int = 0
    reports: int = 0


def _places(person: Person) -> dict[str, str]:
    return {
        "reg_code": person.registered_code,
        "res_code": person.residence_code,
        "man_code": person.unit_code,
    }


def _reported(rng: random.Random, day: date, today: date) -> date:
    lag = rng.choice((1, 3, 5, 8, 12, 15, 20, 25, 30, 40, 60))
    return min(day + timedelta(days=lag), today)


@transaction.atomic
def seed_events(
    *, county: str, today: date, seed: int, reporter=None, years: int = 3
) -> DemoEvents:
    rng = random.Random(seed)  # noqa: S311 synthetic data, not a secret
    since = fp_year(fp_year_of(today) - (years - 1)).start
    out = DemoEvents()
    events: list[Event] = []
    people = Person.objects.filter(**prefix_range("unit_code", county))

    def event(kind: str, person: Person, day: date, **extra) -> Event:
        reported = extra.pop("reported", None) or _reported(rng, day, today)
        recent = (today - reported).days < 20
        return Event(
            kind=kind,
            person=person,
            effective_date=day,
            reported_date=reported,
            reporter_unit=person.unit_code,
            unit_code=person.unit_code,
            subject_sex=person.sex,
            subject_age=person.age_on(day) if day >= person.birth_date else 0,
            reported_by=reporter,
            confirmed_by=None if recent else reporter,
            status=Status.SUBMITTED if recent else Status.CONFIRMED,
            confirmed_at=None if recent else timezone.now(),
            **{**_places(person), **extra},
        )

    mothers: dict[int, Person] = {}
    births = people.filter(
        birth_date__gte=since, birth_date__lte=today, mother__isnull=False
    ).order_by("birth_date", "pk")
    for child in births.select_related("mother"):
        mother = mothers.setdefault(child.mother_id, child.mother)
        father = Person.objects.filter(pk=child.father_id).first() if child.father_id else None
        parity = parity_of(mother, father, child.birth_date)  # the counting rules (统计口径)
        row = event(
            Kind.BIRTH,
            mother,
            child.birth_date,
            child=child,
            partner_id=child.father_id,
            sex=child.sex,
            parity=parity,
            policy_attribute="2" if rng.random() < 0.035 else "1",
            health="1",
        )
        row.reg_code, row.res_code = child.registered_code, child.residence_code
        row.man_code = row.unit_code = child.unit_code
        events.append(row)
        out.births += 1
    married = people.filter(first_marriage_date__gte=since, first_marriage_date__lte=today)
    for person in married:
        kind = Kind.FIRST_MARRIAGE
        events.append(event(kind, person, person.first_marriage_date, partner_id=person.spouse_id))
        out.marriages += 1
    for person in people.filter(flow__in=("in", "out"), flow_date__gte=since, flow_date__lte=today):
        kind = Kind.FLOW_IN if person.flow == "in" else Kind.FLOW_OUT
        extra = {"place": person.flow_place, "reason": person.flow_reason}
        if kind == Kind.FLOW_IN:
            extra["to_code"] = person.residence_code
        events.append(event(kind, person, person.flow_date, **extra))
        out.flows += 1
    out.deaths = _register_deaths(rng, people, events, event)  # before new deaths are written
    out.deaths += _deaths(rng, people, since, today, events, event)
    Event.objects.bulk_create(events, batch_size=1000)
    out.reports = _monthly_reports(rng, county, since, today, reporter)
    # The register's spells already stand (the demo load wrote them); the events add their
    # flows, and the persons they touch get their spells recomputed (deaths, births, marriages).
    counter: Counter = Counter()
    for row in events:
        counter.update(tally.event_tally(row, +1))
    tally.add(counter)
    touched = {e.person_id for e in events} | {e.child_id for e in events if e.child_id}
    tally.refresh(touched)
    audit.record(
        actor=reporter,
        action="demo.events",
        object_type="events.event",
        row_count=len(events),
        summary=f"seed={seed}",
    )
    return out


def _deaths(rng, people, since, today, events, event) -> int:
    years = (today - since).days / 365.25
    alive = list(
        people.filter(exited_at__isnull=True, birth_date__lt=since)
        .order_by("pk")
        .only(
            "pk",
            "birth_date",
            "sex",
            "unit_code",
            "registered_code",
            "residence_code",
            "household_id",
            "relationship",
            "marital_status",
            "exited_at",
            "exit_reason",
            "is_head",
            "version",
            "flow",
            "id_type",
            "id_number",
            "id_status",
            "id_override_reason",
        )
    )
    elderly = [p for p in alive if p.age_on(today) >= 65]
    others = [p for p in alive if p.age_on(today) < 65]
    count = round(len(alive) * DEATH_RATE * years)
    chosen = rng.sample(elderly, min(len(elderly), int(count * 0.75)))
    chosen += rng.sample(others, min(len(others), count - len(chosen)))
    span = (today - since).days
    for person in chosen:
        day = since + timedelta(days=rng.randrange(span))
        events.append(event(Kind.DEATH, person, day, cause=rng.choice(DEATH_CAUSES)))
        Person.objects.filter(pk=person.pk).update(
            exited_at=day, exit_reason="3", is_head=False, version=person.version + 1
        )
        if person.sex != MALE:
            person.exited_at, person.exit_reason = day, "3"
            card_sync(person, day=today)
    return len(chosen)


def _register_deaths(rng, people, events, event) -> int:
    """The demo register's persons who left it by death (elderly parents, a head, a woman
    with a card) get their death event on the exit day: a death counts whether or not the
    record was closed (统计口径), so the register exit and the death figures agree."""
    dead = people.filter(exited_at__isnull=False, exit_reason="3").exclude(events__kind=Kind.DEATH)
    count = 0
    for person in dead.order_by("pk"):
        events.append(event(Kind.DEATH, person, person.exited_at, cause=rng.choice(DEATH_CAUSES)))
        count += 1
    return count


def _monthly_reports(rng, county: str, since: date, today: date, reporter) -> int:
    if reporter is None:
        return 0
    villages = list(
        Unit.objects.current()
        .filter(level=Level.VILLAGE, **prefix_range("code", county))
        .values_list("code", flat=True)
    )
    counts: dict[tuple[str, int], dict[str, int]] = {}
    held: dict[tuple[str, int], list[int]] = {}
    for pk, unit, kind, day in Event.objects.filter(
        **prefix_range("unit_code", county)
    ).values_list("pk", "unit_code", "kind", "effective_date"):
        cell = counts.setdefault((unit, month_key(day)), {})
        cell[kind] = cell.get(kind, 0) + 1
        held.setdefault((unit, month_key(day)), []).append(pk)
    rows = []
    first = since
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    months = []
    day = first
    while day <= last_month:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    for start in months:
        due = report_deadline(start)
        recent = start >= (last_month - timedelta(days=40)).replace(day=1)
        for code in villages:
            draw = rng.random()
            if recent and draw < 0.06:
                continue  # not reported yet
            late = draw > 0.95
            submitted = (
                due + timedelta(days=rng.randint(1, 6))
                if late
                else due - timedelta(days=rng.randint(0, 4))
            )
            if submitted > today:
                continue
            when = timezone.make_aware(
                timezone.datetime.combine(submitted, timezone.datetime.min.time()).replace(hour=10)
            )
            rows.append(
                MonthlyReport(
                    unit_code=code,
                    month=month_key(start),
                    submitted_by=reporter,
                    submitted_at=when,
                    on_time=submitted <= due,
                    counts=counts.get((code, month_key(start)), {}),
                    event_ids=sorted(held.get((code, month_key(start)), [])),
                )
            )
    MonthlyReport.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
