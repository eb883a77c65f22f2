"""Scoped reads for the benefit pages: every personal queryset passes ``visible_to(user)``."""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from renkou.benefits import screening as kept
from renkou.benefits.constants import Status
from renkou.benefits.eligibility import trace_rows
from renkou.benefits.models import (
    Application,
    Beneficiary,
    Notice,
    PaymentLine,
    PaymentRoll,
    Screening,
)
from renkou.geo.constants import full_code, township_of
from renkou.geo.scope import prefix_range
from renkou.geo.selectors import unit_names
from renkou.people.selectors import name_q

__all__ = [
    "applications",
    "beneficiaries",
    "notices",
    "one_child_certificate_holders",
    "roll_lines",
    "roll_townships",
    "screening",
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


def roll_lines(
    user: Any, roll: PaymentRoll, *, name: str = "", township: str = "", status: str = ""
) -> QuerySet[PaymentLine]:
    """The lines of a roll the caller may see, by name (or pinyin), township and status."""
    rows = PaymentLine.objects.visible_to(user).filter(roll=roll)
    if name.strip():
        rows = rows.filter(name_q(name, via="person__"))
    if township.isdigit() and len(township) == 9:
        rows = rows.filter(**prefix_range("unit_code", township))
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("person", "beneficiary").order_by("serial")


def roll_townships(user: Any, roll: PaymentRoll) -> dict[str, str]:
    """The townships a roll pays into, code prefix (9 digits) → name, in code order."""
    codes = PaymentLine.objects.visible_to(user).filter(roll=roll).values_list("unit_code")
    prefixes = sorted({township_of(code) for (code,) in codes.distinct()})
    names = unit_names(full_code(p) for p in prefixes)
    return {p: names.get(full_code(p), p) for p in prefixes}


def screening(
    user: Any, *, prefix: str = "", program: str = "", verdict: str = "", name: str = ""
) -> QuerySet[Screening]:
    """The 全覆盖 list the caller may see (the kept table, ``renkou.benefits.screening``): who
    appears eligible (符合 or 待核实) with no application yet, by unit, programme, verdict and
    name (or pinyin)."""
    rows = kept.waiting(Screening.objects.visible_to(user).filter(verdict__in=kept.LISTED))
    if prefix:
        rows = rows.filter(**prefix_range("unit_code", prefix))
    if program:
        rows = rows.filter(program__code=program)
    if verdict in kept.LISTED:
        rows = rows.filter(verdict=verdict)
    if name.strip():
        rows = rows.filter(name_q(name, via="person__"))
    # Programmes and rule versions (a handful) fetched apart: a join to them made SQLite start
    # from the small table and sort the whole list instead of reading the first page along the
    # (unit, person, programme) index.
    rows = rows.select_related("person").prefetch_related("program", "version")
    return rows.order_by("unit_code", "person_id", "program_id")


ONE_CHILD = "one_child"  # the programme of the 独生子女父母光荣证 (migration 0002)


def one_child_certificate_holders(*, prefix: str, day: date) -> set[int]:
    """The persons whose couple holds a 独生子女父母光荣证 at the end of ``day``: the applicant
    and the spouse of each one-child application filed in the subtree ``prefix`` that was
    approved with a certificate number on or before the day and was not cancelled (注销) or
    closed (归档) by then. Ids only, for the statutory tables' 期末领取独生子女证人数; the
    table view has checked that the caller sees ``prefix``."""
    held = Application.objects.filter(
        program__code=ONE_CHILD,
        status__in=[Status.APPROVED, Status.CANCELLED, Status.ARCHIVED],
        approved_on__lte=day,
        **prefix_range("unit_code", prefix),
    ).exclude(certificate_no="")
    held = held.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    ids: set[int] = set()
    for person_id, partner_id in held.values_list("person_id", "partner_id"):
        ids.add(person_id)
        if partner_id is not None:
            ids.add(partner_id)
    return ids
