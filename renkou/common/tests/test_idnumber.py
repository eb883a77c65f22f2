"""Resident ID validation (domain.md §10.3, security.md IN1).

Expected check characters come from ``reference_check`` below, written from the ISO 7064 text
(weights 2^(17−i) mod 11, check = (12 − S mod 11) mod 11, 10 → X) rather than from the
module's lookup string, plus the worked example of GB 11643-1999 itself.
"""

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkou.common import idnumber
from renkou.common.idnumber import validate

TODAY = date(2024, 3, 5)
STANDARD_EXAMPLE = "11010519491231002X"  # GB 11643-1999 §8 example: 1949-12-31, female
STANDARD_EXAMPLE_15 = "110105491231002"


def reference_check(first17: str) -> str:
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make(first17: str) -> str:
    return first17 + reference_check(first17)


def codes(problems) -> set[str]:
    return {p.code for p in problems}


# --- the check character ------------------------------------------------------------------


def test_standard_example_is_valid_and_derives_its_holder():
    result = validate(STANDARD_EXAMPLE, today=TODAY)
    assert result.ok, result.problems
    assert result.info.birth_date == date(1949, 12, 31)
    assert result.info.sex == "2"
    assert result.info.area_code == "110105"
    assert result.info.upgraded_from_15 is False


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_char_agrees_with_the_iso_7064_formula(first17):
    assert idnumber.check_char(first17) == reference_check(first17)


@pytest.mark.parametrize("bad", ["", "1234567890123456", "123456789012345678", "1234567890123456A"])
def test_check_char_refuses_anything_but_17_digits(bad):
    with pytest.raises(ValueError):
        idnumber.check_char(bad)


# --- IN1: 10,000 valid IDs accepted, 100 % of single substitutions rejected -----------------


def test_ten_thousand_generated_ids_are_accepted_and_derive_birth_and_sex():
    rng = random.Random(20240305)
    for _ in range(10_000):
        birth = date(1900, 1, 1) + timedelta(days=rng.randrange((TODAY - date(1900, 1, 1)).days))
        sex = rng.choice("12")
        number = idnumber.generate(
            rng, area=f"{rng.randrange(110000, 660000):06d}", birth=birth, sex=sex
        )
        result = validate(number, today=TODAY)
        assert result.ok, (number, result.problems)
        assert result.warnings == ()
        assert (result.info.birth_date, result.info.sex) == (birth, sex)
        assert idnumber.derive(number) == (birth, sex)
        assert number[17] == reference_check(number[:17])


def test_every_single_character_substitution_is_rejected():
    rng = random.Random(11643)
    mutations = rejected = 0
    for _ in range(200):
        number = idnumber.generate(rng)
        for position in range(18):
            for char in "0123456789X":
                if char == number[position]:
                    continue
                mutant = number[:position] + char + number[position + 1 :]
                mutations += 1
                result = validate(mutant, today=TODAY)
                rejected += not result.ok
                if result.info is not None:  # structure intact: only the check can catch it
                    assert codes(result.errors) == {"id_check"}, mutant
    assert mutations == 200 * 18 * 10
    assert rejected == mutations


def test_wrong_check_char_is_an_error_that_keeps_the_info_for_an_override():
    number = STANDARD_EXAMPLE[:17] + "5"
    result = validate(number, today=TODAY)
    assert not result.ok
    assert codes(result.errors) == {"id_check"}
    assert "X" in result.errors[0].message
    assert result.info is not None and result.info.birth_date == date(1949, 12, 31)
    assert result.info.problems == result.problems


# --- normalisation --------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


@settings(max_examples=200)
@given(
    st.randoms(use_true_random=False),
    st.sampled_from(["", " ", "\u3000", "\t"]),
    st.booleans(),
    st.booleans(),
)
def test_full_width_spaces_and_lower_case_x_are_accepted(rng, sep, wide, lower):
    number = idnumber.generate(rng)
    typed = sep.join([number[:6], number[6:14], number[14:]])
    typed = typed.lower() if lower else typed
    typed = typed.translate(FULL_WIDTH) if wide else typed
    result = validate(f" {typed} ", today=TODAY)
    assert result.ok, (typed, result.problems)
    assert result.info.number == number


def test_lower_case_x_is_stored_upper_case():
    assert validate(STANDARD_EXAMPLE.lower(), today=TODAY).info.number == STANDARD_EXAMPLE
    assert idnumber.normalise("１１０１０５　１９４９１２３１　００２ｘ") == STANDARD_EXAMPLE


# --- 15-digit numbers -----------------------------------------------------------------------


def test_fifteen_digit_number_is_upgraded_like_the_standard_example():
    assert idnumber.upgrade15(STANDARD_EXAMPLE_15) == STANDARD_EXAMPLE
    result = validate(STANDARD_EXAMPLE_15, today=TODAY)
    assert result.ok
    assert result.value == STANDARD_EXAMPLE
    assert result.info.upgraded_from_15 is True
    assert codes(result.warnings) == {"id_upgraded"}


