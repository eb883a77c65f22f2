"""The certificate items on the to-do list: a service offer that appears for an inflow woman
without a verified certificate and goes when one is verified; an expired one appears again."""

from datetime import date

import pytest

from renkou.common.actors import Actor
from renkou.floating import services
from renkou.floating.tests.conftest import CERT, TODAY, VALUES
from renkou.todo import services as todo
from renkou.todo.models import ReminderRule, TodoItem

RULE = "floating_certificate"


def open_items(on: date) -> list[tuple[str, int]]:
    todo.refresh(None, on)
    rows = TodoItem.objects.filter(rule__code=RULE, status="open")
    return sorted((i.anchor_type, i.anchor_id) for i in rows)


@pytest.fixture
def record(personas, woman_a):
    return services.record_register(
        actor=Actor(personas["village_admin"]), person=woman_a, values=VALUES, today=TODAY
    )


def test_the_rule_is_seeded_as_a_service_offer(db):
    rule = ReminderRule.objects.get(code=RULE)
    assert "提醒办理" in rule.name and "协助核验" in rule.name
    for word in ("罚", "处罚", "违法", "超生", "许可"):
        assert word not in rule.name + rule.basis


def test_missing_certificate_appears_and_goes_when_verified(personas, record):
    assert open_items(TODAY) == [("floating", record.pk)]
    item = TodoItem.objects.get(rule__code=RULE, anchor_id=record.pk)
    assert item.person_id == record.person_id and item.due_on == date(2027, 2, 9)
    services.certificate_add(
        actor=Actor(personas["village_admin"]), record=record, values=CERT, today=TODAY
    )
    assert open_items(TODAY) == []
    item.refresh_from_db()
    assert item.status == "done"


def test_an_unverified_certificate_keeps_the_offer_open(personas, record):
    unverified = {**CERT, "result": "", "checked_on": None}
    services.certificate_add(
        actor=Actor(personas["village_admin"]), record=record, values=unverified, today=TODAY
    )
    assert open_items(TODAY) == [("floating", record.pk)]


def test_an_expired_certificate_appears_until_a_new_one_is_verified(personas, record):
    who = Actor(personas["village_admin"])
    old = services.certificate_add(
        actor=who, record=record, values={**CERT, "valid_until": date(2027, 6, 20)}, today=TODAY
    )
    assert open_items(TODAY) == [("floatcert", old.pk)]  # 30 days ahead of its end
    renewed = {**CERT, "number": "婚育证明第00002号", "issued_on": date(2027, 5, 20)}
    services.certificate_add(
        actor=who, record=record, values={**renewed, "checked_on": date(2027, 5, 25)}, today=TODAY
    )
    assert open_items(TODAY) == []


def test_men_older_women_and_those_gone_home_get_no_item(personas, record, woman_b):
    from renkou.floating.tests.conftest import person

    who = Actor(personas["village_admin"])
    man = person("流入男", "1", date(1990, 1, 1))
    services.record_register(actor=who, person=man, values=VALUES, today=TODAY)
    services.record_update(
        actor=who,
        record=record,
        values={**VALUES, "returned_on": date(2027, 1, 20)},
        version=1,
        today=TODAY,
    )
    assert open_items(TODAY) == []
