"""Reads of the register, always through the scoping chokepoint."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from renkou.common import idnumber, pinyin
from renkou.geo.scope import prefix_range
from renkou.people.cards import wcba_birth_range
from renkou.people.constants import FEMALE, MARRIED_CODES, CardStatus
from renkou.people.models import Household, Person
from renkou.people.services import id_index

AGE_BANDS = {
    "0-14": (0, 14),
    "15-49": (15, 49),
    "50-59": (50, 59),
    "60-": (60, 200),
    "0-2": (0, 2),
    "3-6": (3, 6),
    "7-17": (7, 17),
    "18-59": (18, 59),
}


@dataclass
class PersonFilter:
    """The search form of the person list (and the export of the same filter)."""

    unit: str = ""  # a code prefix inside the user's subtree
    name: str = ""  # name, or pinyin initials / full pinyin
    sex: str = ""
    age_band: str = ""
    residence_status: str = ""
    marital_status: str = ""
    wcba: str = ""  # "1": open card
    flow: str = ""  # "in" / "out"
    exited: str = ""  # "1": exited persons instead of current ones


def _birth_between(day: date, low: int, high: int) -> Q:
    def years_ago(n: int) -> date:
        try:
            return day.replace(year=day.year - n)
        except ValueError:
            return day.replace(year=day.year - n, day=28)

    latest = years_ago(low)
    earliest = date.fromordinal(years_ago(high + 1).toordinal() + 1)
    return Q(birth_date__gte=earliest, birth_date__lte=latest)


def name_q(typed: str, via: str = "") -> Q:
    """Persons (through ``via``, e.g. ``"person__"``) whose name contains the typed text, or
    one of whose pinyin readings does; spaces inside the text are ignored. Empty: no filter."""
    term = pinyin.query(typed)
    if not term:
        return Q()
    return Q(**{f"{via}name__contains": term}) | Q(**{f"{via}name_key__contains": term.lower()})


def persons_visible(user: Any) -> QuerySet[Person]:
    return Person.objects.visible_to(user)


def person_list(user: Any, flt: PersonFilter, *, today: date) -> QuerySet[Person]:
    rows = persons_visible(user).select_related("household")
    rows = rows.filter(exited_at__isnull=flt.exited != "1")
    if flt.unit.isdigit():
        rows = rows.filter(**prefix_range("unit_code", flt.unit))
    if flt.name:
        rows = rows.filter(name_q(flt.name))
    for field in ("sex", "residence_status", "marital_status"):
        if getattr(flt, field):
            rows = rows.filter(**{field: getattr(flt, field)})
    if flt.age_band in AGE_BANDS:
        rows = rows.filter(_birth_between(today, *AGE_BANDS[flt.age_band]))
    if flt.wcba == "1":
        earliest, latest = wcba_birth_range(today)
        rows = rows.filter(
            card__status=CardStatus.OPEN,
            sex=FEMALE,
            marital_status__in=MARRIED_CODES,
            birth_date__gte=earliest,
            birth_date__lte=latest,
        )
    if flt.flow in ("in", "out"):
        rows = rows.filter(flow=flt.flow)
    return rows.order_by("unit_code", "name", "id")


def person_by_id_number(user: Any, raw: str) -> QuerySet[Person]:
    """Exact search by document number through the blind index (never a LIKE on ciphertext)."""
    number = idnumber.normalise(raw)
    if len(number) == 15 and number.isdigit():
        number = idnumber.upgrade15(number)
    if not number:
        return Person.objects.none()
    return persons_visible(user).filter(id_index=id_index(number))


def households_visible(user: Any) -> QuerySet[Household]:
    return Household.objects.visible_to(user)
