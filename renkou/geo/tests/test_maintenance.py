"""Maintaining the unit tree from the web: rename with history, village groups, service points."""

from datetime import date

import pytest

from conftest import OTHER_VILLAGE, TOWNSHIP_A, VILLAGE_A1
from renkou.common.models import AuditEntry
from renkou.geo.models import ServicePoint, Unit, VillageGroup


@pytest.fixture
def admin(personas, signed_in_client):
    return signed_in_client(personas["sys_admin"])


def test_rename_keeps_the_old_name_and_moves_children(admin, units):
    response = admin.post(
        f"/geo/units/{TOWNSHIP_A}/rename/", {"name": "甲新镇", "valid_from": "2025年1月1日"}
    )
    assert response.status_code == 302
    rows = Unit.objects.filter(code=TOWNSHIP_A).order_by("valid_from")
    assert [(u.name, u.valid_to) for u in rows] == [("甲镇", date(2025, 1, 1)), ("甲新镇", None)]
    current = rows.last()
    assert set(Unit.objects.filter(parent=current).values_list("code", flat=True)) == {
        "620001100201",
        "620001100202",
    }
    assert AuditEntry.objects.filter(action="unit.rename", object_id=TOWNSHIP_A).count() == 1
    page = admin.get(f"/geo/units/{TOWNSHIP_A}/").content.decode()
    assert "甲新镇" in page and "甲镇" in page  # history shows both names


def test_rename_date_must_follow_the_current_name(admin, units):
    response = admin.post(
        f"/geo/units/{TOWNSHIP_A}/rename/", {"name": "甲新镇", "valid_from": "2000-01-01"}
    )
    assert response.status_code == 200
    assert "启用日期须晚于" in response.content.decode()
    assert Unit.objects.filter(code=TOWNSHIP_A).count() == 1


def test_village_group_numbers_are_two_digits_and_unique(admin, units):
    url = f"/geo/units/{VILLAGE_A1}/groups/add/"
    assert admin.post(url, {"number": "01", "name": "一组"}).status_code == 302
    again = admin.post(url, {"number": "01", "name": "重复"})
    assert "与已有记录重复" in again.content.decode()
    bad = admin.post(url, {"number": "1", "name": "一组"})
    assert "组号为 2 位数字" in bad.content.decode()
    assert list(VillageGroup.objects.values_list("unit_code", "number")) == [(VILLAGE_A1, "01")]


def test_groups_only_under_villages(admin, units):
    response = admin.post(f"/geo/units/{TOWNSHIP_A}/groups/add/", {"number": "01", "name": "x"})
    assert "村民小组只能建在村" in response.content.decode()
    assert not VillageGroup.objects.exists()


def test_service_point_added_and_listed(admin, units):
    admin.post(
        f"/geo/units/{VILLAGE_A1}/service-points/add/",
        {"kind": "village_room", "name": "甲一村计生服务室"},
    )
    assert ServicePoint.objects.get().unit_code == VILLAGE_A1
    assert "甲一村计生服务室" in admin.get("/geo/service-points/").content.decode()


def test_other_county_unit_is_404_for_the_administrator(admin, units):
    response = admin.post(
        f"/geo/units/{OTHER_VILLAGE}/rename/", {"name": "x", "valid_from": "2025-01-01"}
    )
    assert response.status_code == 404
    assert Unit.objects.get(code=OTHER_VILLAGE).name == "丙一村"


def test_prefix_range_selects_exactly_the_subtree(units):
    from renkou.geo.scope import prefix_range

    for prefix in ("620001", "620001100", "620001100201", "6200011009"):
        by_range = set(
            Unit.objects.filter(**prefix_range("code", prefix)).values_list("code", flat=True)
        )
        by_like = set(Unit.objects.filter(code__startswith=prefix).values_list("code", flat=True))
        assert by_range == by_like
    assert prefix_range("code", "99") == {"code__startswith": "99"}
