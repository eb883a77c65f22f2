"""Register forms: the shared rules mapped to fields, scope checks (AZ5), duplicates, pickers."""

from datetime import date

import pytest

from conftest import OTHER_VILLAGE, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.people import forms
from renkou.people.tests.conftest import TODAY
from renkou.people.tests.page_helpers import make_household, make_person, new_id


@pytest.fixture
def village_user(personas):
    return personas["village_admin"]


def form_data(household, **overrides):
    data = {
        "id_number": new_id(birth=date(1988, 8, 8), sex="2"),
        "id_type": "01",
        "name": "周敏",
        "ethnicity": "01",
        "marital_status": "10",
        "household_code": household.code,
        "relationship": "02",
        "registered_code": household.unit_code,
        "residence_code": household.unit_code,
        "residence_status": "1",
    }
    data.update(overrides)
    return data


def test_the_rules_fill_birth_date_and_sex(village_user):
    household = make_household()
    form = forms.PersonForm(form_data(household), user=village_user, today=TODAY)
    assert form.is_valid(), form.errors
    assert form.values["birth_date"] == date(1988, 8, 8) and form.values["sex"] == "2"
    assert form.household == household


def test_required_fields_come_from_the_rules_in_chinese(village_user):
    form = forms.PersonForm({"id_type": "08"}, user=village_user, today=TODAY)
    assert not form.is_valid()
    assert form.errors["name"] == ["请填写姓名"]
    assert "请填写出生日期" in form.errors["birth_date"][0]


def test_warnings_do_not_block(village_user):
    household = make_household()
    data = form_data(household, marital_status="21", first_marriage_date="2005-01-01")
    form = forms.PersonForm(data, user=village_user, today=TODAY)
    assert form.is_valid(), form.errors
    assert [w.code for w in form.warnings] == ["early_marriage"]


def test_a_mismatching_sex_shows_the_override_field(village_user):
    household = make_household()
    form = forms.PersonForm(form_data(household, sex="1"), user=village_user, today=TODAY)
    assert not form.is_valid() and form.show_override
    assert "性别与公民身份号码不一致" in form.errors["id_number"][0]
    data = form_data(household, sex="1", id_override_reason="户籍登记错误，待更正")
    assert forms.PersonForm(data, user=village_user, today=TODAY).is_valid()


def test_a_reason_for_a_valid_number_is_refused_and_shown(village_user):
    """Issue 11 item 6: the reason field stays in sight with its message, nothing is saved."""
    household = make_household()
    data = form_data(household, id_override_reason="周敏")
    form = forms.PersonForm(data, user=village_user, today=TODAY)
    assert not form.is_valid() and form.show_override
    assert form.errors["id_override_reason"] == [
        "身份证号已通过校验，不需要填写校验例外原因，请清空该项"
    ]


def test_writing_into_another_unit_is_refused(village_user):
    """security.md AZ5: a household or residence outside the subtree, or a forged unit_code."""
    mine, foreign = make_household(), make_household(VILLAGE_A2)
    form = forms.PersonForm(form_data(foreign), user=village_user, today=TODAY)
    assert not form.is_valid() and "household_code" in form.errors
    form = forms.PersonForm(
        form_data(mine, residence_code=VILLAGE_B1), user=village_user, today=TODAY
    )
    assert not form.is_valid() and "residence_code" in form.errors
    form = forms.PersonForm(
        form_data(mine, unit_code=OTHER_VILLAGE, version="9"), user=village_user, today=TODAY
    )
    assert form.is_valid() and "unit_code" not in form.values


def test_a_registration_outside_the_county_is_accepted(village_user):
    household = make_household()
    data = form_data(household, registered_code="320101001001")
    assert forms.PersonForm(data, user=village_user, today=TODAY).is_valid()
    data = form_data(household, registered_code="620001999999")
    form = forms.PersonForm(data, user=village_user, today=TODAY)
    assert not form.is_valid() and "不是本县的区划单位" in form.errors["registered_code"][0]


