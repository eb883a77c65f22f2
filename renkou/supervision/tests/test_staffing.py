"""包乡包村 in the supervision (issue 14 item 7): the county's list and form, the village staff
beside each sampled record, and 回避 (nobody inspects the area assigned to them)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1
from renkou.accounts import staffing
from renkou.accounts.constants import AreaRole
from renkou.accounts.models import StaffAssignment
from renkou.common.actors import Actor
from renkou.supervision import inspections
from renkou.supervision.models import Inspection, Sample
from renkou.todo.tests.factories import woman

DAY = date(2027, 6, 10)


def _assign(personas, user, code, role, starts_on=date(2027, 1, 1), ends_on=None):
    return staffing.staff_assignment_add(
        actor=Actor(personas["county_officer"]),
        user=user,
        unit_code=code,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _plan_form(personas, units=(TOWNSHIP_A,)):
    return {
        "kind": "rotation",
        "title": "轮流督查",
        "first_day": DAY.isoformat(),
        "days": 3,
        "every": 7,
        "period_start": "2027-01-01",
        "period_end": "2027-05-31",
        "units": list(units),
        "team": [str(personas["inspector"].pk)],
    }


def test_an_inspector_assigned_to_the_township_is_refused_on_its_team_and_nothing_is_saved(
    units, personas, signed_in_client, client
):
    _assign(personas, personas["inspector"], TOWNSHIP_B, AreaRole.TOWNSHIP_OFFICER)
    signed_in_client(personas["county_officer"])
    # B is the second visit of the rotation, a week after the first.
    response = client.post(
        reverse("supervision:inspection_plan"), _plan_form(personas, (TOWNSHIP_A, TOWNSHIP_B))
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "督查组成员须回避本人包联的乡镇" in page and "应回避乙乡的督查" in page
    assert not Inspection.objects.exists()
    # Outside the visit's dates the assignment is no reason to step aside.
    StaffAssignment.objects.update(ends_on=DAY + timedelta(days=6))
    response = client.post(
        reverse("supervision:inspection_plan"), _plan_form(personas, (TOWNSHIP_A, TOWNSHIP_B))
    )
    assert response.status_code == 302 and Inspection.objects.count() == 2


def test_a_village_assignment_counts_for_its_township(units, personas):
    # Written directly: an inspector is not one of the accounts the form offers for a village.
    StaffAssignment.objects.create(
        user=personas["inspector"],
        unit_code=VILLAGE_A1,
        role=AreaRole.VILLAGE_TECHNICIAN,
        starts_on=date(2027, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        inspections.plan(
            actor=Actor(personas["inspector"]),
            county_code=COUNTY,
            kind="topic",
            title="专项督查",
            units=[TOWNSHIP_A],
            first_day=DAY,
            days=2,
            every=0,
            period_start=date(2027, 1, 1),
            period_end=date(2027, 5, 31),
            team=[personas["inspector"]],
        )
    assert "包村技术员" in caught.value.message_dict["team"][0]
    assert not Inspection.objects.exists()


def test_each_sampled_record_shows_its_villages_technician(
    units, personas, signed_in_client, client
):
    _assign(personas, personas["technician"], VILLAGE_A1, AreaRole.VILLAGE_TECHNICIAN)
    visit = inspections.plan(
        actor=Actor(personas["inspector"]),
        county_code=COUNTY,
        kind="topic",
        title="专项督查",
        units=[TOWNSHIP_A],
        first_day=DAY,
        days=2,
        every=0,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 5, 31),
        team=[personas["inspector"]],
    )[0]
    person = woman(VILLAGE_A1)
    Sample.objects.create(
        inspection=visit,
        unit_code=visit.unit_code,
        topic="todo_done",
        position=1,
        record_type="people.person",
        record_id=person.pk,
        person=person,
    )
    with time_machine.travel(DAY, tick=False):  # the inspector sees the sample during the visit
        signed_in_client(personas["inspector"])
        url = reverse("supervision:inspection_detail", args=[visit.pk])
        page = client.get(url).content.decode()
    assert "包村技术员" in page and str(personas["technician"]) in page


def test_the_county_adds_an_assignment_and_the_form_explains_a_refusal(
    units, personas, signed_in_client, client
):
    signed_in_client(personas["county_officer"])
    url = reverse("supervision:staff_add")
    blank = client.post(url, {"note": ""}).content.decode()
    for message in ("请选择包联职责", "请选择联系乡镇或村", "请选择人员", "请填写起始日期"):
        assert message in blank
    assert "This field is required" not in blank
    form = {
        "role": AreaRole.TOWNSHIP_LEADER,
        "unit_code": TOWNSHIP_A,
        "user": str(personas["leader"].pk),
        "starts_on": "2027-03-01",
        "ends_on": "2027-02-01",
        "note": "",
    }
    page = client.post(url, form).content.decode()
    assert "终止日期不能早于起始日期（2027-03-01）" in page
    assert not StaffAssignment.objects.exists()
    form["ends_on"] = ""
    assert client.post(url, form).status_code == 302
    page = client.post(url, form).content.decode()
    assert "不能重复安排" in page
    assert StaffAssignment.objects.count() == 1
    listed = client.get(reverse("supervision:staff_list"), {"role": AreaRole.TOWNSHIP_LEADER})
    assert str(personas["leader"]) in listed.content.decode()
    empty = client.get(reverse("supervision:staff_list"), {"township": TOWNSHIP_B})
    assert "尚无包联记录" in empty.content.decode()


def test_a_township_sees_its_own_assignments_and_cannot_end_another(
    units, personas, signed_in_client, client
):
    _assign(personas, personas["leader"], TOWNSHIP_A, AreaRole.TOWNSHIP_LEADER)
    other = _assign(personas, personas["county_officer"], TOWNSHIP_B, AreaRole.TOWNSHIP_OFFICER)
    signed_in_client(personas["township_officer"])
    page = client.get(reverse("supervision:staff_list")).content.decode()
    assert str(personas["leader"]) in page and str(personas["county_officer"]) not in page
    assert reverse("supervision:staff_add") not in page
    signed_in_client(personas["county_officer"])
    response = client.post(
        reverse("supervision:staff_end", args=[other.pk]), {"ends_on": "2026-12-01"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.ends_on is None  # before its start: refused
    client.post(reverse("supervision:staff_end", args=[other.pk]), {"ends_on": "2027-06-30"})
    other.refresh_from_db()
    assert other.ends_on == date(2027, 6, 30)


def test_a_county_officer_changes_an_open_assignment_but_not_its_person_or_unit(
    units, personas, signed_in_client, client
):
    from renkou.common.models import AuditEntry

    row = _assign(personas, personas["county_officer"], TOWNSHIP_A, AreaRole.TOWNSHIP_LEADER)
    signed_in_client(personas["county_officer"])
    url = reverse("supervision:staff_edit", args=[row.pk])
    assert f'href="{url}"' in client.get(reverse("supervision:staff_list")).content.decode()
    page = client.get(url).content.decode()
    assert "包乡干部" in page and "包村技术员" not in page  # a township's roles only
    form = {
        "role": AreaRole.TOWNSHIP_OFFICER,
        "starts_on": "2027-02-01",
        "note": "分管督导",
        "user": personas["leader"].pk,  # not a field of the form: ignored
        "unit_code": TOWNSHIP_B,
    }
    assert client.post(url, form).status_code == 302
    row.refresh_from_db()
    assert (row.role, row.starts_on, row.note) == ("township_officer", date(2027, 2, 1), "分管督导")
    assert (row.user, row.unit_code) == (personas["county_officer"], TOWNSHIP_A)
    assert row.history.count() == 2
    entry = AuditEntry.objects.get(action="accounts.staff_assignment_change")
    assert entry.object_id == str(row.pk) and "role=township_officer" in entry.summary
    history = client.get(url).content.decode().split('id="staff-history"')[1]
    assert history.count("<tr>") == 3  # the header, the change and the addition
    assert "分管督导" in history and "包乡领导" in history


def test_a_change_that_breaks_a_rule_is_refused_in_chinese_and_changes_nothing(
    units, personas, signed_in_client, client
):
    officer = personas["county_officer"]
    _assign(personas, officer, TOWNSHIP_A, AreaRole.TOWNSHIP_OFFICER)
    row = _assign(personas, officer, TOWNSHIP_A, AreaRole.TOWNSHIP_LEADER)
    signed_in_client(officer)
    url = reverse("supervision:staff_edit", args=[row.pk])
    page = client.post(url, {"role": "township_officer", "starts_on": "2027-03-01"})
    assert page.status_code == 200
    assert f"{officer}在此期间已是甲镇的包乡干部，不能重复安排" in page.content.decode()
    page = client.post(url, {"role": "village_technician", "starts_on": "2027-03-01"})
    assert page.status_code == 200 and "village_technician" not in page.content.decode()
    assert "该人员在此单位只能担任列表中的包联职责" in page.content.decode()
    page = client.post(url, {"role": "township_leader", "starts_on": ""})
    assert page.status_code == 200 and "请填写起始日期" in page.content.decode()
    row.refresh_from_db()
    assert (row.role, row.starts_on, row.history.count()) == (
        "township_leader",
        date(2027, 1, 1),
        1,
    )


def test_an_ended_assignment_cannot_be_changed(units, personas, signed_in_client, client):
    row = _assign(personas, personas["leader"], TOWNSHIP_A, AreaRole.TOWNSHIP_LEADER)
    actor = Actor(personas["county_officer"])
    staffing.staff_assignment_end(actor=actor, assignment=row, ends_on=date(2027, 3, 1))
    signed_in_client(personas["county_officer"])
    url = reverse("supervision:staff_edit", args=[row.pk])
    assert f'href="{url}"' not in client.get(reverse("supervision:staff_list")).content.decode()
    response = client.get(url, follow=True)
    assert "该包联已于2027-03-01终止，不能修改" in response.content.decode()
    response = client.post(url, {"role": "township_leader", "starts_on": "2026-01-01"})
    assert response.status_code == 302
    with pytest.raises(ValidationError, match="已于2027-03-01终止"):
        staffing.staff_assignment_change(
            actor=actor, assignment=row, role="township_leader", starts_on=date(2026, 1, 1)
        )
    row.refresh_from_db()
    assert row.starts_on == date(2027, 1, 1)
