"""The dated tasks on the to-do lists (renkou.todo): the population ``unit_task`` of the to-do
app's rule mechanism, registered here because the tasks live in this app (the to-do app imports
nothing above it). Its anchors are the units' parts of the tasks, dated at the deadline; the
seeded rules (migration 0002) remind 7 days and 1 day before it (their lead days). A part the
township has reported done closes its reminders on that day, and no reminder appears after it;
one the county returns opens again."""

from datetime import date, timedelta
from typing import Any

from renkou.geo.scope import prefix_range
from renkou.supervision.constants import TASK_ANCHOR, Status
from renkou.supervision.models import Assignment
from renkou.todo import populations
from renkou.todo.constants import LOOKBACK, Population
from renkou.todo.populations import Anchor, Closers, PopulationDef, Scope

CLOSED_TYPE = "supervision.assignment"


def _rows(rule: Any, scope: Scope, today: date) -> Any:
    if scope.person_ids is not None:  # a refresh of some persons: no unit's item
        return Assignment.objects.none()
    rows = Assignment.objects.filter(
        task__deadline__gte=today - LOOKBACK - timedelta(days=rule.expire_days)
    )
    if scope.prefix:
        rows = rows.filter(**prefix_range("unit_code", scope.prefix))
    return rows.values_list("pk", "unit_code", "task__issued_on", "task__deadline", "submitted_on")


def anchors(rule: Any, scope: Scope, today: date) -> list[Anchor]:
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
        for pk, unit, issued, deadline, submitted in _rows(rule, scope, today)
    ]


def closers(rule: Any, found: list[Anchor], scope: Scope, today: date) -> Closers:
    ids = [a.anchor_id for a in found if a.holds_until is not None]
    rows = Assignment.objects.filter(pk__in=ids).exclude(status=Status.OPEN)
    return {
        (TASK_ANCHOR, pk): [(day, CLOSED_TYPE, pk)]
        for pk, day in rows.values_list("pk", "submitted_on")
        if day is not None
    }


def connect() -> None:
    populations.register(
        Population.UNIT_TASK, PopulationDef(anchors, closers, "task", personal=False)
    )


def refresh_unit(unit_code: str, today: date) -> None:
    """Bring the unit's task reminders up to date now (after a report, a return, a new task),
    instead of waiting for the nightly refresh."""
    from renkou.todo import services as todo
    from renkou.todo.models import ReminderRule

    rules = ReminderRule.objects.filter(population=Population.UNIT_TASK).values_list(
        "pk", flat=True
    )
    todo.refresh(unit_code, today, rule_ids=list(rules))
