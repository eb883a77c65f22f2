"""Dated tasks on the to-do lists (issue 14 item 5): the township is reminded 7 days and 1 day
before the deadline through the to-do app's rules, and the reminders close when it reports."""

from datetime import date

import time_machine

from conftest import COUNTY, TOWNSHIP_A
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


# --- rectification notices --------------------------------------------------------------------


def _notice(personas, capture, deadline: date = date(2027, 6, 30)):
    """A notice to township A issued on 10 June 2027 after a finding of a visit; the to-do
    refresh its commit asks for runs (``capture``: pytest-django's on-commit fixture)."""
    from decimal import Decimal

    from renkou.supervision import inspections
    from renkou.supervision.constants import InspectionKind

    inspector = Actor(personas["inspector"])
    with time_machine.travel(date(2027, 6, 10), tick=False):
        visit = inspections.plan(
            actor=inspector,
            county_code=COUNTY,
            kind=InspectionKind.ROTATION,
            title="上半年轮流督查",
            units=[TOWNSHIP_A],
            first_day=date(2027, 6, 10),
            days=3,
            every=7,
            period_start=date(2027, 1, 1),
            period_end=date(2027, 5, 31),
            team=[personas["inspector"]],
        )[0]
        inspections.start(actor=inspector, inspection=visit)
        finding = inspections.finding_add(
            actor=inspector,
            inspection=visit,
            topic="",
            severity="major",
            text="服务站未按要求公示免费服务项目",
            deduction=Decimal("1"),
        )
        with capture(execute=True):
            return inspections.notice_issue(
                actor=inspector, finding=finding, requirement="补齐公示", deadline=deadline
            )


def _rect_items(day: date) -> list[tuple[str, date, str]]:
    todo.refresh(None, day)
    rows = TodoItem.objects.filter(rule__code="rectification_response").order_by("pk")
    return [(i.unit_code, i.due_on, i.status) for i in rows]


def test_a_notice_is_on_the_townships_list_from_its_issue_and_overdue_after_the_deadline(
    units, personas, django_capture_on_commit_callbacks
):
    notice = _notice(personas, django_capture_on_commit_callbacks)
    # Issued on 10 June: the refresh after the commit listed it at once, due at the deadline.
    item = TodoItem.objects.get(rule__code="rectification_response")
    assert (item.unit_code, item.anchor_type, item.anchor_id) == (
        TOWNSHIP_A,
        "rectification",
        notice.pk,
    )
    assert (item.due_on, item.status) == (date(2027, 6, 30), "open")
    flt = todo_selectors.ItemFilter(state="overdue")
    township = personas["township_officer"]
    assert list(todo_selectors.item_list(township, flt, date(2027, 6, 30))) == []
    assert list(todo_selectors.item_list(township, flt, date(2027, 7, 1))) == [item]
    # Only the responsible township's officer: not the other township, not a village.
    assert list(todo_selectors.item_list(personas["village_admin"], flt, date(2027, 7, 1))) == []
    assert _rect_items(date(2027, 12, 1)) == [(TOWNSHIP_A, date(2027, 6, 30), "open")]


def test_the_response_closes_the_item_and_a_re_check_sending_it_back_opens_it(
    units, personas, django_capture_on_commit_callbacks
):
    from renkou.supervision import inspections

    notice = _notice(personas, django_capture_on_commit_callbacks)
    township, inspector = Actor(personas["township_officer"]), Actor(personas["inspector"])
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(date(2027, 7, 3), tick=False), capture(execute=True):  # 3 days late
        inspections.respond(actor=township, notice=notice, response="已公示", photo=photo())
    item = TodoItem.objects.get(rule__code="rectification_response")
    assert (item.status, item.done_on) == ("done", date(2027, 7, 3))
    with time_machine.travel(date(2027, 7, 5), tick=False), capture(execute=True):
        inspections.recheck(actor=inspector, notice=notice, passed=False, note="公示不全")
    item.refresh_from_db()
    assert (item.status, item.done_on) == ("open", None)
    flt = todo_selectors.ItemFilter(state="overdue")
    assert list(todo_selectors.item_list(personas["township_officer"], flt, date(2027, 7, 5))) == [
        item
    ]
    with time_machine.travel(date(2027, 7, 8), tick=False):
        inspections.respond(actor=township, notice=notice, response="已补全", photo=photo())
        inspections.recheck(actor=inspector, notice=notice, passed=True, note="属实")
    assert _rect_items(date(2027, 7, 20)) == [(TOWNSHIP_A, date(2027, 6, 30), "done")]
    assert TodoItem.objects.get(rule__code="rectification_response").done_on == date(2027, 7, 8)


def test_a_notice_answered_before_its_window_never_appears(
    units, personas, django_capture_on_commit_callbacks
):
    """A deadline 60 days out is listed 30 days before it (the rule's lead days); a response
    before then leaves nothing on the list."""
    from renkou.supervision import inspections

    notice = _notice(personas, django_capture_on_commit_callbacks, deadline=date(2027, 8, 9))
    assert _rect_items(date(2027, 6, 10)) == []
    with time_machine.travel(date(2027, 6, 20), tick=False):
        inspections.respond(
            actor=Actor(personas["township_officer"]),
            notice=notice,
            response="已公示",
            photo=photo(),
        )
    assert _rect_items(date(2027, 7, 15)) == []


def test_the_item_links_to_the_notice_page(units, personas, django_capture_on_commit_callbacks):
    from renkou.todo import links

    notice = _notice(personas, django_capture_on_commit_callbacks)
    item = TodoItem.objects.select_related("rule").get(rule__code="rectification_response")
    page = f"/supervision/notices/{notice.pk}/"
    assert (
        links.close_link(item, personas["township_officer"], "/todo/") == f"{page}?next=%2Ftodo%2F"
    )
    assert links.close_link(item, personas["county_officer"], "/todo/") is None
    assert links.view_link(item) == page
