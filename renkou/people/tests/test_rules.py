"""The shared person rules (entry form and importer)."""

from datetime import date

from conftest import OTHER_VILLAGE, VILLAGE_A1
from renkou.common import idnumber
from renkou.people import rules
from renkou.people.tests.conftest import person_row


def codes(issues, severity="error"):
    return {i.code for i in issues if i.severity == severity}


def test_a_good_row_derives_birth_date_and_sex_from_the_id(ctx, rng):
    values, issues = rules.check_person(person_row(rng, VILLAGE_A1), ctx)
    assert rules.errors(issues) == []
    assert values["birth_date"] == date(1990, 5, 1) and values["sex"] == "2"
    assert values["marital_status"] == "21" and values["relationship"] == "02"
    assert values["ethnicity"] == "04"


def test_labels_and_codes_are_both_accepted(ctx, rng):
    by_code, _ = rules.check_person(person_row(rng, VILLAGE_A1, ethnicity="04"), ctx)
    by_label, _ = rules.check_person(person_row(rng, VILLAGE_A1, ethnicity="藏族"), ctx)
    assert by_code["ethnicity"] == by_label["ethnicity"] == "04"


def test_excel_scientific_notation_is_refused(ctx, rng):
    _, issues = rules.check_person(
        person_row(rng, VILLAGE_A1, id_number="3.2012419900101e+17"), ctx
    )
    assert "id_numeric" in codes(issues)


def test_bad_check_character_needs_a_reason(ctx, rng):
    good = idnumber.generate(rng, birth=date(1985, 2, 3), sex="1")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    _, issues = rules.check_person(person_row(rng, VILLAGE_A1, id_number=bad), ctx)
    assert "id_check" in codes(issues)
    row = person_row(rng, VILLAGE_A1, id_number=bad, id_override_reason="户口簿原号如此")
    values, issues = rules.check_person(row, ctx)
    assert rules.errors(issues) == [] and "id_check" in codes(issues, "warning")
    assert values["id_number"] == bad


def test_a_reason_beside_a_number_that_passes_is_refused(ctx, rng):
    """Issue 11 item 6: a name typed into the reason box of a valid number is not kept."""
    row = person_row(rng, VILLAGE_A1, id_override_reason="周敏")
    _, issues = rules.check_person(row, ctx)
    refused = [i for i in rules.errors(issues) if i.field == "id_override_reason"]
    assert [i.message for i in refused] == [rules.OVERRIDE_NOT_NEEDED]
    row = person_row(rng, VILLAGE_A1, id_type="08", id_number="", id_override_reason="无证件")
    _, issues = rules.check_person(row, ctx)
    assert "override_not_needed" in codes(issues)


def test_typed_sex_that_disagrees_with_the_id_is_refused(ctx, rng):
    row = person_row(rng, VILLAGE_A1, sex="男")  # the generated ID is a woman's
    _, issues = rules.check_person(row, ctx)
    assert "id_sex_mismatch" in codes(issues)


def test_unknown_unit_and_malformed_codes(ctx, rng):
    row = person_row(rng, VILLAGE_A1, residence_code="620001999999", registered_code="12")
    _, issues = rules.check_person(row, ctx)
    assert {"unknown_unit", "bad_unit"} <= codes(issues)
    ok, _ = rules.check_person(person_row(rng, VILLAGE_A1, residence_code=OTHER_VILLAGE), ctx)
    assert ok["residence_code"] == OTHER_VILLAGE


def test_missing_everything_names_every_required_field(ctx):
    _, issues = rules.check_person({"id_type": "暂无证件"}, ctx)
    fields = {i.field for i in rules.errors(issues)}
    assert {
        "name",
        "birth_date",
        "sex",
        "relationship",
        "household_code",
        "registered_code",
        "residence_code",
    } <= fields


def test_full_width_and_chinese_dates(ctx, rng):
    row = person_row(
        rng, VILLAGE_A1, id_type="暂无证件", id_number="", sex="女", birth_date="２０２０年３月５日"
    )
    values, issues = rules.check_person(row, ctx)
    assert rules.errors(issues) == [] and values["birth_date"] == date(2020, 3, 5)


def test_early_marriage_is_a_warning(ctx, rng):
    row = person_row(rng, VILLAGE_A1, first_marriage_date="2008-01-01")  # aged 17
    _, issues = rules.check_person(row, ctx)
    assert "early_marriage" in codes(issues, "warning") and rules.errors(issues) == []


def test_managing_unit_is_residence_inside_the_county():
    assert rules.managing_code("620001100201", "620001101202", "620001") == "620001101202"
    assert rules.managing_code("620001100201", "320101001001", "620001") == "620001100201"
