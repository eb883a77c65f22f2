"""The service network's details (issue 17 item 3): opening hours and renovation, devices with
the day they work, licences with their validity; the network table and a point's page; county
officers keep them, everyone with the network sees them within the subtree."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import TOWNSHIP_A, TOWNSHIP_B
from renkou.common.actors import Actor, ConflictError
from renkou.common.models import AuditEntry
from renkou.geo import network
from renkou.geo.models import Equipment, Licence, ServicePoint, Unit

TODAY = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _station(code: str, name: str) -> ServicePoint:
    return ServicePoint.objects.create(
        unit=Unit.objects.get(code=code), kind=ServicePoint.Kind.TOWNSHIP_STATION, name=name
    )


@pytest.fixture
def stations(units):
    return _station(TOWNSHIP_A, "甲镇计生服务站"), _station(TOWNSHIP_B, "乙乡计生服务站")


def device(**values):
    base = {
        "kind": "blue_oxygen",
        "model_name": "",
        "serial": "LY-01",
        "installed_on": date(2026, 5, 1),
        "status": "installed",
        "status_since": None,
        "note": "",
    }
    return {**base, **values}


def licence(**values):
    base = {
        "number": "甘卓计服字第001号",
        "scope": "计划生育技术服务",
        "issued_by": "县卫生健康局",
        "valid_from": date(2024, 1, 1),
        "valid_until": date(2027, 12, 31),
    }
    return {**base, **values}


# --- rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (device(installed_on=None), "installed_on", "请填写安装日期"),
        (device(installed_on=TODAY + timedelta(1)), "installed_on", "不能晚于今天"),
        (device(status="not_installed"), "installed_on", "未安装的设备不填安装日期"),
        (device(status="broken"), "status_since", "请填写状态变更日期"),
        (
            device(status="broken", status_since=date(2026, 4, 1)),
            "status_since",
            "不能早于安装日期",
        ),
        (device(status_since=date(2026, 6, 1)), "status_since", "在用或未安装的设备不填"),
        (device(serial=" "), "serial", "请填写出厂编号"),
    ],
)
def test_a_device_with_impossible_dates_or_no_serial_is_refused(
    stations, personas, values, field, message
):
    actor = Actor(personas["county_officer"])
    with pytest.raises(ValidationError) as caught:
        network.equipment_add(actor=actor, point=stations[0], values=values)
    assert message in caught.value.message_dict[field][0]
    assert not Equipment.objects.exists()


def test_a_device_works_from_installation_until_it_broke(stations, personas):
    actor = Actor(personas["county_officer"])
    row = network.equipment_add(actor=actor, point=stations[0], values=device())
    point = stations[0].pk
    assert not network.working_device(point, "blue_oxygen", date(2026, 4, 30))
    assert network.working_device(point, "blue_oxygen", date(2026, 5, 1))
    assert not network.working_device(point, "ultrasound", date(2026, 5, 1))
    assert not network.working_device(stations[1].pk, "blue_oxygen", date(2026, 5, 1))
    broken = {"status": "broken", "status_since": date(2027, 2, 1)}
    network.equipment_update(actor=actor, equipment=row, values=broken, version=row.version)
    assert network.working_device(point, "blue_oxygen", date(2027, 1, 31))
    assert not network.working_device(point, "blue_oxygen", date(2027, 2, 1))
    row.refresh_from_db()
    assert (row.version, row.unit_code) == (2, TOWNSHIP_A)
    actions = AuditEntry.objects.filter(object_type="geo.equipment").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["network.equipment_add", "network.equipment_update"]
    assert row.history.count() == 2


def test_a_stale_form_changes_nothing(stations, personas):
    actor = Actor(personas["county_officer"])
    row = network.equipment_add(actor=actor, point=stations[0], values=device())
    network.equipment_update(actor=actor, equipment=row, values={"note": "甲"}, version=1)
    with pytest.raises(ConflictError):
        network.equipment_update(actor=actor, equipment=row, values={"note": "乙"}, version=1)
    row.refresh_from_db()
    assert row.note == "甲"


def test_a_licence_ending_before_it_starts_is_refused_and_a_renewal_is_recorded(stations, personas):
    actor = Actor(personas["county_officer"])
    with pytest.raises(ValidationError) as caught:
        network.licence_add(
            actor=actor, point=stations[0], values=licence(valid_until=date(2023, 12, 31))
        )
    assert caught.value.message_dict["valid_until"] == ["有效期至应晚于有效期起"]
    row = network.licence_add(
        actor=actor, point=stations[0], values=licence(valid_until=date(2027, 2, 28))
    )
    assert network.licence_state(row, TODAY) == ("已过期（2027-02-28）", "danger")
    renewed = {"valid_from": date(2027, 3, 1), "valid_until": date(2030, 2, 28)}
    network.licence_update(actor=actor, licence=row, values=renewed, version=row.version)
    row.refresh_from_db()
    assert row.valid_on(TODAY) and network.licence_state(row, TODAY)[1] == "success"
    soon = licence(valid_until=TODAY + timedelta(days=59))
    expiring = network.licence_add(actor=actor, point=stations[1], values=soon)
    assert network.licence_state(expiring, TODAY)[0].startswith("即将到期")
    assert network.licence_state(None, TODAY) == ("无执业许可证", "secondary")


def test_renovation_done_needs_its_date_and_not_in_the_future(stations, personas):
    actor = Actor(personas["county_officer"])
    point = stations[0]
    with pytest.raises(ValidationError) as caught:
        network.point_update(actor=actor, point=point, values={"renovation": "done"}, version=1)
    assert "请填写改造完成日期" in caught.value.message_dict["renovated_on"][0]
    late = {"renovation": "done", "renovated_on": TODAY + timedelta(1)}
    with pytest.raises(ValidationError):
        network.point_update(actor=actor, point=point, values=late, version=1)
    done = {"renovation": "done", "renovated_on": date(2027, 2, 20), "hours": "周一至周五"}
    network.point_update(actor=actor, point=point, values=done, version=1)
    point.refresh_from_db()
    assert (point.renovation, point.hours, point.version) == ("done", "周一至周五", 2)


# --- pages -----------------------------------------------------------------------------------


def test_the_network_table_shows_each_points_device_and_licence(
    stations, personas, signed_in_client
):
    actor = Actor(personas["county_officer"])
    network.equipment_add(actor=actor, point=stations[0], values=device())
    network.equipment_add(
        actor=actor,
        point=stations[1],
        values=device(status="not_installed", installed_on=None, serial=""),
    )
    network.licence_add(actor=actor, point=stations[1], values=licence())
    client = signed_in_client(personas["county_officer"])
    body = client.get(reverse("geo:servicepoint_list")).content.decode()
    rows = body.split("<tbody>")[1].split("</tr>")
    first = next(r for r in rows if "甲镇计生服务站" in r)
    second = next(r for r in rows if "乙乡计生服务站" in r)
    assert "在用" in first and "无执业许可证" in first
    assert "未安装" in second and "有效至2027-12-31" in second
    # The tree narrows it to one township.
    narrowed = client.get(reverse("geo:servicepoint_list"), {"unit": TOWNSHIP_B[:9]})
    text = narrowed.content.decode()
    assert "乙乡计生服务站" in text and "甲镇计生服务站" not in text


def test_the_township_sees_its_own_points_only_and_cannot_change_them(
    stations, personas, signed_in_client
):
    client = signed_in_client(personas["township_officer"])
    page = client.get(reverse("geo:servicepoint_detail", args=[stations[0].pk]))
    assert page.status_code == 200 and "修改机构信息" not in page.content.decode()
    other = client.get(reverse("geo:servicepoint_detail", args=[stations[1].pk]))
    assert other.status_code == 404
    form = {
        "kind": "blue_oxygen",
        "status": "installed",
        "serial": "X",
        "installed_on": "2027-01-01",
    }
    refused = client.post(reverse("geo:equipment_add", args=[stations[0].pk]), form)
    assert refused.status_code == 403 and not Equipment.objects.exists()


def test_the_county_officer_records_a_device_through_the_form(stations, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    url = reverse("geo:equipment_add", args=[stations[0].pk])
    bad = client.post(url, {"kind": "blue_oxygen", "status": "installed", "serial": "LY-9"})
    assert bad.status_code == 200 and "已安装的设备请填写安装日期" in bad.content.decode()
    assert not Equipment.objects.exists()
    data = {
        "kind": "blue_oxygen",
        "status": "installed",
        "serial": "LY-9",
        "installed_on": "2026-09-01",
    }
    done = client.post(url, data)
    assert done.status_code == 302
    assert done["Location"] == reverse("geo:servicepoint_detail", args=[stations[0].pk])
    row = Equipment.objects.get()
    assert (row.serial, row.installed_on) == ("LY-9", date(2026, 9, 1))
    edit = reverse("geo:equipment_edit", args=[row.pk])
    form = {**data, "status": "broken", "status_since": "2027-02-01", "version": "1"}
    assert client.post(edit, form).status_code == 302
    stale = client.post(edit, {**form, "note": "再次修改"})  # still version 1
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    row.refresh_from_db()
    assert (row.status, row.note) == ("broken", "")
    detail = client.get(reverse("geo:servicepoint_detail", args=[stations[0].pk]))
    assert "故障停用" in detail.content.decode()


def test_a_licence_is_recorded_and_renewed_through_the_form(stations, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    url = reverse("geo:licence_add", args=[stations[0].pk])
    data = {
        "number": "甘卓计服字第009号",
        "scope": "计划生育技术服务",
        "issued_by": "县卫生健康局",
        "valid_from": "2024-01-01",
        "valid_until": "2023-01-01",
    }
    bad = client.post(url, data)
    assert "有效期至应晚于有效期起" in bad.content.decode() and not Licence.objects.exists()
    assert client.post(url, {**data, "valid_until": "2027-06-30"}).status_code == 302
    row = Licence.objects.get()
    renew = {**data, "valid_until": "2030-06-30", "version": str(row.version)}
    assert client.post(reverse("geo:licence_edit", args=[row.pk]), renew).status_code == 302
    row.refresh_from_db()
    assert row.valid_until == date(2030, 6, 30)


def test_the_demo_network_leaves_one_station_without_its_blue_oxygen_device(units):
    from renkou.geo.demo import seed_network

    points = [_station(TOWNSHIP_A, "甲站"), _station(TOWNSHIP_B, "乙站")]
    assert seed_network(points, TODAY, without_blue=points[1]) == 2
    assert network.working_device(points[0].pk, "blue_oxygen", TODAY - timedelta(days=365))
    assert not network.working_device(points[1].pk, "blue_oxygen", TODAY)
    assert seed_network(points, TODAY, without_blue=points[1]) == 0  # idempotent
    assert Equipment.objects.count() == 4 and Licence.objects.count() == 2
