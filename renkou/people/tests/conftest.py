import random
from datetime import date

import pytest

from renkou.common import idnumber
from renkou.common.actors import Actor
from renkou.geo.models import Unit
from renkou.people import rules

TODAY = date(2026, 11, 29)


@pytest.fixture
def ctx(units):
    known = set(Unit.objects.values_list("code", flat=True))
    return rules.CheckContext.build(TODAY, known_unit=known.__contains__)


@pytest.fixture
def rng():
    return random.Random(20261129)


@pytest.fixture
def actor():
    return Actor(None, "10.0.0.1")


def person_row(rng, village: str, **overrides) -> dict:
    """A typed row as a user would enter it (labels for coded fields, like the template)."""
    row = {
        "name": "王秀英",
        "id_number": idnumber.generate(rng, birth=date(1990, 5, 1), sex="2"),
        "marital_status": "初婚",
        "relationship": "户主",
        "household_code": f"{village}010001",
        "registered_code": village,
        "residence_code": village,
        "ethnicity": "藏族",
    }
    row.update(overrides)
    return row
