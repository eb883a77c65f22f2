"""Reads of the unit tree, scoped to the caller (unit names for display excepted)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q

from renkou.geo.constants import Level, full_code, township_of
from renkou.geo.models import ServicePoint, Unit, UnitQuerySet


def unit_names(codes: Iterable[str]) -> dict[str, str]:
    """Current name of each unit in ``codes`` (a full code, or a prefix read as the unit it
    names), keyed by the full code, in one query; empty codes are skipped.

    Not scoped: a unit's name is public (the national division list); the pages call this only
    to label rows the caller may already see."""
    wanted = {full_code(c) for c in codes if c}
    if not wanted:
        return {}
    return dict(Unit.objects.current().filter(code__in=wanted).values_list("code", "name"))


def units_visible(user: Any) -> UnitQuerySet:
    return Unit.objects.current().visible_to(user).select_related("parent")


def unit_list(user: Any, *, q: str = "", parent: str = "", level: str = "") -> UnitQuerySet:
    units = (
        units_visible(user)
        .annotate(child_count=Count("children", filter=Q(children__valid_to__isnull=True)))
        .order_by("code")
    )
    if q:
        units = units.filter(Q(name__contains=q) | Q(code__startswith=q))
    if parent:
        units = units.filter(prefix__startswith=parent)
    if level in LEVEL_VALUES:  # anything else (letters, huge or negative numbers) is no filter
        units = units.filter(level=int(level))
    return units


LEVEL_VALUES = frozenset(str(value) for value in Level.values)


def unit_tree(user: Any) -> list[dict[str, Any]]:
    """County → townships (→ village count) for the department-tree filter beside lists."""
    units = list(units_visible(user).filter(level__lte=Level.TOWNSHIP).order_by("code"))
    by_parent: dict[int | None, list[Unit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    ids = {u.pk for u in units}
    roots = [u for u in units if u.parent_id not in ids]
    return [{"unit": r, "children": by_parent.get(r.pk, [])} for r in roots]


def side_tree(user: Any, selected: str) -> list[dict[str, Any]]:
    """The unit tree beside lists (person list, event register): county and townships, and the
    villages of the township that is open (the selected one, or the account's own)."""
    scope = user.scope_prefix or ""
    near = selected if len(selected) >= 9 else scope
    opened = township_of(near) if len(near) >= 9 else ""
    shown = Q(level__lte=Level.TOWNSHIP)
    if opened:
        shown |= Q(level=Level.VILLAGE, prefix__startswith=opened)
    units = list(units_visible(user).filter(shown).order_by("code"))
    top = min((u.level for u in units), default=Level.COUNTY)
    return [{"unit": u, "depth": u.level - top, "active": u.prefix == selected} for u in units]


def service_points(user: Any) -> Any:
    return (
        ServicePoint.objects.visible_to(user)
        .select_related("unit")
        .order_by("unit__code", "kind", "pk")
    )
