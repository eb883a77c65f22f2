"""Reads of the floating-population registers, all through the scoping chokepoint
(``visible_to``): a record outside the user's unit subtree does not exist for them."""

from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from renkou.common.figures import Figure, grouped
from renkou.floating import figures
from renkou.floating.constants import MessageStatus
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
    rows = messages_visible(user)
    if unit := filters.get("unit"):
        rows = rows.filter(**prefix_range("unit_code", unit))
    if way := filters.get("way"):
        rows = rows.filter(way=way)
    status = filters.get("status")
    if status == "overdue":
        rows = rows.filter(status=MessageStatus.OPEN, due_on__lt=today)
    elif status:
        rows = rows.filter(status=status)
    return rows.order_by("status", "due_on", "-pk")