def test_duplicates_inside_and_outside_the_subtree(village_user):
    mine = make_person()
    form = forms.PersonForm(
        form_data(make_household(), id_number=mine.id_number), user=village_user, today=TODAY
    )
    assert not form.is_valid() and form.existing == mine
    assert form.errors["id_number"] == [forms.EXISTS_MESSAGE]
    elsewhere = make_person(VILLAGE_A2, name="钱二")
    form = forms.PersonForm(
        form_data(make_household(), id_number=elsewhere.id_number), user=village_user, today=TODAY
    )
    assert not form.is_valid() and form.existing is None
    assert form.errors["id_number"] == [forms.ELSEWHERE_MESSAGE]


def test_the_edit_form_never_holds_the_full_numbers(village_user):
    person = make_person(phone="13912345678")
    form = forms.PersonForm(user=village_user, today=TODAY, person=person)
    html = str(form["id_number"]) + str(form["phone"])
    assert person.id_number not in html and "13912345678" not in html
    assert "不修改请留空" in html and form["household_code"].field.disabled


def test_unit_picker_levels(personas):
    assert forms.unit_picker(personas["village_admin"], "v")["locked"].code == VILLAGE_A1
    township = forms.unit_picker(personas["township_officer"], "v")
    assert "townships" not in township and township["township"] == TOWNSHIP_A[:9]
    assert {u.code for u in township["villages"]} == {VILLAGE_A1, VILLAGE_A2}
    county = forms.unit_picker(personas["county_officer"], "v", VILLAGE_B1)
    assert len(county["townships"]) == 2 and county["township"] == VILLAGE_B1[:9]
    assert VILLAGE_B1 in {u.code for u in county["villages"]} and county["keep"] == ""


def test_household_form_checks_the_village_and_pads_the_group(personas):
    user = personas["township_officer"]
    form = forms.HouseholdForm({"village_code": VILLAGE_A2, "group_no": "3"}, user=user)
    assert form.is_valid() and form.cleaned_data["group_no"] == "03"
    form = forms.HouseholdForm({"village_code": VILLAGE_B1, "group_no": "1"}, user=user)
    assert not form.is_valid() and "village_code" in form.errors
    form = forms.HouseholdForm(
        {"village_code": VILLAGE_A2, "group_no": "1", "phone": "12"}, user=user
    )
    assert not form.is_valid() and "phone" in form.errors


def test_move_form(village_user):
    person = make_person()
    form = forms.MoveForm(
        {"household_code": person.household.code, "relationship": "10"},
        user=village_user,
        person=person,
    )
    assert not form.is_valid() and "无需迁户" in form.errors["household_code"][0]


def test_exit_form_refuses_future_dates(db):
    form = forms.ExitForm({"reason": "2", "on": "2099-01-01"}, today=TODAY, version=1)
    assert not form.is_valid() and form.errors["on"] == ["退出日期不能晚于今天"]
    assert "5" not in dict(form.fields["reason"].choices)  # 恢复 is its own action


def test_filter_form_drops_numbers_and_bad_units(db):
    form = forms.PersonFilterForm({"name": "６２３０２２", "unit": "abc", "sex": "2"})
    flt = form.filter()
    assert flt.name == "" and flt.unit == "" and flt.sex == "2" and form.number_refused
    assert form.params() == {"sex": "2"}


def test_check_id_reports_problems_and_existing(village_user):
    number = new_id()
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    found = forms.check_id(village_user, bad, TODAY)
    assert found["override"] and found["info"].birth_date == date(1990, 5, 1)
    person = make_person(id_number=number)
    assert forms.check_id(village_user, number.lower(), TODAY)["existing"] == person
    assert forms.check_id(village_user, number, TODAY, exclude=str(person.pk))["existing"] is None
    assert forms.check_id(village_user, "12345", TODAY) == {}
