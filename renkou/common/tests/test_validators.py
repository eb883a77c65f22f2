"""Phone and bank-card validation (security.md IN1)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from renkou.common import validators


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        " 138 1234 5678 ",
        "１３８１２３４５６７８",
        "138-1234-5678",
        "+86 13812345678",
        "008613812345678",
    ],
)
def test_mobile_accepts_and_normalises(raw):
    assert validators.mobile(raw) == "13812345678"


@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
def test_every_mainland_mobile_prefix_is_accepted(second, rest):
    assert validators.mobile(f"1{second}{rest}") == f"1{second}{rest}"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        "1381234567",
        "138123456789",
        "12812345678",
        "23812345678",
        "1381234567a",
        "0941-1234567",
        "+8613812345678 ext 1",
    ],
)
def test_mobile_rejects(raw):
    with pytest.raises(ValidationError) as caught:
        validators.mobile(raw)
    assert caught.value.messages == ["请输入11位手机号码"]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0941-1234567", "0941-1234567"),
        ("０９４１－１２３４５６７", "0941-1234567"),
        ("010-12345678", "010-12345678"),
        ("09411234567", "09411234567"),
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
    ],
)
def test_phone_accepts_mobile_or_fixed_line(raw, stored):
    assert validators.phone(raw) == stored


@pytest.mark.parametrize(
    "raw",
    ["", "1234567", "0941-0123456", "941-1234567", "0941-123456", "0941-123456789", "12812345678"],
)
def test_phone_rejects(raw):
    with pytest.raises(ValidationError):
        validators.phone(raw)


def luhn_check_digit(payload: str) -> str:
    """Textbook Luhn: double every second digit from the right of the full number."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char) * 2 if index % 2 == 0 else int(char)
        total += digit // 10 + digit % 10
    return str((10 - total % 10) % 10)


def test_known_luhn_valid_and_invalid_cards():
    assert validators.bank_card("4111 1111 1111 1111") == "4111111111111111"
    card19 = "622202020000000001" + luhn_check_digit("622202020000000001")
    assert validators.bank_card(card19) == card19
    with pytest.raises(ValidationError) as caught:
        validators.bank_card("4111 1111 1111 1112")
    assert caught.value.messages == ["银行卡号校验不正确"]


@given(st.text("0123456789", min_size=11, max_size=18))
def test_exactly_one_last_digit_makes_a_card_valid(payload):
    accepted = []
    for last in "0123456789":
        try:
            validators.bank_card(payload + last)
        except ValidationError:
            continue
        accepted.append(last)
    assert accepted == [luhn_check_digit(payload)]


@pytest.mark.parametrize("raw", ["", "12345678901", "1" * 20, "4111-1111-1111-111A"])
def test_bank_card_format(raw):
    with pytest.raises(ValidationError):
        validators.bank_card(raw)


def test_bank_card_accepts_full_width_and_dashes():
    assert validators.bank_card("４１１１-１１１１-１１１１-１１１１") == "4111111111111111"
