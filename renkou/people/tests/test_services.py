"""Register services: households, persons, moves, exits, cards, history, audit."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from conftest import VILLAGE_A1, VILLAGE_A2
from renkou.common.actors import ConflictError
from renkou.common.models import AuditEntry
from renkou.people import rules, services
from renkou.people.cards import cards_refresh
from renkou.people.constants import CardStatus
from renkou.people.models import Person, WomanCard
from renkou.people.tests.conftest import TODAY, person_row


def register(ctx, rng, actor, village=VILLAGE_A1, **overrides):
    values, issues = rules.check_person(person_row(rng, village, **overrides), ctx)
    assert rules.errors(issues) == []
    household = services.household_register(actor=actor, village_code=village, group_no="01")
    return services.person_register(actor=actor, household=household, values=values, today=TODAY)


def test_household_codes_count_up_within_the_group(units, actor):
    first = services.household_register(actor=actor, village_code=VILLAGE_A1, group_no="02")
    second = services.household_register(actor=actor, village_code=VILLAGE_A1, group_no="02")
    assert (first.code, second.code) == (f"{VILLAGE_A1}020001", f"{VILLAGE_A1}020002")
    assert first.unit_code == VILLAGE_A1 and first.group_no == "02"


def test_register_encrypts_indexes_and_opens_the_card(ctx, rng, actor):
    person = register(ctx, rng, actor)
    assert person.unit_code == VILLAGE_A1 and person.is_head
    assert len(person.id_index) == 64 and "wxy" in person.name_key
    assert person.card.status == CardStatus.OPEN
    raw = Person.objects.filter(pk=person.pk).values_list("id_number", flat=True)
    # The ORM decrypts; the stored value is a ciphertext.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert (
        stored.startswith("v1:") and person.id_number not in stored and raw[0] == person.id_number
    )
    assert AuditEntry.objects.filter(action="person.create", object_id=str(person.pk)).exists()


def test_one_head_per_household(ctx, rng, actor):
    head = register(ctx, rng, actor)
    values, _ = rules.check_person(
        person_row(
            rng,
            VILLAGE_A1,
            name="李四",
            sex="",
            id_number="",
            id_type="暂无证件",
            birth_date="1960-01-01",
            relationship="户主",
        ),
        ctx,
    )
    values["sex"] = "1"
    with pytest.raises(ValidationError):
        services.person_register(actor=actor, household=head.household, values=values)


def test_update_keeps_history_and_refuses_stale_versions(ctx, rng, actor):
    person = register(ctx, rng, actor)
    updated = services.person_update(
        actor=actor, person=person, values={"name": "王秀芳"}, version=person.version
    )
    assert updated.version == person.version + 1
    assert [h.name for h in updated.history.order_by("history_id")] == ["王秀英", "王秀芳"]
    with pytest.raises(ConflictError):
        services.person_update(
            actor=actor, person=person, values={"name": "X"}, version=person.version
        )
    entry = AuditEntry.objects.get(action="person.update")
    assert entry.summary == "changed=name" and "王" not in entry.summary


def test_move_between_households_changes_the_managing_unit(ctx, rng, actor):
    person = register(ctx, rng, actor)
    target = services.household_register(actor=actor, village_code=VILLAGE_A2, group_no="01")
    services.person_update(
        actor=actor, person=person, values={"residence_code": VILLAGE_A2}, version=person.version
    )
    person.refresh_from_db()
    moved = services.person_move(actor=actor, person=person, household=target, relationship="10")
    assert moved.household == target and moved.unit_code == VILLAGE_A2 and not moved.is_head
    assert WomanCard.objects.get(person=moved).unit_code == VILLAGE_A2


def test_exit_closes_the_card_and_restore_reopens_it(ctx, rng, actor):
    person = register(ctx, rng, actor)
    services.person_exit(actor=actor, person=person, on=TODAY, reason="2")
    person.refresh_from_db()
    assert person.exited_at == TODAY and person.card.status == CardStatus.CLOSED
    assert not Person.objects.present().filter(pk=person.pk).exists()
    services.person_restore(actor=actor, person=person, today=TODAY)
    person.refresh_from_db()
    assert person.exited_at is None and person.card.status == CardStatus.OPEN


def test_daily_job_closes_cards_at_fifty_and_opens_at_fifteen(ctx, rng, actor):
    old = register(
        ctx, rng, actor, id_number="", id_type="暂无证件", sex="女", birth_date="1976-12-01"
    )  # 49 on TODAY, 50 two days later
    assert old.card.status == CardStatus.OPEN
    opened, closed = cards_refresh(day=date(2026, 12, 1))
    old.card.refresh_from_db()
    assert (opened, closed) == (0, 1) and old.card.status == CardStatus.CLOSED
    assert old.card.close_reason == "age"


def test_unmask_is_audited(ctx, rng, actor):
    person = register(ctx, rng, actor, phone="13912345678")
    assert services.person_unmask(actor=actor, person=person, field="phone") == "13912345678"
    assert AuditEntry.objects.filter(action="person.unmask", object_id=str(person.pk)).count() == 1
