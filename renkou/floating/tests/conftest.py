"""A small fixture for the floating app: inflow and outflow persons in both townships."""

from datetime import date

import pytest

from conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.people.models import Person

TODAY = date(2027, 6, 1)  # FP year 2027 (1 Oct 2026 – 30 Sep 2027)


def person(name: str, sex: str, born: date, unit: str = VILLAGE_A1, flow: str = "in") -> Person:
    return Person.objects.create(
        unit_code=unit,
        name=name,
        sex=sex,
        birth_date=born,
        registered_code="510107000000" if flow == "in" else unit,
        residence_code=unit,
        flow=flow,
        flow_place="四川省成都市武侯区",
        flow_reason="1",
        flow_date=date(2026, 1, 1),
    )


@pytest.fixture
def woman_a(units) -> Person:
    return person("流入甲", "2", date(1995, 3, 1))


@pytest.fixture
def woman_b(units) -> Person:
    return person("流入乙", "2", date(1992, 7, 9), unit=VILLAGE_B1)


@pytest.fixture
def woman_a2(units) -> Person:
    return person("流入丙", "2", date(1990, 1, 1), unit=VILLAGE_A2)


VALUES = {
    "direction": "in",
    "place_code": "510107",
    "place_text": "四川省成都市武侯区",
    "reason": "1",
    "left_on": date(2027, 1, 5),
    "arrived_on": date(2027, 1, 10),
    "residence": "城关镇迎宾路8号",
    "employer": "县城建筑工地",
    "contact": "13912345678",
    "expected_return": None,
    "returned_on": None,
}

CERT = {
    "number": "婚育证明第00001号",
    "authority": "武侯区某街道办事处",
    "issued_on": date(2027, 1, 1),
    "valid_until": date(2030, 1, 1),
    "result": "valid",
    "checked_on": date(2027, 2, 1),
}