@given(st.dates(date(1900, 1, 1), date(1999, 12, 31)), st.integers(0, 999), st.integers(0, 999999))
def test_upgraded_number_revalidates_as_eighteen_digits(birth, sequence, area):
    id15 = f"{area:06d}{birth:%y%m%d}{sequence:03d}"
    upgraded = idnumber.upgrade15(id15)
    assert upgraded == make(f"{area:06d}{birth:%Y%m%d}{sequence:03d}")
    again = validate(upgraded, today=TODAY)
    assert again.ok and not again.info.upgraded_from_15
    assert again.info.birth_date == birth
    assert again.info.sex == ("1" if sequence % 2 else "2")


def test_fifteen_digit_number_with_a_letter_is_rejected():
    assert codes(validate("11010549123100X", today=TODAY).errors) == {"id_chars"}


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("birth", ["20000229", "20240229", "19960229"])
def test_february_29_of_a_leap_year_is_valid(birth):
    assert validate(make(f"620102{birth}123"), today=TODAY).ok


@pytest.mark.parametrize("birth", ["19000229", "20230229", "19990230", "19901301", "19900100"])
def test_impossible_dates_are_rejected(birth):
    result = validate(make(f"620102{birth}123"), today=TODAY)
    assert codes(result.errors) == {"id_date"}
    assert result.info is None


def test_fifteen_digit_number_of_1900_02_29_is_rejected():
    assert codes(validate("620102000229123", today=TODAY).errors) == {"id_date"}


def test_birth_before_1900_is_accepted_with_a_warning():
    # GB 11643-1999's own example of an 18-digit number: born 1 January 1880.
    result = validate("440524188001010014", today=TODAY)
    assert result.ok
    assert result.info.birth_date == date(1880, 1, 1)
    assert [(p.code, p.severity) for p in result.warnings] == [("id_date_early", "warning")]
    assert "1880" in result.warnings[0].message
    assert validate(make("44052419000101001"), today=TODAY).warnings == ()


def test_future_birth_is_rejected_relative_to_today():
    today_id = make(f"620102{TODAY:%Y%m%d}123")
    tomorrow_id = make(f"620102{TODAY + timedelta(days=1):%Y%m%d}123")
    assert validate(today_id, today=TODAY).ok
    assert codes(validate(tomorrow_id, today=TODAY).errors) == {"id_date"}
    assert validate(tomorrow_id, today=TODAY + timedelta(days=1)).ok


def test_today_defaults_to_the_local_date():
    assert codes(validate(make("62010220991231123")).errors) == {"id_date"}


# --- malformed input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["3.2012419900101e+17", "3.20124E+17", "３.２０１２４Ｅ＋１７", 3.20124e17]
)
def test_excel_scientific_notation_is_named_as_such(raw):
    result = validate(raw, today=TODAY)
    assert codes(result.errors) == {"id_numeric"}
    assert result.errors[0].message.startswith("身份证号码不能是科学计数法数字")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_empty"),
        ("   ", "id_empty"),
        (None, "id_empty"),
        ("1101051949123100", "id_length"),
        ("1101051949123100211", "id_length"),
        ("1101051949123100X2", "id_chars"),
        ("11010519491231OO2X", "id_chars"),
        ("320124199001011234.0", "id_chars"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "id_chars"),  # Arabic-Indic digits are digits, not ID digits
    ],
)
def test_malformed_input_gets_one_stable_error_code(raw, code):
    result = validate(raw, today=TODAY)
    assert [p.code for p in result.errors] == [code]
    assert result.info is None
    assert result.errors[0].message


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("110105-19491231002X", "连接号"),
        ("110105\u201019491231002X", "连接号"),
        ("110105\u221219491231002X", "连接号"),
        ("11010519491231002\u2169", "罗马数字"),  # Ⅹ, which NFKC would turn into X
        ("\u00b9" + STANDARD_EXAMPLE[1:], "上标或下标数字"),  # ¹
        ("\u2460" + STANDARD_EXAMPLE[1:], "带圈或带括号的数字"),  # ①
        ("\U0001d7cf" + STANDARD_EXAMPLE[1:], "数学字母数字"),  # 𝟏
    ],
)
def test_look_alikes_of_a_corrupted_cell_are_refused_by_name(raw, kind):
    result = validate(raw, today=TODAY)
    assert [p.code for p in result.errors] == ["id_lookalike"]
    assert result.info is None
    assert kind in result.errors[0].message and "请核对原件" in result.errors[0].message


def test_length_message_names_both_lengths():
    assert (
        validate("12345", today=TODAY).errors[0].message == "公民身份号码应为18位（或15位旧号码）"
    )


# --- area codes -----------------------------------------------------------------------------


