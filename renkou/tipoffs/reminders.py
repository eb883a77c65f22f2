"""The tip-offs' items on the to-do lists (renkou.todo), registered here because the records
live in this app (the to-do app imports nothing above it).

``unit_tipoff``: a tip-off of a unit, dated at its handling deadline; the seeded rule
(migration 0002) lists it from the day it is received and shows it overdue after the deadline
until it is concluded. The item names the tip-off (its page), never the informant.
"""

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from renkou.common import dates
from renkou.geo.scope import prefix_range
from renkou.tipoffs.constants import CLOSED_TYPE, TIPOFF_ANCHOR
from renkou.tipoffs.models import TipOff
from renkou.todo import populations
from renkou.todo.constants import LOOKBACK, Population
from renkou.todo.populations import Anchor, Closers, PopulationDef, Scope


def _rows(rule: Any, scope: Scope, today: date) -> Any:
    if scope.person_ids is not None:  # a refresh of some persons: no unit's item
        return TipOff.objects.none()
    rows = TipOff.objects.filter(deadline__gte=today - LOOKBACK - timedelta(days=rule.expire_days))
    if scope.prefix:
        rows = rows.filter(**prefix_range("unit_code", scope.prefix))
    return rows


def anchors(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    rows = _rows(rule, scope, today).values_list(
        "pk", "unit_code", "received_on", "deadline", "concluded_on"
    )
    return [
        Anchor(
            person_id=None,
            unit_code=unit,
            anchor_type=TIPOFF_ANCHOR,
            anchor_id=pk,
            anchor_date=deadline,
            first_day=received,
            holds_until=concluded,
            close_keys=((TIPOFF_ANCHOR, pk),),
        )
        for pk, unit, received, deadline, concluded in rows
    ]


def closers(rule: Any, found: list[Anchor], scope: Scope, today: date) -> Closers:
    ids = [a.anchor_id for a in found if a.holds_until is not None]
    rows = TipOff.objects.filter(pk__in=ids, concluded_on__isnull=False)
    return {
        (TIPOFF_ANCHOR, pk): [(day, CLOSED_TYPE, pk)]
        for pk, day in rows.values_list("pk", "concluded_on")
    }


def connect() -> None:
    populations.register(
        Population.UNIT_TIPOFF, PopulationDef(anchors, closers, TIPOFF_ANCHOR, personal=False)
    )


def refresh_unit(unit_code: str, today: date) -> None:
    """Bring the unit's tip-off items up to date now (after a receipt or a conclusion)."""
    from renkou.todo import services as todo
    from renkou.todo.models import ReminderRule

    rules = ReminderRule.objects.filter(population=Population.UNIT_TIPOFF)
    todo.refresh(unit_code, today, rule_ids=list(rules.values_list("pk", flat=True)))


def refresh_later(unit_code: str) -> None:
    """``refresh_unit`` once the caller's transaction commits (nothing if it rolls back)."""
    transaction.on_commit(lambda: refresh_unit(unit_code, dates.today()))
