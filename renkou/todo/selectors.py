"""Scoped reads of the to-do lists: every queryset passes the scoping chokepoint
(``TodoItem.objects.visible_to(user)``), and a user sees only the items of rules that name her
role (a village administrator her village, a township officer the township, a technician her
service area: each one's unit subtree)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from renkou.geo.scope import prefix_range
from renkou.todo.constants import RECENT, WEEK_AHEAD, Filter, Status
from renkou.todo.models import ReminderRule, TodoItem


@dataclass(frozen=True)
class ItemFilter:
    rule: int | None = None
    unit: str = ""  # a code prefix inside the caller's subtree
    state: str = Filter.WEEK
    month: date | None = None  # the first day of a due month
    person_ids: frozenset[int] | None = None  # from an ID search (POST)


def rules_for(user: Any) -> list[ReminderRule]:
    role = getattr(user, "role", "")
    return [r for r in ReminderRule.objects.filter(active=True) if role in r.role_list]


def items_visible(user: Any) -> QuerySet[TodoItem]:
    rules = [r.pk for r in rules_for(user)]
    return TodoItem.objects.visible_to(user).filter(rule_id__in=rules)


def _by_state(rows: QuerySet[TodoItem], state: str, today: date) -> QuerySet[TodoItem]:
    if state == Filter.DONE:
        return rows.filter(status=Status.DONE, done_on__gte=today - RECENT)
    if state == Filter.LAPSED:
        return rows.filter(status=Status.EXPIRED, ends_on__gte=today - RECENT)
    # Open items whose window still runs (a lapsed one waiting for the nightly refresh is
    # not shown as overdue).
    rows = rows.filter(status=Status.OPEN, ends_on__gte=today)
    if state == Filter.OVERDUE:
        return rows.filter(overdue_on__lt=today)
    if state == Filter.DUE:
        return rows.filter(overdue_on__gte=today)
    if state == Filter.WEEK:
        return rows.filter(due_on__lte=today + WEEK_AHEAD)
    return rows


# Urgency: the offer whose window closes first, then the earlier due date.
ORDER = {
    Filter.DONE: ("-done_on", "pk"),
    Filter.LAPSED: ("-ends_on", "pk"),
}
URGENT = ("ends_on", "due_on", "pk")


def item_list(user: Any, flt: ItemFilter, today: date) -> QuerySet[TodoItem]:
    rows = _by_state(items_visible(user), flt.state, today)
    if flt.rule:
        rows = rows.filter(rule_id=flt.rule)
    if flt.unit:
        rows = rows.filter(**prefix_range("unit_code", flt.unit))
    if flt.month:
        end = (flt.month + timedelta(days=32)).replace(day=1)
        rows = rows.filter(due_on__gte=flt.month, due_on__lt=end)
    if flt.person_ids is not None:
        rows = rows.filter(person_id__in=flt.person_ids)
    order = ORDER.get(flt.state, URGENT)
    return rows.select_related("rule", "person").order_by(*order)


@dataclass
class RuleCount:
    rule_id: int
    name: str
    open: int = 0
    overdue: int = 0
    week: int = 0
    lapsed: int = 0


@dataclass
class Counts:
    """The to-do badge: open items of the caller (of which overdue, and due this week or
    overdue), and those that lapsed as 未办理 in the last three months, in total and per rule."""

    open: int = 0
    overdue: int = 0
    week: int = 0
    lapsed: int = 0
    rules: list[RuleCount] = field(default_factory=list)


def counts_for(user: Any, today: date) -> Counts:
    """For the home page badge and the list's head: one grouped query."""
    rules = {r.pk: r for r in rules_for(user)}
    live = Q(status=Status.OPEN, ends_on__gte=today)
    rows = (
        TodoItem.objects.visible_to(user)
        .filter(rule_id__in=list(rules))
        .filter(live | Q(status=Status.EXPIRED, ends_on__gte=today - RECENT))
        .values("rule_id")
        .annotate(
            open=Count("pk", filter=live),
            overdue=Count("pk", filter=live & Q(overdue_on__lt=today)),
            week=Count("pk", filter=live & Q(due_on__lte=today + WEEK_AHEAD)),
            lapsed=Count("pk", filter=Q(status=Status.EXPIRED)),
        )
    )
    found = {r["rule_id"]: r for r in rows}
    counts = Counts()
    for pk, rule in rules.items():
        row = found.get(pk, {"open": 0, "overdue": 0, "week": 0, "lapsed": 0})
        values = {k: row[k] for k in ("open", "overdue", "week", "lapsed")}
        counts.rules.append(RuleCount(pk, rule.name, **values))
        for key, value in values.items():
            setattr(counts, key, getattr(counts, key) + value)
    return counts
