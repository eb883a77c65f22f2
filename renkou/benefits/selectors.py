"""Scoped reads for the benefit pages: every personal queryset passes ``visible_to(user)``."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from renkou.benefits.eligibility import trace_rows
from renkou.benefits.models import Application, Beneficiary, Notice
from renkou.geo.models import Unit
from renkou.geo.scope import prefix_range
from renkou.people.selectors import name_q

__all__ = [
    "applications",
    "beneficiaries",
    "notices",
    "trace_rows",
    "unit_names",
    "unit_prefix",
]


def unit_prefix(user: Any, requested: str) -> str:
    """The requested unit prefix if it lies inside the caller's subtree, else the caller's own."""
    own = getattr(user, "scope_prefix", None) or ""
    if requested.isdigit() and requested.startswith(own) and len(requested) in (6, 9, 12):
        return requested
    return own


def unit_names(codes: Iterable[str]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(Unit.objects.current().filter(code__in=wanted).values_list("code", "name"))


def applications(
    user: Any, *, prefix: str = "", program: str = "", status: str = "", name: str = ""
) -> QuerySet[Application]:
    rows = Application.objects.visible_to(user).select_related("program", "person", "partner")
    if prefix:
        rows = rows.filter(**prefix_range("unit_code", prefix))
    if program:
        rows = rows.filter(program__code=program)
    if status:
        rows = rows.filter(status=status)
    if name:
        rows = rows.filter(name_q(name, "person__") | name_q(name, "partner__"))
    return rows.order_by("-filed_on", "-pk")


def notices(user: Any) -> QuerySet[Notice]:
    return Notice.objects.visible_to(user).select_related("program").order_by("-starts_on", "-pk")


def beneficiaries(
    user: Any, *, prefix: str = "", program: str = "", status: str = ""
) -> QuerySet[Beneficiary]:
    rows = Beneficiary.objects.visible_to(user).select_related("program", "person")
    if prefix:
        rows = rows.filter(**prefix_range("unit_code", prefix))
    if program:
        rows = rows.filter(program__code=program)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("unit_code", "program__sort", "pk")
