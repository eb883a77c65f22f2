"""``geo.selectors.unit_names``: the one lookup of unit names beside listed rows (it replaced a
copy in each of six view modules and benefits.selectors)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1
from renkou.common.actors import Actor
from renkou.geo import services
from renkou.geo.selectors import unit_names

pytestmark = pytest.mark.django_db


def test_full_codes_and_prefixes_name_their_units_in_one_query(units):
    with CaptureQueriesContext(connection) as queries:
        names = unit_names([VILLAGE_A1, "620001101", "", VILLAGE_A1])
    assert len(queries) == 1
    assert names == {VILLAGE_A1: "甲一村", TOWNSHIP_B: "乙乡"}


def test_nothing_to_name_asks_nothing(units):
    with CaptureQueriesContext(connection) as queries:
        assert unit_names(["", ""]) == {}
        assert unit_names(x for x in []) == {}
    assert len(queries) == 0


def test_a_renamed_unit_is_shown_by_its_current_name(units, personas):
    services.unit_rename(
        actor=Actor(personas["sys_admin"]),
        unit=units[VILLAGE_B1],
        name="乙一新村",
        valid_from=date(2026, 1, 1),
    )
    assert unit_names([VILLAGE_B1, TOWNSHIP_A]) == {VILLAGE_B1: "乙一新村", TOWNSHIP_A: "甲镇"}
