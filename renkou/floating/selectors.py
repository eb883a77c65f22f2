"""Reads of the floating-population registers, all through the scoping chokepoint
(``visible_to``): a record outside the user's unit subtree does not exist for them."""

from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Substr

from renkou.common.figures import Figure, grouped
from renkou.common.periods import Period
from renkou.floating import figures
from renkou.floating.constants import MessageStatus, MessageWay
from renkou.floating.models import Certificate, FloatingRecord, Message
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import prefix_range
from renkou.people import selectors as people_selectors
from renkou.people.models import Person


def records_visible(user: Any) -> QuerySet[FloatingRecord]:
    return FloatingRecord.objects.visible_to(user).select_related("person")


def certificates_visible(user: Any) -> QuerySet[Certificate]:
    return Certificate.objects.visible_to(user).select_related("record__person")


def record_list(user: Any, filters: dict[str, Any]) -> QuerySet[FloatingRecord]:
    """The register of the user's subtree, filtered: unit, direction, name, current only,
    certificate state (inflow: 未核验 / 已过期 / 有效)."""
    rows = records_visible(user)
    if unit := filters.get("unit"):
        rows = rows.filter(**prefix_range("unit_code", unit))
    if direction := filters.get("direction"):
        rows = rows.filter(direction=direction)
    if name := filters.get("name"):
        rows = rows.filter(people_selectors.name_q(name, "person__"))
    if filters.get("current"):
        rows = rows.filter(returned_on__isnull=True)
    if start := filters.get("start"):
        rows = rows.filter(arrived_on__gte=start)
    if end := filters.get("end"):
        rows = rows.filter(arrived_on__lte=end)
    verified = Certificate.objects.exclude(result="").filter(checked_on__isnull=False)
    rows = rows.prefetch_related(
        Prefetch("certificates", queryset=verified.order_by("-valid_until"), to_attr="verified")
    )
    return rows.order_by("-arrived_on", "-pk")


def certificate_state(record: FloatingRecord, today: date) -> str:
    """未核验 / 已过期 / 有效 of an inflow record (from its prefetched verified certificates)."""
    verified = getattr(record, "verified", None)
    if verified is None:
        verified = list(record.certificates.exclude(result="").filter(checked_on__isnull=False))
    if not verified:
        return "未核验"
    return "有效" if max(c.valid_until for c in verified) >= today else "已过期"


def persons_to_register(user: Any, name: str) -> QuerySet[Person]:
    """Register persons of the user's subtree matching a typed name, for 登记流动."""
    rows = Person.objects.visible_to(user).filter(exited_at__isnull=True)
    return rows.filter(people_selectors.name_q(name)).order_by("unit_code", "name", "pk")[:50]


def townships(user: Any) -> list[Unit]:
    """The townships of the user's subtree (the rate table's rows); a village account gets its
    own township's village row only."""
    prefix = getattr(user, "scope_prefix", None)
    if prefix is None:
        return []
    rows = Unit.objects.current().subtree(prefix)
    level = Level.TOWNSHIP if len(prefix) <= 9 else Level.VILLAGE
    return list(rows.filter(level=level).order_by("code"))


def check_rate_table(user: Any, year: int, today: date) -> tuple[list[Figure], Figure | None]:
    """The check rate of each township of the user's subtree and of the subtree itself, counted
    from the name lists of ``figures.MEASURE`` grouped by unit (one query per side)."""
    prefix = getattr(user, "scope_prefix", None)
    if prefix is None:
        return [], None
    m = figures.MEASURE
    assert m.denominator is not None
    rows = []
    units = townships(user)
    length = len(units[0].prefix) if units else len(prefix)
    done = grouped(m.numerator.rows(prefix, year, today), "unit_code", length)
    base = grouped(m.denominator.rows(prefix, year, today), "unit_code", length)
    for unit in units:
        fig = m.figure(done.get(unit.prefix, 0), base.get(unit.prefix, 0), unit_code=unit.prefix)
        fig.extra["unit_name"] = unit.name
        rows.append(fig)
    total = m.figure(sum(done.values()), sum(base.values()), unit_code=prefix)
    return rows, total


def messages_visible(user: Any) -> QuerySet[Message]:
    return Message.objects.visible_to(user)


def message_list(user: Any, filters: dict[str, Any], today: date) -> QuerySet[Message]:
    """The messages of the user's subtree, filtered: unit, way, status (incl. 已逾期 today),
    the local person they are about, and a month (dated in it) with the state at its end
    (``figures.state_q``: the monthly cut-off's name lists)."""
    rows = messages_visible(user).select_related("person")
    if unit := filters.get("unit"):
        rows = rows.filter(**prefix_range("unit_code", unit))
    if way := filters.get("way"):
        rows = rows.filter(way=way)
    if person := filters.get("person"):
        rows = rows.filter(person_id=person)
    status = filters.get("status")
    if status == "overdue":
        rows = rows.filter(status=MessageStatus.OPEN, due_on__lt=today)
    elif status:
        rows = rows.filter(status=status)
    if (year := filters.get("year")) and (listed := filters.get("timely")):
        prefix = getattr(user, "scope_prefix", None) or ""
        lister = figures.TIMELY_LISTS[listed]
        rows = rows.filter(pk__in=lister(prefix, year, today).values("pk"))
    month: Period | None = filters.get("month")
    if month is not None:
        rows = rows.filter(dated_on__gte=month.start, dated_on__lte=month.end)
        if state := filters.get("state"):
            rows = rows.filter(figures.state_q(state, min(month.end, today)))
    return rows.order_by("status", "due_on", "-pk")


