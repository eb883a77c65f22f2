"""Positive validation of phone numbers and bank cards (security.md IN1).

Each function takes what a clerk typed or a spreadsheet held, returns the normalised value to
store, and raises ``ValidationError`` with a message for the form or the import error report.
Resident IDs live in ``renkou.common.idnumber`` because they have more than one outcome.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError

from renkou.common import idnumber

_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
# Area code 0 + 2–3 digits (010, 020–029, 0xxx), local number of 7–8 digits not starting with 0.
_FIXED = re.compile(r"(0\d{2,3})-?([1-9]\d{6,7})", re.ASCII)
_COUNTRY_PREFIXES = ("+86", "0086")
_DASHES = str.maketrans("", "", "-\u2010\u2011\u2012\u2013\u2014\u2212")

MOBILE_MESSAGE = "请输入11位手机号码"
PHONE_MESSAGE = "请输入11位手机号码或带区号的固定电话，如 0941-1234567"
BANK_CARD_FORMAT_MESSAGE = "银行卡号应为12–19位数字"
BANK_CARD_MESSAGE = "银行卡号校验不正确"


def _compact(raw: object) -> str:
    """NFKC (full-width to ASCII) and no whitespace."""
    return "".join(unicodedata.normalize("NFKC", "" if raw is None else str(raw)).split())


def _without_country_code(text: str) -> str:
    for prefix in _COUNTRY_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def mobile(raw: object) -> str:
    """A mainland mobile number as 11 digits; "+86 138-1234-5678" is accepted."""
    value = _without_country_code(_compact(raw).translate(_DASHES))
    if not _MOBILE.fullmatch(value):
        raise ValidationError(MOBILE_MESSAGE, code="mobile")
    return value


def phone(raw: object) -> str:
    """A mobile number, or a fixed line with area code ("0941-1234567", dash kept if typed)."""
    try:
        return mobile(raw)
    except ValidationError:
        pass
    value = _compact(raw).replace("\u2014", "-").replace("\u2013", "-")
    if not _FIXED.fullmatch(value):
        raise ValidationError(PHONE_MESSAGE, code="phone")
    return value


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by UnionPay and other bank card numbers."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def bank_card(raw: object) -> str:
    """A bank card number: 12–19 digits (spaces and dashes dropped) with a valid Luhn check."""
    value = _compact(raw).translate(_DASHES)
    if not (value.isascii() and value.isdigit() and 12 <= len(value) <= 19):
        raise ValidationError(BANK_CARD_FORMAT_MESSAGE, code="bank_card_format")
    if not luhn_ok(value):
        raise ValidationError(BANK_CARD_MESSAGE, code="bank_card")
    return value


# Runs of characters shaped like a resident ID (18 or 15) or a mobile number (11), once spaces
# and dashes between the digits are dropped.
_ID18_RUN = re.compile(r"(?<![0-9A-Z])\d{17}[\dX](?![0-9A-Z])")
_ID15_RUN = re.compile(r"(?<![0-9A-Z])\d{15}(?![0-9A-Z])")
_MOBILE_RUN = re.compile(r"(?<![0-9A-Z])1[3-9]\d{9}(?![0-9A-Z])")


def _a_date(year: int, month: int, day: int) -> bool:
    try:
        return idnumber.EARLIEST_BIRTH <= date(year, month, day)
    except ValueError:
        return False


def shaped_like_personal_number(text: str) -> bool:
    """True when ``text`` holds something shaped like a resident ID (18 or 15 characters whose
    birth-date digits form a date, check character right or wrong) or a mobile number, however
    it was typed (full width, spaces, dashes). Such values never go into a URL or a log line
    (security.md CR5, AD5); an 18-digit household code is not one (its digits 7–14 are no
    date)."""
    # As written (words apart: "person 1101…") and with the spaces and dashes typed inside a
    # number taken out ("1101 0519 …"); the compact form alone glues a number to the word before.
    written = unicodedata.normalize("NFKC", text).upper()
    compact = _compact(text).upper().translate(_DASHES)
    return any(_holds_number(form) for form in (written, compact))


def _holds_number(compact: str) -> bool:
    if _MOBILE_RUN.search(compact):
        return True
    for found in _ID18_RUN.finditer(compact):
        value = found.group(0)
        if _a_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
            return True
    for found in _ID15_RUN.finditer(compact):
        value = found.group(0)
        if _a_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12])):
            return True
    return False


# Bidirectional control characters (embeddings, overrides, isolates): typed into a name or an
# address they make the text read differently from what is stored (U+202E "RLO" reverses what
# follows), on pages, in exports and in the audit log. No field has a use for them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_MESSAGE = "不能包含文字方向控制字符（如 U+202E），请删除后重新输入"


def has_bidi_control(text: str) -> bool:
    return not BIDI_CONTROLS.isdisjoint(text)


def no_bidi_controls(value: object) -> None:
    """The one check of every free-text input (forms through ``renkou.common.forms.BaseForm``,
    import rows, the few views reading a POST value themselves); issue 19 item 10."""
    if isinstance(value, str) and has_bidi_control(value):
        raise ValidationError(BIDI_MESSAGE, code="bidi")
