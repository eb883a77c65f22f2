"""Tip-offs on the to-do lists: listed from receipt, overdue after the deadline, closed when
concluded; the item names the tip-off, not the informant."""

from datetime import date

import time_machine
from django.urls import reverse

from conftest import TOWNSHIP_A
from renkou.common.actors import Actor
from renkou.tipoffs import services
from renkou.todo import selectors as todo_selectors
from renkou.todo import services as todo
from renkou.todo.models import TodoItem


def _open(day: date) -> list[TodoItem]:
    todo.refresh(None, day)
    return list(TodoItem.objects.filter(unit_code=TOWNSHIP_A, status="open", person__isnull=True))


def test_an_open_tipoff_is_overdue_after_its_deadline_and_closes_when_concluded(
    handled, personas, signed_in_client
):
    [item] = _open(date(2027, 3, 5))
    assert (item.rule.code, item.due_on, item.anchor_type) == (
        "tipoff_deadline",
        date(2027, 3, 31),
        "tipoff",
    )
    flt = todo_selectors.ItemFilter(state="overdue")
    on = date(2027, 4, 5)
    _open(on)
    overdue = list(todo_selectors.item_list(personas["township_officer"], flt, on))
    assert [i.anchor_id for i in overdue] == [handled.pk]
    assert list(todo_selectors.item_list(personas["village_admin"], flt, on)) == []
    with time_machine.travel(on, tick=False):
        client = signed_in_client(personas["township_officer"])
        page = client.get(reverse("todo:item_list"), {"state": "overdue"}).content.decode()
    assert reverse("tipoffs:detail", args=[handled.pk]) in page
    with time_machine.travel(date(2027, 4, 6), tick=False):
        services.tipoff_conclude(
            actor=Actor(personas["township_officer"]),
            tipoff=handled,
            finding="partly",
            result="部分属实",
            version=handled.version,
        )
    assert _open(date(2027, 4, 6)) == []
