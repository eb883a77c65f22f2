"""Dated tasks on the to-do lists (issue 14 item 5): the township is reminded 7 days and 1 day
before the deadline through the to-do app's rules, and the reminders close when it reports."""

from datetime import date

import time_machine

from conftest import TOWNSHIP_A
from renkou.common.actors import Actor
from renkou.supervision import services
from renkou.supervision.models import Assignment
from renkou.supervision.tests.conftest import photo
from renkou.todo import selectors as todo_selectors
from renkou.todo import services as todo
from renkou.todo.models import TodoItem


def _open(day: date, unit: str = TOWNSHIP_A) -> list[str]:
    todo.refresh(None, day)
    rows = TodoItem.objects.filter(unit_code=unit, status="open", person__isnull=True)
    return sorted(rows.values_list("rule__code", flat=True))


def test_reminders_appear_7_days_and_1_day_before_the_deadline(task):
    assert _open(date(2027, 5, 7)) == []
    assert _open(date(2027, 5, 8)) == ["task_deadline_7d"]
    assert _open(date(2027, 5, 14)) == ["task_deadline_1d", "task_deadline_7d"]
    assert _open(date(2027, 5, 20)) == ["task_deadline_1d"]  # overdue, still listed
    item = TodoItem.objects.get(rule__code="task_deadline_1d", unit_code=TOWNSHIP_A)
    assert (item.due_on, item.anchor_type) == (date(2027, 5, 15), "task")


def test_reporting_the_part_done_closes_its_reminders(task, personas):
    township = Actor(personas["township_officer"])
    part = Assignment.objects.get(task=task, unit_code=TOWNSHIP_A)
    assert _open(date(2027, 5, 9)) == ["task_deadline_7d"]
    with time_machine.travel(date(2027, 5, 10), tick=False):
        services.evidence_add(actor=township, assignment=part, kind="photo", upload=photo())
        services.count_record(actor=township, assignment=part, count=1)
        services.submit(actor=township, assignment=part)
    assert _open(date(2027, 5, 14)) == []
    done = TodoItem.objects.get(rule__code="task_deadline_7d", unit_code=TOWNSHIP_A)
    assert (done.status, done.done_on) == ("done", date(2027, 5, 10))


def test_the_township_officer_sees_the_reminder_the_village_does_not(task, personas):
    todo.refresh(None, date(2027, 5, 9))
    on = date(2027, 5, 9)
    flt = todo_selectors.ItemFilter(state="all")
    township = todo_selectors.item_list(personas["township_officer"], flt, on)
    assert [i.rule.code for i in township] == ["task_deadline_7d"]
    assert list(todo_selectors.item_list(personas["village_admin"], flt, on)) == []


def test_a_refresh_of_some_persons_leaves_the_units_items_alone(task):
    todo.refresh(None, date(2027, 5, 9))
    stats = todo.refresh(None, date(2027, 5, 9), person_ids=[1, 2])
    assert stats.changed == 0
    assert TodoItem.objects.filter(status="open", person__isnull=True).count() == 2
