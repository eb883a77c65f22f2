"""The cases' items on the to-do lists (renkou.todo), registered here because the records live
in this app (the to-do app imports nothing above it).

``unit_case``: a case of a unit, dated at its investigation deadline; the seeded rule
(migration 0002) lists it from the day it is opened and shows it overdue after the deadline
until it is referred to the competent authority or closed. The item names the case (its page).
"""

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from renkou.cases.constants import CASE_ANCHOR, CLOSED_TYPE
from renkou.cases.models import Case
from renkou.common import dates
from renkou.geo.scope import prefix_range
from renkou.todo import populations
from renkou.todo.constants import LOOKBACK, Population
from renkou.todo.populations import Anchor, Closers, PopulationDef, Scope


def _rows(rule: Any, scope: Scope, today: date) -> Any:
    if scope.person_ids is not None:  # a refresh of some persons: no unit's item
        return Case.objects.none()
    rows = Case.objects.filter(deadline__gte=today - LOOKBACK - timedelta(days=rule.expire_days))
    if scope.prefix:
        rows = rows.filter(**prefix_range("unit_code", scope.prefix))
    return rows


def _ended(referred: date | None, closed: date | None) -> date | None:
    """The day the office's investigation ended: referred, or closed (whichever came first)."""
    days = [d for d in (referred, closed) if d is not None]
    return min(days) if days else None


def anchors(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    rows = _rows(rule, scope, today).values_list(
        "pk", "unit_code", "opened_on", "deadline", "referred_on", "closed_on"
    )
    return [
        Anchor(
            person_id=None,
            unit_code=unit,
            anchor_type=CASE_ANCHOR,
            anchor_id=pk,
            anchor_date=deadline,
            first_day=opened,
            holds_until=_ended(referred, closed),
            close_keys=((CASE_ANCHOR, pk),),
        )
        for pk, unit, opened, deadline, referred, closed in rows
    ]


def closers(rule: Any, found: list[Anchor], scope: Scope, today: date) -> Closers:
    return {
        (CASE_ANCHOR, a.anchor_id): [(a.holds_until, CLOSED_TYPE, a.anchor_id)]
        for a in found
        if a.holds_until is not None
    }


def connect() -> None:
    populations.register(
        Population.UNIT_CASE, PopulationDef(anchors, closers, CASE_ANCHOR, personal=False)
    )


def refresh_unit(unit_code: str, today: date) -> None:
    """Bring the unit's case items up to date now (after an opening, a referral, a closing)."""
    from renkou.todo import services as todo
    from renkou.todo.models import ReminderRule

    rules = ReminderRule.objects.filter(population=Population.UNIT_CASE)
    todo.refresh(unit_code, today, rule_ids=list(rules.values_list("pk", flat=True)))


def refresh_later(unit_code: str) -> None:
    """``refresh_unit`` once the caller's transaction commits (nothing if it rolls back)."""
    transaction.on_commit(lambda: refresh_unit(unit_code, dates.today()))
