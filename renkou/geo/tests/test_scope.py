"""The scoped querysets of ``renkou.geo.scope`` for rows without personal data: the one
``UnitRowQuerySet`` (it replaced seven copies in programs, assessment, geo, benefits, events,
reports and accounts) and the one ``CountyWideQuerySet`` (benefit policies, reminder rules)."""

from types import SimpleNamespace

import pytest

from conftest import OTHER_COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.geo.models import ServicePoint
from renkou.geo.scope import CountyWideQuerySet, ScopedQuerySet, UnitRowQuerySet

pytestmark = pytest.mark.django_db


def _user(prefix, *, persons=False, signed_in=True):
    """What the scope reads of an account (accounts.User provides the same attributes)."""
    return SimpleNamespace(
        is_authenticated=signed_in, scope_prefix=prefix, reads_person_data=persons
    )


@pytest.fixture
def points(units):
    return {
        code: ServicePoint.objects.create(
            unit=units[code], kind=ServicePoint.Kind.TOWNSHIP_STATION, name=f"站{code}"
        )
        for code in (TOWNSHIP_A, TOWNSHIP_B, OTHER_COUNTY)
    }


def _names(queryset):
    return sorted(queryset.values_list("unit_code", flat=True))


def test_unit_rows_are_seen_in_the_subtree_without_person_access(points):
    leader_of_a = _user(TOWNSHIP_A[:9])  # no person access, like a 领导
    assert isinstance(ServicePoint.objects.all(), UnitRowQuerySet)
    assert _names(ServicePoint.objects.visible_to(leader_of_a)) == [TOWNSHIP_A]
    county = _user(TOWNSHIP_A[:6], persons=True)
    assert _names(ServicePoint.objects.visible_to(county)) == [TOWNSHIP_A, TOWNSHIP_B]


def test_no_scope_or_not_signed_in_sees_no_unit_row(points):
    assert _names(ServicePoint.objects.visible_to(_user(None))) == []
    nobody = _user(TOWNSHIP_A[:6], signed_in=False)
    assert _names(ServicePoint.objects.visible_to(nobody)) == []


def test_a_personal_queryset_hides_the_same_rows_from_a_role_without_person_access(points):
    leader_of_a = _user(TOWNSHIP_A[:9])
    assert _names(ScopedQuerySet(model=ServicePoint).visible_to(leader_of_a)) == []
    worker_of_a = _user(TOWNSHIP_A[:9], persons=True)
    assert _names(ScopedQuerySet(model=ServicePoint).visible_to(worker_of_a)) == [TOWNSHIP_A]


def test_county_wide_rows_are_read_whole_by_any_scoped_account(points):
    rows = CountyWideQuerySet(model=ServicePoint)
    assert len(_names(rows.visible_to(_user(TOWNSHIP_A[:9])))) == 3
    assert _names(rows.visible_to(_user(None))) == []
    assert _names(rows.visible_to(_user(TOWNSHIP_A[:6], signed_in=False))) == []
