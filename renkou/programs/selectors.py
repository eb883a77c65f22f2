"""Scoped reads of the pre-pregnancy exam for the pages: every queryset here passes the scoping
chokepoint (``visible_to(user)``), so out-of-scope rows never reach a page."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from renkou.common import pinyin
from renkou.geo.scope import prefix_range
from renkou.people.selectors import name_q
from renkou.programs import figures
from renkou.programs.constants import DUE_SOON, EARLY_MOOT, FINAL, CoupleStatus, FollowUpKind
from renkou.programs.models import CoupleFile, FollowUp


@dataclass(frozen=True)
class CoupleFilter:
    unit: str = ""  # a code prefix inside the caller's subtree
    name: str = ""  # the wife's or the husband's name, or its pinyin
    status: str = ""  # a CoupleStatus value, or "active" (neither closed nor withdrawn)


def couples_visible(user: Any) -> QuerySet[CoupleFile]:
    return CoupleFile.objects.visible_to(user).select_related("wife", "husband")


def couple_list(user: Any, flt: CoupleFilter) -> QuerySet[CoupleFile]:
    rows = couples_visible(user)
    if flt.unit:
        rows = rows.filter(**prefix_range("unit_code", flt.unit))
    if flt.name:
        term = pinyin.query(flt.name)
        rows = rows.filter(
            name_q(term, "wife__")
            | Q(husband__name__contains=term)
            | Q(husband_name__contains=term)
        )
    if flt.status == "active":
        rows = rows.exclude(status__in=FINAL)
    elif flt.status in CoupleStatus.values:
        rows = rows.filter(status=flt.status)
    return rows.order_by("-opened_on", "-pk")


def followups_due(user: Any, today: date, unit: str = "") -> QuerySet[FollowUp]:
    """随访到期: follow-ups not yet done of files still being served, due within the next 30
    days or overdue, soonest first. An early-pregnancy follow-up still not done at the expected
    delivery is missed (the figures count it so) and leaves the list: the outcome follow-up
    takes over."""
    rows = (
        FollowUp.objects.visible_to(user)
        .filter(done_on__isnull=True, due_on__lte=today + DUE_SOON)
        .exclude(couple__status__in=FINAL)
        .exclude(kind=FollowUpKind.EARLY, due_on__lt=today - EARLY_MOOT)
    )
    if unit:
        rows = rows.filter(**prefix_range("unit_code", unit))
    return rows.select_related("couple", "couple__wife").order_by("due_on", "pk")


def names(user: Any, code: str, side: str, prefix: str, year: int, today: date) -> QuerySet:
    """The name list behind one side (``"n"`` numerator, ``"d"`` denominator) of a figure,
    limited again to what the caller may see."""
    measure = figures.MEASURES[code]
    part = measure.numerator if side == "n" else measure.denominator
    assert part is not None
    return part.rows(prefix, year, today).visible_to(user)
