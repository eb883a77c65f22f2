"""Builders for the quota tests: the pre-pregnancy scenario of ``renkou.programs.tests`` (its
figures are worked out there by hand) plus married women of village B2 with RH checks and
treatments, built here so the expected counts can be read off the data."""

from datetime import date

import pytest

from conftest import COUNTY, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B2
from renkou.geo.models import ServicePoint, Unit
from renkou.programs.models import RHCheck, Treatment
from renkou.programs.tests.conftest import (  # noqa: F401 — fixtures used by these tests
    add,
    point,
    risk_dictionary,
    scenario,
    staff,
)

RH_YEAR = 2027  # FP year 2027: 2026-10-01 to 2027-09-30
RH_TODAY = date(2027, 1, 31)  # 123 days into FP year 2027


def check(person, on: date, centre, *, abnormal=False, voided=False) -> RHCheck:
    from django.utils import timezone

    return RHCheck.objects.create(
        person=person,
        unit_code=person.unit_code,
        checked_on=on,
        service_point=centre,
        examiner="王医生",
        consent_on=on,
        abnormal=abnormal,
        voided_at=timezone.now() if voided else None,
    )


def treat(person, on: date, centre, kind="01") -> Treatment:
    return Treatment.objects.create(
        person=person,
        unit_code=person.unit_code,
        treated_on=on,
        service_point=centre,
        kind=kind,
        doctor="王医生",
        consent_on=on,
    )


@pytest.fixture
def stations(units, point) -> dict[str, ServicePoint]:  # noqa: F811 — the imported fixture
    b = Unit.objects.get(code=TOWNSHIP_B)
    station = ServicePoint.objects.create(
        unit=b, kind=ServicePoint.Kind.TOWNSHIP_STATION, name="乙乡服务站"
    )
    return {"centre": point, "b": station}


@pytest.fixture
def rh(units, stations):
    """Village B2: four married women aged 30–40 (b1–b4), one unmarried woman (b5), one married
    man (b6); village A1: one married woman (a1). RH checks in FP year 2027: b1 twice (one
    abnormal), b2 once, b3 once but voided; b4 only in FP year 2026; a1 once at the county
    centre. 蓝氧 treatments: b1 twice at the B station, b2 once at the county centre, a1 once at
    the county centre, b1 one other treatment (kind 02); b2 one 蓝氧 in FP 2026."""
    born = date(1990, 6, 1)
    p = {
        "b1": add("乙一", "2", born, VILLAGE_B2),
        "b2": add("乙二", "2", born, VILLAGE_B2),
        "b3": add("乙三", "2", born, VILLAGE_B2),
        "b4": add("乙四", "2", date(1986, 1, 1), VILLAGE_B2),
        "b5": add("乙五", "2", born, VILLAGE_B2, marital_status="10"),
        "b6": add("乙六", "1", born, VILLAGE_B2),
        "a1": add("甲一", "2", born, VILLAGE_A1),
    }
    centre, station = stations["centre"], stations["b"]
    check(p["b1"], date(2026, 10, 5), station, abnormal=True)
    check(p["b1"], date(2027, 1, 10), station)
    check(p["b2"], date(2026, 11, 20), station)
    check(p["b3"], date(2026, 12, 1), station, voided=True)
    check(p["b4"], date(2026, 9, 30), station)
    check(p["a1"], date(2026, 12, 2), centre)
    treat(p["b1"], date(2026, 10, 6), station)
    treat(p["b1"], date(2026, 11, 6), station)
    treat(p["b2"], date(2026, 12, 6), centre)
    treat(p["a1"], date(2027, 1, 6), centre)
    treat(p["b1"], date(2027, 1, 7), station, kind="02")
    treat(p["b2"], date(2026, 9, 6), station)
    return p


__all__ = ["COUNTY", "RH_TODAY", "RH_YEAR"]
