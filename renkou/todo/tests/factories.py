"""Test data of the to-do tests: a married woman with an open card, her episodes, visits."""

from datetime import date
from itertools import count

from renkou.people.models import ContraceptionEpisode, Person, Pregnancy, WomanCard
from renkou.people.services import id_index

VILLAGE = "620001100201"
OTHER_VILLAGE = "620001101201"
_serial = count(1)


def woman(unit_code: str = VILLAGE, *, name: str = "", id_number: str = "") -> Person:
    n = next(_serial)
    person = Person.objects.create(
        name=name or f"测试妇女{n}",
        sex="2",
        birth_date=date(1995, 3, 1),
        marital_status="20",
        unit_code=unit_code,
        registered_code=unit_code,
        residence_code=unit_code,
        id_number=id_number,
        id_index=id_index(id_number),
    )
    WomanCard.objects.create(person=person, unit_code=unit_code, opened_on=date(2020, 1, 1))
    return person


def episode(person: Person, method: str, start: date, end: date | None = None):
    return ContraceptionEpisode.objects.create(
        card=person.card, unit_code=person.unit_code, method=method, start=start, end=end
    )


def pregnancy(person: Person, outcome: str, outcome_date: date) -> Pregnancy:
    return Pregnancy.objects.create(
        card=person.card,
        unit_code=person.unit_code,
        detected_on=date(2025, 11, 1),
        outcome=outcome,
        outcome_date=outcome_date,
    )


def visit(person: Person, reason: str, on: date, *, episode=None, pregnancy=None):
    from renkou.programs.models import ContraceptionVisit

    return ContraceptionVisit.objects.create(
        person=person,
        unit_code=person.unit_code,
        episode=episode,
        pregnancy=pregnancy,
        visited_on=on,
        reason=reason,
        method="phone",
        result="normal",
        visitor="测试",
    )
