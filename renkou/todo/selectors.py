"""Scoped reads of the to-do lists: every queryset passes the scoping chokepoint
(``TodoItem.objects.visible_to(user)``), and a user sees only the items of rules that name her
role (a village administrator her village, a township officer the township, a technician her
service area: each one's unit subtree)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from renkou.geo.scope import prefix_range
from renkou.todo.constants import Filter, Status
from renkou.todo.models import ReminderRule, TodoItem


@dataclass(frozen=True)
class ItemFilter:
    rule: int | None = None
    unit: str = ""  # a code prefix inside the caller's subtree
    state: str = Filter.OPEN
    month: date | None = None  # the first day of a due month
    person_ids: frozenset[int] | None = None  # from an ID search (POST)


def rules_for(user: Any) -> list[ReminderRule]:
    role = getattr(user, "role", "")
    return [r for r in ReminderRule.objects.filter(active=True) if role in r.role_list]


def items_visible(user: Any) -> QuerySet[TodoItem]:
    rules = [r.pk for r in rules_for(user)]
    return TodoItem.objects.visible_to(user).filter(rule_id__in=rules)


def item_list(user: Any, flt: ItemFilter, today: date) -> QuerySet[TodoItem]:
    rows = items_visible(user)
    if flt.state == Filter.DONE:
        rows = rows.filter(status=Status.DONE, done_on__gte=today - timedelta(days=92))
    else:
        rows = rows.filter(status=Status.OPEN)
    if flt.state == Filter.OVERDUE:
        rows = rows.filter(overdue_on__lt=today)
    elif flt.state == Filter.DUE:
        rows = rows.filter(overdue_on__gte=today)
    if flt.rule:
        rows = rows.filter(rule_id=flt.rule)
    if flt.unit:
        rows = rows.filter(**prefix_range("unit_code", flt.unit))
    if flt.month:
        end = (flt.month + timedelta(days=32)).replace(day=1)
        rows = rows.filter(due_on__gte=flt.month, due_on__lt=end)
    if flt.person_ids is not None:
        rows = rows.filter(person_id__in=flt.person_ids)
    order = ("-done_on", "pk") if flt.state == Filter.DONE else ("due_on", "pk")
    return rows.select_related("rule", "person").order_by(*order)


@dataclass
class RuleCount:
    rule_id: int
    name: str
    open: int = 0
    overdue: int = 0


@dataclass
class Counts:
    """The to-do badge: open and overdue items of the caller, in total and per rule."""

    open: int = 0
    overdue: int = 0
    rules: list[RuleCount] = field(default_factory=list)


def counts_for(user: Any, today: date) -> Counts:
    """For the home page badge and the list's head: one grouped query."""
    rules = {r.pk: r for r in rules_for(user)}
    rows = (
        TodoItem.objects.visible_to(user)
        .filter(rule_id__in=list(rules), status=Status.OPEN)
        .values("rule_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(overdue_on__lt=today)))
    )
    found = {r["rule_id"]: r for r in rows}
    counts = Counts()
    for pk, rule in rules.items():
        row = found.get(pk, {"open": 0, "overdue": 0})
        counts.rules.append(RuleCount(pk, rule.name, row["open"], row["overdue"]))
        counts.open += row["open"]
        counts.overdue += row["overdue"]
    return counts
