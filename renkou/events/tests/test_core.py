"""The event log drives person state, spells and tallies; voiding leaves no trace; figures read
from the tallies equal counts made by hand and the lengths of their name lists."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.common.actors import Actor
from renkou.common.periods import fp_year, month
from renkou.events import selectors, services, tally
from renkou.events.constants import Kind, Scope, Status
from renkou.events.models import Event, Tally
from renkou.events.tests.counts import tallied
from renkou.people.models import Child, Person, WomanCard
from renkou.people.services import person_register

TODAY = date(2026, 11, 29)
COUNTY = "620001"
R = Scope.REGISTERED


def add(name, sex, born, village, **extra):
    values = {
        "name": name,
        "sex": sex,
        "birth_date": born,
        "registered_code": village,
        "residence_code": village,
        "marital_status": "10",
        "ethnicity": "01",
        "hukou_type": "2",
        "relationship": "02",
    }
    values.update(extra)
    return person_register(actor=Actor(None), household=None, values=values, today=TODAY)


@pytest.fixture
def town(units, personas):
    p = {
        "mother": add(
            "卓玛",
            "2",
            date(1995, 3, 1),
            VILLAGE_A1,
            marital_status="21",
            first_marriage_date=date(2018, 5, 1),
        ),
        "father": add(
            "扎西",
            "1",
            date(1993, 7, 9),
            VILLAGE_A1,
            marital_status="21",
            first_marriage_date=date(2018, 5, 1),
            relationship="10",
        ),
        "old": add("才让", "1", date(1940, 1, 1), VILLAGE_A2),
        "young": add("拉姆", "2", date(2001, 2, 2), VILLAGE_A1),
        "b1": add(
            "王芳",
            "2",
            date(1990, 8, 8),
            VILLAGE_B1,
            marital_status="21",
            first_marriage_date=date(2012, 1, 1),
        ),
    }
    return p


def actor(personas, role="township_officer"):
    return Actor(personas[role])


def test_birth_creates_the_child_counts_it_and_fills_the_card(town, personas):
    mother, father = town["mother"], town["father"]
    event = services.record(
        actor=actor(personas),
        kind=Kind.BIRTH,
        person=mother,
        effective_date=date(2024, 1, 15),
        reported_date=date(2024, 2, 3),
        today=TODAY,
        details=services.Details(
            partner=father, child_name="小卓玛", sex="2", policy_attribute="1"
        ),
    )
    child = Person.objects.get(pk=event.child_id)
    assert (child.mother_id, child.father_id, child.birth_date) == (
        mother.pk,
        father.pk,
        date(2024, 1, 15),
    )
    assert child.registered_code == VILLAGE_A1 and child.id_type == "08"
    assert event.parity == 1 and event.status == Status.CONFIRMED
    card = WomanCard.objects.get(person=mother)
    assert Child.objects.filter(card=card, person=child, parity=1).exists()
    # Hand count: 5 persons were born before FP year 2024 began; one birth in it.
    assert (tallied("birth"), tallied("pop", "start"), tallied("pop", "end")) == (1, 5, 6)
    assert (tallied("birth_ok"), tallied("birth_timely"), tallied("birth_p1")) == (1, 1, 1)
    # A second child of the couple is parity 2.
    second = services.record(
        actor=actor(personas),
        kind=Kind.BIRTH,
        person=mother,
        effective_date=date(2024, 9, 1),
        reported_date=date(2024, 10, 20),
        today=TODAY,
        details=services.Details(partner=father, child_name="小扎西", sex="1"),
    )
    assert second.parity == 2
    assert (tallied("birth_p2"), tallied("birth_m"), tallied("birth_f")) == (1, 1, 1)
    assert tallied("birth_timely") == 1  # the second reported after 5 October


def test_death_move_and_void_leave_no_trace(town, personas):
    before = (tallied("death"), tallied("pop", "end"))
    death = services.record(
        actor=actor(personas),
        kind=Kind.DEATH,
        person=town["old"],
        effective_date=date(2024, 6, 1),
        today=TODAY,
    )
    town["old"].refresh_from_db()
    assert town["old"].exited_at == date(2024, 6, 1) and town["old"].exit_reason == "3"
    assert (tallied("death"), tallied("pop", "start")) == (1, 5)
    assert tallied("pop", "end") == before[1] - 1
    tallies = sorted(
        Tally.objects.exclude(value=0).values_list("measure", "unit_code", "month", "value")
    )
    services.void(actor=actor(personas), event=death, reason="误报", today=TODAY)
    town["old"].refresh_from_db()
    assert town["old"].exited_at is None
    assert (tallied("death"), tallied("pop", "end")) == before
    assert Event.objects.get(pk=death.pk).status == Status.VOIDED
    assert tallies != sorted(
        Tally.objects.exclude(value=0).values_list("measure", "unit_code", "month", "value")
    )


def test_move_within_changes_township_counts_and_totals_add_up(town, personas):
    young = town["young"]
    services.record(
        actor=actor(personas, "county_officer"),
        kind=Kind.MOVE_WITHIN,
        person=young,
        effective_date=date(2024, 5, 1),
        today=TODAY,
        details=services.Details(to_code=VILLAGE_B1),
    )
    young.refresh_from_db()
    assert young.registered_code == VILLAGE_B1
    a, b = TOWNSHIP_A[:9], TOWNSHIP_B[:9]
    assert (tallied("pop", "start", prefix=a), tallied("pop", "end", prefix=a)) == (4, 3)
    assert tallied("pop", "end", prefix=b) == 2
    assert tallied("pop", "end") == 3 + 2
    # The move month: end of April she is still in A, end of May in B.
    april, may = month(2024, 4), month(2024, 5)
    assert young in selectors.stock_persons("pop", scope=R, prefix=TOWNSHIP_A[:9], day=april.end)
    assert young in selectors.stock_persons("pop", scope=R, prefix=TOWNSHIP_B[:9], day=may.end)


def test_marriage_rules_and_married_wcba(town, personas):
    young = town["young"]
    with pytest.raises(ValidationError):
        services.record(
            actor=actor(personas),
            kind=Kind.DIVORCE,
            person=young,
            effective_date=date(2024, 3, 1),
            today=TODAY,
        )
    services.record(
        actor=actor(personas),
        kind=Kind.FIRST_MARRIAGE,
        person=young,
        effective_date=date(2024, 3, 1),
        today=TODAY,
    )
    # 23 years old at marriage: a late marriage (≥ 23).
    assert (tallied("fmar_f"), tallied("fmar_f_late"), tallied("fmar_f_early")) == (1, 1, 0)
    # Married women 15–49 at the end of FP 2024: mother, b1 and the newly married young woman.
    married = tallied("mwcba", "end")
    assert married == 3
    listed = selectors.stock_persons("mwcba", scope=R, prefix=COUNTY, day=fp_year(2024).end)
    assert listed.count() == married


def test_village_entries_wait_for_confirmation(town, personas):
    event = services.record(
        actor=actor(personas, "village_admin"),
        kind=Kind.DEATH,
        person=town["young"],
        effective_date=date(2024, 6, 1),
        today=TODAY,
    )
    assert event.status == Status.SUBMITTED
    services.confirm(actor=actor(personas), event=event)
    assert Event.objects.get(pk=event.pk).status == Status.CONFIRMED


def test_events_cannot_be_edited_or_deleted(town, personas):
    event = services.record(
        actor=actor(personas),
        kind=Kind.DEATH,
        person=town["old"],
        effective_date=date(2024, 6, 1),
        today=TODAY,
    )
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_rebuild_gives_the_same_tallies_as_the_incremental_path(town, personas):
    services.record(
        actor=actor(personas),
        kind=Kind.BIRTH,
        person=town["mother"],
        effective_date=date(2024, 1, 15),
        today=TODAY,
        details=services.Details(partner=town["father"], child_name="小卓玛", sex="2"),
    )
    services.record(
        actor=actor(personas),
        kind=Kind.FLOW_OUT,
        person=town["b1"],
        effective_date=date(2024, 2, 1),
        today=TODAY,
        details=services.Details(place="兰州市"),
    )
    incremental = dict(
        ((m, s, u, mo), v)
        for m, s, u, mo, v in Tally.objects.exclude(value=0).values_list(
            "measure", "scope", "unit_code", "month", "value"
        )
    )
    tally.rebuild()
    rebuilt = dict(
        ((m, s, u, mo), v)
        for m, s, u, mo, v in Tally.objects.exclude(value=0).values_list(
            "measure", "scope", "unit_code", "month", "value"
        )
    )
    assert incremental == rebuilt
    assert tallied("pop", "end", scope=Scope.RESIDENT) == 5  # 6 − the outflow


def _stocks(prefix=COUNTY, year=2024):
    period = fp_year(year)
    return selectors.sums(
        scope=R,
        prefix=prefix,
        group_len=9,
        stocks=["pop", "mwcba", "w15_49"],
        stock_days=[period.day_before, period.end],
    )


def test_checkpoints_follow_the_calendar_and_agree_with_a_rebuild(town, personas, monkeypatch):
    """Writes in 2024, then in 2026 after two year ends with no write: the checkpoints are
    carried forward on the first write of the new year, and every stock equals the stock a
    full rebuild (and a sum over all monthly tallies) gives."""
    clock = {"today": date(2024, 11, 1)}
    monkeypatch.setattr(tally.timezone, "localdate", lambda: clock["today"])
    tally.rebuild()  # the register as it stood in 2024
    services.record(
        actor=actor(personas),
        kind=Kind.DEATH,
        person=town["old"],
        effective_date=date(2024, 6, 1),
        today=clock["today"],
    )
    assert tally.horizon() == 2025
    clock["today"] = date(2026, 11, 29)
    early = {year: _stocks(year=year) for year in (2024, 2025, 2026)}
    services.record(
        actor=actor(personas),
        kind=Kind.FIRST_MARRIAGE,
        person=town["young"],
        effective_date=date(2026, 3, 1),
        today=clock["today"],
    )
    assert tally.horizon() == 2027
    incremental = {year: _stocks(year=year) for year in (2024, 2025, 2026, 2027)}
    assert {y: incremental[y] for y in (2024, 2025)} == {y: early[y] for y in (2024, 2025)}
    tally.rebuild()
    assert {year: _stocks(year=year) for year in incremental} == incremental
    # By hand: 5 persons, one died in June 2024; the young woman married in March 2026.
    county_end_2026 = sum(cell.get(("pop", "2026-09-30"), 0) for cell in incremental[2026].values())
    assert county_end_2026 == 4
    married_2026 = sum(c.get(("mwcba", "2026-09-30"), 0) for c in incremental[2026].values())
    married_2025 = sum(c.get(("mwcba", "2025-09-30"), 0) for c in incremental[2025].values())
    assert (married_2025, married_2026) == (2, 3)


def test_the_township_roll_up_equals_the_sum_of_its_villages(town, personas):
    services.record(
        actor=actor(personas),
        kind=Kind.BIRTH,
        person=town["mother"],
        effective_date=date(2024, 1, 15),
        today=TODAY,
        details=services.Details(partner=town["father"], child_name="小卓玛", sex="2"),
    )
    services.record(
        actor=actor(personas, "county_officer"),
        kind=Kind.MOVE_WITHIN,
        person=town["young"],
        effective_date=date(2024, 5, 1),
        today=TODAY,
        details=services.Details(to_code=VILLAGE_B1),
    )
    period = fp_year(2024)
    args = {
        "scope": R,
        "prefix": COUNTY,
        "flows": ["birth", "birth_f"],
        "stocks": ["pop", "mwcba"],
        "period": period,
        "stock_days": [period.day_before, period.end],
    }
    towns = selectors.sums(group_len=9, **args)
    villages = selectors.sums(group_len=12, **args)
    summed: dict = {}
    for code, cell in villages.items():
        target = summed.setdefault(code[:9], {})
        for key, value in cell.items():
            target[key] = target.get(key, 0) + value
    clean = {g: {k: v for k, v in c.items() if v} for g, c in towns.items()}
    assert clean == {g: {k: v for k, v in c.items() if v} for g, c in summed.items()}
    # By hand: township A ends the year with mother, father, old, the baby (young moved to B).
    assert towns[TOWNSHIP_A[:9]][("pop", period.end.isoformat())] == 4
    assert towns[TOWNSHIP_A[:9]][("birth", "flow")] == 1


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_register_write_leaves_nothing_half_written(
    town, personas, monkeypatch, audit_flushable
):
    """``record`` is one transaction: the death written to the person, then a failure while
    counting it, leaves the person alive and no event (a merge once moved its decorator)."""

    def fail(*args, **kwargs):
        raise RuntimeError("counting failed")

    monkeypatch.setattr(tally, "record_event", fail)
    with pytest.raises(RuntimeError):
        services.record(
            actor=actor(personas),
            kind=Kind.DEATH,
            person=town["old"],
            effective_date=date(2024, 6, 1),
            today=TODAY,
        )
    town["old"].refresh_from_db()
    assert town["old"].exited_at is None
    assert not Event.objects.filter(person=town["old"]).exists()
