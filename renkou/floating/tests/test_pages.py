"""The pages: scoping (outside the subtree is 404), the contact masked everywhere, Chinese
messages on bad input with nothing written, an edit from a stale page refused, the .xlsx."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from python_calamine import CalamineWorkbook

from conftest import OTHER_VILLAGE, make_user
from renkou.accounts.constants import Role
from renkou.common.actors import Actor
from renkou.floating import services
from renkou.floating.models import FloatingRecord
from renkou.floating.tests.conftest import CERT, TODAY, VALUES


@pytest.fixture(autouse=True)
def _on_today():
    """The pages' 今天 is the fixture's (services refuse dates after it)."""
    with time_machine.travel(
        datetime(2027, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture
def record(personas, woman_a):
    rec = services.record_register(
        actor=Actor(personas["village_admin"]), person=woman_a, values=VALUES, today=TODAY
    )
    services.certificate_add(
        actor=Actor(personas["village_admin"]), record=rec, values=CERT, today=TODAY
    )
    return rec


@pytest.fixture
def as_role(personas, signed_in_client):
    return lambda role: signed_in_client(personas[role])


def test_list_and_detail_show_the_contact_masked(as_role, record):
    client = as_role("village_admin")
    page = client.get(reverse("floating:record_list")).content.decode()
    assert "流入甲" in page and "13912345678" not in page
    detail = client.get(reverse("floating:record_detail", args=[record.pk])).content.decode()
    assert "139********" in detail and "13912345678" not in detail
    assert "婚育证明第00001号" in detail and "核验一致" in detail
    edit = client.get(reverse("floating:record_edit", args=[record.pk])).content.decode()
    assert "13912345678" not in edit and "不修改请留空（当前 139********）" in edit


def test_outside_the_subtree_is_404(record, units, signed_in_client, personas):
    elsewhere = make_user("village_b", Role.VILLAGE_ADMIN, units["620001101201"])
    client = signed_in_client(elsewhere)
    for name in ("record_detail", "record_edit", "certificate_add"):
        assert client.get(reverse(f"floating:{name}", args=[record.pk])).status_code == 404
    cert = record.certificates.get()
    assert client.get(reverse("floating:certificate_edit", args=[cert.pk])).status_code == 404
    assert "流入甲" not in client.get(reverse("floating:record_list")).content.decode()
    other = signed_in_client(make_user("far", Role.VILLAGE_ADMIN, units[OTHER_VILLAGE]))
    assert other.get(reverse("floating:record_detail", args=[record.pk])).status_code == 404


def test_leaders_see_the_rate_not_the_people(record, as_role):
    client = as_role("leader")
    assert client.get(reverse("floating:record_list")).status_code == 403
    assert client.get(reverse("floating:check_rate")).status_code == 200


def test_bad_input_shows_chinese_messages_and_writes_nothing(as_role, woman_a):
    client = as_role("village_admin")
    url = reverse("floating:record_create", args=[woman_a.pk])
    response = client.post(url, {"direction": "in", "arrived_on": "明天", "contact": "abc"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "请输入有效的日期" in page
    assert FloatingRecord.objects.count() == 0
    response = client.post(url, {"direction": "in", "arrived_on": "2026-05-01"})
    page = response.content.decode()
    assert "请填写来源地或去向地（区划代码或地名）" in page and "请选择流动原因" in page
    assert FloatingRecord.objects.count() == 0


def test_register_through_the_page(as_role, woman_a):
    client = as_role("village_admin")
    url = reverse("floating:record_create", args=[woman_a.pk])
    data = {"direction": "in", "place_text": "四川省", "reason": "1", "arrived_on": "2026-05-01"}
    response = client.post(url, {**data, "contact": "13900001111"})
    record = FloatingRecord.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{record.pk}/")
    assert record.contact == "13900001111" and "13900001111" not in response["Location"]


def test_an_edit_from_a_stale_page_is_refused(as_role, record):
    client = as_role("village_admin")
    url = reverse("floating:record_edit", args=[record.pk])
    data = {"place_text": "四川省", "reason": "1", "arrived_on": "2027-01-10", "version": "1"}
    assert client.post(url, {**data, "employer": "甲"}).status_code == 302
    stale = client.post(url, {**data, "employer": "乙"})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    record.refresh_from_db()
    assert (record.employer, record.version) == ("甲", 2)
    detail = client.get(reverse("floating:record_detail", args=[record.pk])).content.decode()
    assert detail.count("修改</li>") == 1 and "新增" in detail  # the history


def test_export_is_masked_and_audited(as_role, record):
    from renkou.common.models import AuditEntry

    response = as_role("township_officer").get(reverse("floating:record_export"))
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = rows.to_python()
    assert rows[1][1] == "流入甲" and rows[1][9] == "139********" and rows[1][12] == "有效"
    assert AuditEntry.objects.get(action="floating.export").row_count == 1


def test_find_then_register(as_role, woman_a):
    page = as_role("village_admin").get(reverse("floating:record_find"), {"name": "流入甲"})
    assert reverse("floating:record_create", args=[woman_a.pk]) in page.content.decode()


def test_the_rate_page(as_role, record):
    page = as_role("county_officer").get(reverse("floating:check_rate"), {"year": 2027})
    assert "婚育证明已核验的流入育龄妇女" in page.content.decode()
    assert date(2027, 1, 10) == record.arrived_on
