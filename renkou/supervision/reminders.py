"""The supervision app's items on the to-do lists (renkou.todo), registered here because the
records live in this app (the to-do app imports nothing above it):

- ``unit_task``: the units' parts of the dated tasks, dated at the deadline; the seeded rules
  (migration 0002) remind 7 days and 1 day before it (their lead days). A part the township has
  reported done closes its reminders on that day, and no reminder appears after it; one the
  county returns opens again.
- ``unit_rectification``: a rectification notice (整改通知) to a township, dated at its deadline;
  the seeded rule (migration 0005) lists it from the day it is issued (lead days cover the
  usual time allowed) and shows it overdue after the deadline until the township responds. The
  response closes it on that day; a re-check that sends the response back opens it again (the
  deadline stays the notice's, so it is overdue at once when that has passed).
"""

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from renkou.common import dates
from renkou.geo.scope import prefix_range
from renkou.supervision.constants import RECT_ANCHOR, TASK_ANCHOR, RectStatus, Status
from renkou.supervision.models import Assignment, Rectification
from renkou.todo import populations
from renkou.todo.constants import LOOKBACK, Population
from renkou.todo.populations import Anchor, Closers, PopulationDef, Scope

CLOSED_TYPE = "supervision.assignment"
RECT_CLOSED_TYPE = "supervision.rectification"


def _rows(model: Any, deadline: str, rule: Any, scope: Scope, today: date) -> Any:
    if scope.person_ids is not None:  # a refresh of some persons: no unit's item
        return model.objects.none()
    rows = model.objects.filter(
        **{f"{deadline}__gte": today - LOOKBACK - timedelta(days=rule.expire_days)}
    )
    if scope.prefix:
        rows = rows.filter(**prefix_range("unit_code", scope.prefix))
    return rows


def anchors(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    rows = _rows(Assignment, "task__deadline", rule, scope, today).values_list(
        "pk", "unit_code", "task__issued_on", "task__deadline", "submitted_on"
    )
    return [
        Anchor(
            person_id=None,
            unit_code=unit,
            anchor_type=TASK_ANCHOR,
            anchor_id=pk,
            anchor_date=deadline,
            first_day=issued,
            holds_until=submitted,
            close_keys=((TASK_ANCHOR, pk),),
        )
        for pk, unit, issued, deadline, submitted in rows
    ]


def closers(rule: Any, found: list[Anchor], scope: Scope, today: date) -> Closers:
    ids = [a.anchor_id for a in found if a.holds_until is not None]
    rows = Assignment.objects.filter(pk__in=ids).exclude(status=Status.OPEN)
    return {
        (TASK_ANCHOR, pk): [(day, CLOSED_TYPE, pk)]
        for pk, day in rows.values_list("pk", "submitted_on")
        if day is not None
    }


def rect_anchors(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    rows = _rows(Rectification, "deadline", rule, scope, today).values_list(
        "pk", "unit_code", "issued_on", "deadline", "status", "responded_on"
    )
    return [
        Anchor(
            person_id=None,
            unit_code=unit,
            anchor_type=RECT_ANCHOR,
            anchor_id=pk,
            anchor_date=deadline,
            first_day=issued,
            # Waiting for the township again after a re-check sent it back.
            holds_until=None if status == RectStatus.ISSUED else responded,
            close_keys=((RECT_ANCHOR, pk),),
        )
        for pk, unit, issued, deadline, status, responded in rows
    ]


def rect_closers(rule: Any, found: list[Anchor], scope: Scope, today: date) -> Closers:
    ids = [a.anchor_id for a in found if a.holds_until is not None]
    rows = Rectification.objects.filter(pk__in=ids).exclude(status=RectStatus.ISSUED)
    return {
        (RECT_ANCHOR, pk): [(day, RECT_CLOSED_TYPE, pk)]
        for pk, day in rows.values_list("pk", "responded_on")
        if day is not None
    }


def connect() -> None:
    populations.register(
        Population.UNIT_TASK, PopulationDef(anchors, closers, "task", personal=False)
    )
    populations.register(
        Population.UNIT_RECTIFICATION,
        PopulationDef(rect_anchors, rect_closers, "rectification", personal=False),
    )


def refresh_unit(unit_code: str, today: date) -> None:
    """Bring the unit's task and rectification items up to date now (after a report, a
    return, a new task, a notice, a response, a re-check), instead of waiting for the nightly
    refresh."""
    from renkou.todo import services as todo
    from renkou.todo.models import ReminderRule

    rules = ReminderRule.objects.filter(
        population__in=(Population.UNIT_TASK, Population.UNIT_RECTIFICATION)
    ).values_list("pk", flat=True)
    todo.refresh(unit_code, today, rule_ids=list(rules))


def refresh_later(unit_code: str) -> None:
    """``refresh_unit`` once the caller's transaction commits (nothing if it rolls back)."""
    transaction.on_commit(lambda: refresh_unit(unit_code, dates.today()))
