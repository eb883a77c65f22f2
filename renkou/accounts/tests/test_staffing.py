"""包乡包村 (issue 14 item 7): the rules of a staff assignment, its scope and its audit."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import COUNTY, OTHER_COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, make_user
from renkou.accounts import staffing
from renkou.accounts.constants import AreaRole, Role
from renkou.accounts.models import StaffAssignment
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry

START = date(2027, 1, 1)


def _add(personas, user, code=TOWNSHIP_A, role=AreaRole.TOWNSHIP_LEADER, **extra):
    return staffing.staff_assignment_add(
        actor=Actor(personas["county_officer"]),
        user=user,
        unit_code=code,
        role=role,
        starts_on=extra.pop("starts_on", START),
        **extra,
    )


def test_an_assignment_is_added_with_its_audit_row(units, personas):
    row = _add(personas, personas["leader"], note="  分管计生  ")
    assert (row.unit_code, row.role, row.note, row.ends_on) == (
        TOWNSHIP_A,
        AreaRole.TOWNSHIP_LEADER,
        "分管计生",
        None,
    )
    assert AuditEntry.objects.filter(action="accounts.staff_assignment_add").count() == 1
    assert row.history.count() == 1


def test_an_end_before_the_start_is_refused_with_a_clear_message(units, personas):
    with pytest.raises(ValidationError) as caught:
        _add(personas, personas["leader"], ends_on=date(2026, 12, 31))
    assert caught.value.message_dict["ends_on"] == ["终止日期不能早于起始日期（2027-01-01）"]
    assert not StaffAssignment.objects.exists()
    row = _add(personas, personas["leader"])
    with pytest.raises(ValidationError) as caught:
        staffing.staff_assignment_end(
            actor=Actor(personas["county_officer"]), assignment=row, ends_on=date(2026, 6, 1)
        )
    assert "终止日期不能早于起始日期" in caught.value.messages[0]
    row.refresh_from_db()
    assert row.ends_on is None


def test_a_duplicate_active_assignment_is_refused_but_a_later_one_after_the_end_is_not(
    units, personas
):
    first = _add(personas, personas["leader"])
    with pytest.raises(ValidationError) as caught:
        _add(personas, personas["leader"], starts_on=date(2027, 3, 1))
    assert "不能重复安排" in caught.value.message_dict["user"][0]
    staffing.staff_assignment_end(
        actor=Actor(personas["county_officer"]), assignment=first, ends_on=date(2027, 2, 28)
    )
    _add(personas, personas["leader"], starts_on=date(2027, 3, 1))
    assert StaffAssignment.objects.count() == 2


def test_only_staff_of_a_suitable_role_and_unit_level_are_accepted(units, personas):
    with pytest.raises(ValidationError) as caught:
        _add(personas, personas["village_admin"])
    assert caught.value.message_dict["user"] == ["包乡领导应为在用的县局业务人员、领导账号"]
    with pytest.raises(ValidationError) as caught:  # a village technician needs a village
        _add(personas, personas["technician"], role=AreaRole.VILLAGE_TECHNICIAN)
    assert "包村技术员应选择村（居）" in caught.value.message_dict["unit_code"][0]
    elsewhere = make_user("far_leader", Role.LEADER, units[OTHER_COUNTY])
    with pytest.raises(ValidationError) as caught:
        _add(personas, elsewhere)
    assert caught.value.message_dict["user"] == ["只能安排本县的工作人员"]
    _add(personas, personas["technician"], code=VILLAGE_A1, role=AreaRole.VILLAGE_TECHNICIAN)
    assert StaffAssignment.objects.count() == 1


def test_a_township_officer_may_not_assign_and_sees_its_own_townships_rows_only(units, personas):
    with pytest.raises(PermissionDenied):
        staffing.staff_assignment_add(
            actor=Actor(personas["township_officer"]),
            user=personas["leader"],
            unit_code=TOWNSHIP_A,
            role=AreaRole.TOWNSHIP_LEADER,
            starts_on=START,
        )
    _add(personas, personas["leader"], code=TOWNSHIP_A)
    _add(personas, personas["leader"], code=TOWNSHIP_B)
    seen = staffing.assignments_visible(personas["township_officer"])
    assert list(seen.values_list("unit_code", flat=True)) == [TOWNSHIP_A]
    assert staffing.assignments_visible(personas["leader"]).count() == 2
    assert COUNTY.startswith(personas["leader"].scope_prefix)


def test_the_township_staff_are_those_in_force_in_the_period(units, personas):
    _add(personas, personas["leader"], ends_on=date(2027, 3, 31))
    _add(personas, personas["county_officer"], role=AreaRole.TOWNSHIP_OFFICER)
    _add(personas, personas["technician"], code=VILLAGE_A1, role=AreaRole.VILLAGE_TECHNICIAN)
    found = staffing.township_staff(TOWNSHIP_A, date(2027, 1, 1), date(2027, 12, 31))
    assert found == {
        "包乡领导": [str(personas["leader"])],
        "包乡干部": [str(personas["county_officer"])],
        "包村技术员": [str(personas["technician"])],
    }
    later = staffing.township_staff(TOWNSHIP_A, date(2027, 4, 1), date(2027, 12, 31))
    assert later["包乡领导"] == []
    assert staffing.village_staff([VILLAGE_A1], date(2027, 6, 1)) == {
        VILLAGE_A1: [str(personas["technician"])]
    }
