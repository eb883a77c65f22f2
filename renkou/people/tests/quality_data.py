"""Helpers of the data-quality and duplicate tests: rows written straight through the models,
so that a test can hold records the entry form would refuse (legacy data, deliberate errors)."""

import random
from datetime import date

from renkou.common import idnumber, pinyin
from renkou.people.constants import HEAD
from renkou.people.models import Household, Person, WomanCard
from renkou.people.services import id_index
from renkou.people.tests.conftest import TODAY

RNG = random.Random(8)


def valid_id(birth: date, sex: str, area: str = "623022") -> str:
    return idnumber.generate(RNG, area=area, birth=birth, sex=sex)


def bad_check(number: str) -> str:
    wrong = next(c for c in idnumber.CHECK_CHARS if c != number[17])
    return number[:17] + wrong


def household(village: str, serial: int) -> Household:
    return Household.objects.create(code=f"{village}01{serial:04d}", hukou_type="2")


def person(
    village: str,
    home: Household | None,
    name: str,
    sex: str,
    birth: date,
    *,
    relationship: str = "20",
    number: str | None = "",
    **extra,
) -> Person:
    """A present person of ``village``; ``number=None`` draws a valid ID for the birth and sex."""
    number = valid_id(birth, sex) if number is None else number
    values = {
        "household": home,
        "unit_code": village,
        "name": name,
        "sex": sex,
        "birth_date": birth,
        "relationship": relationship,
        "is_head": relationship == HEAD,
        "ethnicity": "04",
        "marital_status": "10",
        "hukou_type": "2",
        "registered_code": village,
        "residence_code": village,
        "id_type": "01" if number else "08",
        "id_number": number,
        "id_index": id_index(number),
        "name_key": pinyin.search_key(name),
    }
    values.update(extra)
    if values.get("exited_at"):
        values["is_head"] = False
    return Person.objects.create(**values)


def card(woman: Person, opened: date = date(2010, 1, 1)) -> WomanCard:
    return WomanCard.objects.create(person=woman, unit_code=woman.unit_code, opened_on=opened)


__all__ = ["TODAY", "bad_check", "card", "household", "person", "valid_id"]
