"""Builders shared by the benefit tests: persons, couples and their card's children, the seeded
programmes (re-seeded when a transactional test flushed them)."""

import importlib
from datetime import date

import pytest

from conftest import VILLAGE_A1
from renkou.common.actors import Actor
from renkou.people.models import Child, Person, WomanCard


def person(name="张三", sex="1", born=date(1960, 5, 1), unit=VILLAGE_A1, **extra):
    values = {
        "name": name,
        "sex": sex,
        "birth_date": born,
        "unit_code": unit,
        "registered_code": unit,
        "residence_code": unit,
        "hukou_type": "2",
        "marital_status": "20",
    }
    values.update(extra)
    return Person.objects.create(**values)


def couple(husband_born=date(1960, 5, 1), wife_born=date(1962, 3, 1), unit=VILLAGE_A1, **extra):
    husband = person("李强", "1", husband_born, unit, **extra)
    wife = person("王芳", "2", wife_born, unit, **extra)
    husband.spouse, wife.spouse = wife, husband
    husband.save(update_fields=["spouse"])
    wife.save(update_fields=["spouse"])
    return husband, wife


def child(wife, parity=1, sex="1", born=date(1988, 6, 1), **extra):
    card, _ = WomanCard.objects.get_or_create(
        person=wife, defaults={"unit_code": wife.unit_code, "opened_on": date(1985, 1, 1)}
    )
    return Child.objects.create(
        card=card,
        unit_code=wife.unit_code,
        parity=parity,
        name=f"孩{parity}",
        sex=sex,
        birth_date=born,
        **extra,
    )


def actor(personas, role):
    return Actor(personas[role], "10.0.0.1")


@pytest.fixture
def programs(db):
    """The seeded programmes (the data migration, run again: it is idempotent)."""
    from django.apps import apps

    seed = importlib.import_module("renkou.benefits.migrations.0002_seed_programs")
    seed.forward(apps, None)
    from renkou.benefits.models import Program

    return {p.code: p for p in Program.objects.all()}