def match_candidates(user: Any, message: Message) -> QuerySet[Person]:
    """候选人员: register persons of the user's subtree with the subject's name and birth date,
    for the officer to confirm; none once the subject is linked or ruled out, or without both
    values. A subject whose ID number matched no one in the subtree is offered them too."""
    if message.match or not (message.subject_name and message.subject_birth_date):
        return Person.objects.none()
    rows = people_selectors.persons_visible(user).filter(
        name=message.subject_name, birth_date=message.subject_birth_date
    )
    return rows.order_by("exited_at", "unit_code", "pk")[:20]


MONTH_COLUMNS = ("dated", *figures.STATES)


def monthly_table(user: Any, month: Period, today: date) -> list[dict[str, Any]]:
    """协查月度统计: per township of the user's subtree (and a total row), the messages received
    and sent in the month and their state at the month's end (or today, for the current
    month): answered on time, late, unanswered and overdue, unanswered within the deadline.
    One query; each number is the count of the message list's month filter (for an account
    that may read the list)."""
    prefix = getattr(user, "scope_prefix", None)
    if prefix is None:
        return []
    day = min(month.end, today)
    units = townships(user)
    length = len(units[0].prefix) if units else len(prefix)
    # Counts of the user's subtree, as the rate tables count (no names: leaders see them too).
    rows = Message.objects.filter(
        dated_on__gte=month.start, dated_on__lte=month.end, **prefix_range("unit_code", prefix)
    )
    counts: dict[tuple[str, str], dict[str, int]] = {}
    annotated = rows.order_by().annotate(g=Substr("unit_code", 1, length)).values("g", "way")
    aggregates = {"dated": Count("pk")} | {
        state: Count("pk", filter=figures.state_q(state, day)) for state in figures.STATES
    }
    for found in annotated.annotate(**aggregates):
        r: dict[str, Any] = dict(found)
        counts[(r["g"], r["way"])] = {c: r[c] for c in MONTH_COLUMNS}
    empty = dict.fromkeys(MONTH_COLUMNS, 0)
    table: list[dict[str, Any]] = []
    for unit in units:
        cells = {w: counts.get((unit.prefix, w), empty) for w in MessageWay.values}
        table.append({"unit": unit.prefix, "name": unit.name, "cells": cells})

    def summed(keys: list[tuple[str, str]], way: str) -> dict[str, int]:
        return {c: sum(counts[k][c] for k in keys if k[1] == way) for c in MONTH_COLUMNS}

    listed = {u.prefix for u in units}
    # Messages kept by the county (or a unit above the township rows) have a row of their own.
    own = [k for k in counts if k[0] not in listed]
    if own:
        cells = {w: summed(own, w) for w in MessageWay.values}
        table.append({"unit": prefix, "name": "本级", "cells": cells, "own": True})
    total = {w: summed(list(counts), w) for w in MessageWay.values}
    table.append({"unit": prefix, "name": "合计", "cells": total, "total": True})
    return table


def timeliness_table(user: Any, year: int, today: date) -> tuple[list[Figure], Figure | None]:
    """协查反馈及时率 of each township of the user's subtree and of the subtree, counted from the
    name lists of ``figures.TIMELY`` grouped by unit; ``extra`` holds the late and overdue
    counts beside it (one query per list)."""
    prefix = getattr(user, "scope_prefix", None)
    if prefix is None:
        return [], None
    units = townships(user)
    length = len(units[0].prefix) if units else len(prefix)
    counts = {
        key: grouped(lister(prefix, year, today), "unit_code", length)
        for key, lister in figures.TIMELY_LISTS.items()
    }
    m = figures.TIMELY

    def figure(unit_code: str, name: str, pick: Any) -> Figure:
        fig = m.figure(pick(figures.ON_TIME), pick(figures.DUE), unit_code=unit_code)
        fig.extra.update(
            unit_name=name,
            late=pick(figures.LATE),
            overdue=pick(figures.OVERDUE),
            cols=[(key, pick(key)) for key in figures.TIMELY_LISTS],
        )
        return fig

    rows = [figure(u.prefix, u.name, lambda key, u=u: counts[key].get(u.prefix, 0)) for u in units]
    total = figure(prefix, "合计", lambda key: sum(counts[key].values()))
    return rows, total