@given(st.randoms(use_true_random=False))
def test_unknown_area_only_warns(rng):
    number = idnumber.generate(rng)
    result = validate(number, today=TODAY, known_area=lambda code: False)
    assert result.ok
    assert codes(result.warnings) == {"id_area_unknown"}
    assert number[:6] in result.warnings[0].message
    assert validate(number, today=TODAY, known_area=lambda code: code == number[:6]).warnings == ()
    assert validate(number, today=TODAY).warnings == ()


# --- derive / compare -----------------------------------------------------------------------


def test_derive_reads_eighteen_and_fifteen_digits():
    assert idnumber.derive(STANDARD_EXAMPLE) == (date(1949, 12, 31), "2")
    assert idnumber.derive(STANDARD_EXAMPLE_15) == (date(1949, 12, 31), "2")
    with pytest.raises(ValueError):
        idnumber.derive("12345")
    with pytest.raises(ValueError):
        idnumber.derive(make("62010219990231123"))


def test_compare_reports_birth_and_sex_mismatches():
    info = validate(STANDARD_EXAMPLE, today=TODAY).info
    assert idnumber.compare(info, date(1949, 12, 31), "2") == []
    assert idnumber.compare(info) == []
    assert idnumber.compare(info, sex="9") == []  # 未说明 is not a disagreement
    found = idnumber.compare(info, date(1949, 12, 30), "1")
    assert [p.code for p in found] == ["id_birth_mismatch", "id_sex_mismatch"]
    assert all(p.severity == "error" for p in found)
    assert "1949-12-31" in found[0].message and "女" in found[1].message


# --- generate -------------------------------------------------------------------------------


def test_generate_is_deterministic_for_a_seeded_rng():
    first = [idnumber.generate(random.Random(7)) for _ in range(3)]
    assert len(set(first)) == 1
    assert idnumber.generate(random.Random(8)) != first[0]
    assert first[0].startswith("623022")


@given(st.randoms(use_true_random=False), st.dates(date(1900, 1, 1), TODAY), st.sampled_from("12"))
def test_generate_honours_birth_and_sex(rng, birth, sex):
    number = idnumber.generate(rng, area="620102", birth=birth, sex=sex)
    assert number[:6] == "620102"
    assert idnumber.derive(number) == (birth, sex)


@pytest.mark.parametrize("kwargs", [{"area": "62010"}, {"sex": "9"}])
def test_generate_refuses_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        idnumber.generate(random.Random(1), **kwargs)


# --- other document types -------------------------------------------------------------------


def doc_codes(doc_type, raw):
    return codes(idnumber.validate_document(doc_type, raw, today=TODAY).errors)


@pytest.mark.parametrize("doc_type", ["01", "04"])
def test_resident_id_and_hukou_book_follow_the_id_rules(doc_type):
    assert doc_codes(doc_type, STANDARD_EXAMPLE) == set()
    assert doc_codes(doc_type, STANDARD_EXAMPLE[:17] + "1") == {"id_check"}
    assert doc_codes(doc_type, "A1234567") == {"id_chars"}
    assert doc_codes(doc_type, "") == {"id_empty"}
    result = idnumber.validate_document(doc_type, STANDARD_EXAMPLE_15, today=TODAY)
    assert result.ok and result.value == STANDARD_EXAMPLE


@pytest.mark.parametrize("doc_type", ["02", "03", "05", "07", "99"])
def test_free_form_documents(doc_type):
    result = idnumber.validate_document(doc_type, " ｅ１２３４５６７８ ")
    assert result.ok and result.value == "E12345678"
    assert result.info is None
    assert idnumber.validate_document(doc_type, "H-1234-56").ok
    assert doc_codes(doc_type, "") == {"doc_empty"}
    assert doc_codes(doc_type, "1234") == {"doc_format"}
    assert doc_codes(doc_type, "1" * 21) == {"doc_format"}
    assert doc_codes(doc_type, "12/3456") == {"doc_format"}
    assert doc_codes(doc_type, "护照123456") == {"doc_format"}


def test_system_generated_numbers():
    rng = random.Random(3)
    generated = [idnumber.system_number(rng) for _ in range(50)] + [idnumber.system_number(42)]
    assert generated[-1] == "XT" + "42".zfill(16)
    for number in generated:
        assert idnumber.validate_document("06", number).ok, number
        assert idnumber.validate_document("06", number.lower()).value == number
    assert idnumber.system_number(random.Random(3)) == generated[0]
    assert doc_codes("06", "XT123") == {"doc_system"}
    assert doc_codes("06", "XY" + "1" * 16) == {"doc_system"}
    assert doc_codes("06", STANDARD_EXAMPLE) == {"doc_system"}
    with pytest.raises(ValueError):
        idnumber.system_number(10**16)


def test_no_document_means_no_number():
    assert idnumber.validate_document("08", "").ok
    assert idnumber.validate_document("08", " \u3000").ok
    assert doc_codes("08", "E12345678") == {"doc_not_empty"}


def test_unknown_document_type_is_an_error():
    assert doc_codes("42", "E12345678") == {"doc_type_unknown"}
