"""Cases on the to-do lists: listed from opening, overdue after the investigation deadline,
closed when referred; the item leads to the case's page."""

from datetime import date

import time_machine
from django.urls import reverse

from conftest import TOWNSHIP_A
from renkou.cases import services
from renkou.cases.tests.conftest import open_case
from renkou.common.actors import Actor
from renkou.todo import selectors as todo_selectors
from renkou.todo import services as todo
from renkou.todo.models import TodoItem


def _open(day: date) -> list[TodoItem]:
    todo.refresh(None, day)
    return list(TodoItem.objects.filter(unit_code=TOWNSHIP_A, status="open", person__isnull=True))


def test_an_open_case_is_overdue_after_its_deadline_and_closes_when_referred(
    personas, signed_in_client
):
    officer = personas["township_officer"]
    with time_machine.travel(date(2027, 3, 1), tick=False):
        case = open_case(officer)
    [item] = _open(date(2027, 3, 5))
    assert (item.rule.code, item.due_on, item.anchor_type) == (
        "case_deadline",
        date(2027, 4, 30),  # opened 1 March + 60 days
        "case",
    )
    on = date(2027, 5, 3)
    _open(on)
    flt = todo_selectors.ItemFilter(state="overdue")
    overdue = list(todo_selectors.item_list(officer, flt, on))
    assert [i.anchor_id for i in overdue] == [case.pk]
    assert list(todo_selectors.item_list(personas["village_admin"], flt, on)) == []
    with time_machine.travel(on, tick=False):
        client = signed_in_client(officer)
        page = client.get(reverse("todo:item_list"), {"state": "overdue"}).content.decode()
        assert reverse("cases:detail", args=[case.pk]) in page
        services.case_refer(
            actor=Actor(officer),
            case=case,
            referred_to="police",
            referral_body="县公安局",
            referred_on=on,
            version=case.version,
        )
    assert _open(on) == []
