"""Resident ID numbers (公民身份号码, GB 11643-1999) and the other document types of a person.

The register's own validator (ecosystem.md §3.5): python-stdnum rejects current area codes and
accepts future birth dates, id-validator is unmaintained, and the rules fit in a page.
Rules (domain.md §10.3, security.md IN1):

- 18 characters: area code (6), birth date YYYYMMDD (8), sequence (3, last digit odd = male),
  check character (ISO 7064 MOD 11-2, ``"10X98765432"[Σ digit × weight mod 11]``);
- legacy 15 digits (area, YYMMDD in the 1900s, sequence) are upgraded to 18 and flagged;
- the area code is the one of the first registration *as coded at issue time*, so an unknown
  code is only a warning;
- a wrong check character is an error that the caller may override with a recorded reason
  (PADIS dropped hard enforcement), so ``IdResult.info`` is still filled in for it;
- a birth date before 1900 is a warning, not an error (the standard's own example
  440524188001010014 was born in 1880); a date in the future or one that does not exist is an
  error;
- only what people type by accident is normalised (spaces, full-width digits and X, a
  lower-case x); a dash, a superscript, circled or mathematical digit or the Roman numeral Ⅹ
  signals a cell changed by a formula or a format and is refused by name (``id_lookalike``).

Speed: ``bench/idnumber.py`` compares ``validate`` with a minimal implementation of the check
in the same run (goal ≥ 0.8×): the common case (18 ASCII characters) takes a path without
regular expressions, Unicode normalisation or a read of the local date.

Error and warning codes are stable strings: import error reports and the data-quality centre
count them.
"""

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import mul
from typing import Literal

from django.utils import timezone

Severity = Literal["error", "warning"]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)
MALE, FEMALE = "1", "2"  # GB/T 2261.1 sex codes
SEX_NAMES = {MALE: "男", FEMALE: "女"}

# Dictionary ``document_type`` (migration common/0003).
DOC_RESIDENT_ID = "01"
DOC_OFFICER = "02"
DOC_PASSPORT = "03"
DOC_HUKOU_BOOK = "04"
DOC_HK_MACAO_TAIWAN = "05"
DOC_SYSTEM = "06"
DOC_FOREIGNER = "07"
DOC_NONE = "08"
DOC_OTHER = "99"
FREE_FORM_DOCS = frozenset(
    {DOC_OFFICER, DOC_PASSPORT, DOC_HK_MACAO_TAIWAN, DOC_FOREIGNER, DOC_OTHER}
)
SYSTEM_PREFIX = "XT"

# What people type by accident and the register fixes: spaces (any, the full-width one too, go
# with str.split()), full-width digits and X, a lower-case x. Nothing else is "fixed": a dash,
# a superscript, circled or mathematical digit or the Roman numeral Ⅹ means the cell went
# through something (a formula, a copy from a formatted document) and is refused by name.
_TYPED = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")
_DIGITS = frozenset("0123456789")
_NUMERIC = re.compile(r"\d(?:\.\d*)?E\+?\d+", re.ASCII)
_ID_CHARS = re.compile(r"\d*[\dX]", re.ASCII)
_FREE_FORM = re.compile(r"[A-Z0-9-]{5,20}", re.ASCII)
_SYSTEM = re.compile(SYSTEM_PREFIX + r"\d{16}", re.ASCII)

MESSAGES = {
    "id_empty": "公民身份号码不能为空",
    "id_numeric": "身份证号码不能是科学计数法数字，请将该列设为文本格式后重新录入",
    "id_chars": "公民身份号码只能由数字组成，最后一位可以是 X",
    "id_lookalike": "公民身份号码中有{kind}“{char}”，不是普通数字或 X："
    "单元格可能被公式或格式改动过，请核对原件后重新录入",
    "id_length": "公民身份号码应为18位（或15位旧号码）",
    "id_date": "公民身份号码中的出生日期无效",
    # Two more messages for code "id_date", naming the bound that was crossed.
    "id_date_early": "公民身份号码中的出生日期早于1900年1月1日（{year}年），请核对",
    "id_date_future": "公民身份号码中的出生日期晚于今天",
    "id_check": "公民身份号码校验位错误（应为 {expected}）",
    "id_area_unknown": "公民身份号码中的地址码 {area} 不在行政区划代码表中，请核实",
    "id_upgraded": "15位旧号码已升级为18位：{number}",
    "id_birth_mismatch": "出生日期与公民身份号码不一致（号码中为 {expected}）",
    "id_sex_mismatch": "性别与公民身份号码不一致（号码中为 {expected}）",
    "doc_type_unknown": "未知的证件类型：{doc_type}",
    "doc_empty": "证件号码不能为空",
    "doc_format": "证件号码应为5–20位字母、数字或“-”",
    "doc_system": "系统生成号码应为 XT 加16位数字",
    "doc_not_empty": "证件类型为“暂无证件”时不应填写证件号码",
}


@dataclass(frozen=True)
class Problem:
    """One finding about a value; ``code`` is stable, ``message`` is shown to the user."""

    code: str
    message: str
    severity: Severity = "error"


@dataclass(frozen=True)
class IdInfo:
    """What a structurally sound resident ID says about its holder."""

    number: str  # normalised 18 characters
    birth_date: date
    sex: str  # "1" male, "2" female (GB/T 2261.1)
    area_code: str
    upgraded_from_15: bool
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class IdResult:
    """The outcome of validating one document number; always returned, never raised."""

    value: str  # normalised input (the upgraded 18-character number for a 15-digit ID)
    info: IdInfo | None  # None when the number cannot be read (length, characters, date)
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


def problem(code: str, severity: Severity = "error", **params: object) -> Problem:
    """A Problem with the standard message of ``code``."""
    return Problem(code, MESSAGES[code].format(**params), severity)


def normalise(raw: object) -> str:
    """Only what people type by accident: no spaces, full-width digits and X to ASCII, 'x' to
    'X'. Dashes, superscripts and other look-alikes stay, for ``validate`` to refuse by name."""
    text = "" if raw is None else str(raw)
    if text.isascii() and text.isalnum() and "x" not in text:
        return text  # the common case: nothing to fix
    return "".join(text.split()).translate(_TYPED)


def _lookalike(value: str) -> tuple[str, str] | None:
    """The first character that looks like an ID character but is not one, and what it is."""
    for char in value:
        if char in _DIGITS or char == "X":
            continue
        name = unicodedata.name(char, "")
        if "DASH" in name or "HYPHEN" in name or char in "-\u2212\ufe63\uff0d":
            return char, "连接号"
        if "SUPERSCRIPT" in name or "SUBSCRIPT" in name:
            return char, "上标或下标数字"
        if "CIRCLED" in name or "PARENTHESIZED" in name or "FULL STOP" in name and "DIGIT" in name:
            return char, "带圈或带括号的数字"
        if name.startswith("MATHEMATICAL"):
            return char, "数学字母数字"
        if name.startswith(("ROMAN NUMERAL", "SMALL ROMAN NUMERAL")):
            return char, "罗马数字"
    return None


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("check_char needs exactly 17 digits")
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def upgrade15(id15: str) -> str:
    """The 18-character form of a legacy 15-digit number: "19" before YY, check appended."""
    if len(id15) != 15 or not id15.isdigit() or not id15.isascii():
        raise ValueError("upgrade15 needs exactly 15 digits")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + check_char(first17)


def validate(
    raw: object,
    *,
    today: date | None = None,
    known_area: Callable[[str], bool] | None = None,
) -> IdResult:
    """Check a resident ID; ``today`` defaults to the local date, ``known_area`` is optional."""
    value = normalise(raw)
    n = len(value)
    if n == 18 and value[:17].isdigit() and value.isascii() and value[17] in CHECK_CHARS:
        number = value  # the common case, checked without regular expressions
    else:
        structural = _structural_problem(value)
        if structural:
            return IdResult(value, None, (structural,))
        number = upgrade15(value) if n == 15 else value
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return IdResult(number, None, (problem("id_date"),))
    # Reading the local date costs more than the whole check: only a recent birth needs it
    # (UTC and the local date differ by less than a day).
    recent = today is not None or birth >= datetime.now(UTC).date() - _TWO_DAYS
    if recent and birth > (today or timezone.localdate()):
        return IdResult(number, None, (Problem("id_date", MESSAGES["id_date_future"]),))
    # ISO 7064 MOD 11-2 over the byte values: Σ (byte − 48) × w = Σ byte × w − 48 × Σ w.
    total = sum(map(mul, number[:17].encode(), WEIGHTS)) - _ZERO_SUM
    problems: tuple[Problem, ...] = ()
    if number[17] != CHECK_CHARS[total % 11]:
        problems = (problem("id_check", expected=CHECK_CHARS[total % 11]),)
    if birth < EARLIEST_BIRTH or n == 15 or known_area is not None:
        problems += _warnings(number, birth, n, known_area)
    sex = MALE if int(number[16]) % 2 else FEMALE
    info = IdInfo(number, birth, sex, number[:6], n == 15, problems)
    return IdResult(number, info, problems)


_ZERO_SUM = 48 * sum(WEIGHTS)
_TWO_DAYS = timedelta(days=2)


def _structural_problem(value: str) -> Problem | None:
    if not value:
        return problem("id_empty")
    if not _ID_CHARS.fullmatch(value):
        loose = unicodedata.normalize("NFKC", value).upper()
        if _NUMERIC.fullmatch(loose):
            return problem("id_numeric")
        found = _lookalike(value)
        if found is not None:
            return problem("id_lookalike", char=found[0], kind=found[1])
        return problem("id_chars")
    if len(value) not in (15, 18):
        return problem("id_length")
    if len(value) == 15 and not value.isdigit():
        return problem("id_chars")
    return None


def _birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _warnings(
    number: str, birth: date, length: int, known_area: Callable[[str], bool] | None
) -> tuple[Problem, ...]:
    """Findings that do not stop the number: born before 1900 (the standard's own example
    440524188001010014 was born in 1880), an unknown area code, an upgraded 15-digit number."""
    found: list[Problem] = []
    if birth < EARLIEST_BIRTH:
        found.append(problem("id_date_early", "warning", year=birth.year))
    if known_area is not None and not known_area(number[:6]):
        found.append(problem("id_area_unknown", "warning", area=number[:6]))
    if length == 15:
        found.append(problem("id_upgraded", "warning", number=number))
    return tuple(found)


def _sex(number: str) -> str:
    return MALE if int(number[16]) % 2 else FEMALE


def derive(number: str) -> tuple[date, str]:
    """Birth date and sex code of an 18- or 15-digit number; ValueError when unreadable."""
    value = normalise(number)
    if len(value) == 15 and _ID_CHARS.fullmatch(value) and value.isdigit():
        value = upgrade15(value)
    birth = _birth_date(value) if _ID_CHARS.fullmatch(value) and len(value) == 18 else None
    if birth is None:
        raise ValueError("not a readable resident ID number")
    return birth, _sex(value)


def compare(info: IdInfo, birth_date: date | None = None, sex: str | None = None) -> list[Problem]:
    """Disagreements between the number and the recorded birth date / sex.

    They are errors, which the caller may override with a recorded reason. A recorded sex of
    未知 (0) or 未说明 (9) is not compared.
    """
    found: list[Problem] = []
    if birth_date is not None and birth_date != info.birth_date:
        found.append(problem("id_birth_mismatch", expected=info.birth_date.isoformat()))
    if sex in SEX_NAMES and sex != info.sex:
        found.append(problem("id_sex_mismatch", expected=SEX_NAMES[info.sex]))
    return found


def generate(
    rng: random.Random,
    *,
    area: str = "623022",
    birth: date | None = None,
    sex: str | None = None,
) -> str:
    """A valid synthetic 18-character number for tests and demo data (deterministic per rng)."""
    if len(area) != 6 or not area.isdigit():
        raise ValueError("area must be 6 digits")
    if birth is None:
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(33_000))  # up to 2020
    sex = sex or rng.choice((MALE, FEMALE))
    if sex not in SEX_NAMES:
        raise ValueError("sex must be '1' or '2'")
    last = rng.choice("13579" if sex == MALE else "02468")
    first17 = f"{area}{birth:%Y%m%d}{rng.randrange(100):02d}{last}"
    return first17 + check_char(first17)


def system_number(source: random.Random | int) -> str:
    """A 06 系统生成号码: "XT" + 16 digits, from a counter value or random digits."""
    if isinstance(source, int):
        if not 0 <= source < 10**16:
            raise ValueError("counter out of range")
        return f"{SYSTEM_PREFIX}{source:016d}"
    return SYSTEM_PREFIX + "".join(source.choice("0123456789") for _ in range(16))


def validate_document(
    doc_type: str,
    raw: object,
    *,
    today: date | None = None,
    known_area: Callable[[str], bool] | None = None,
) -> IdResult:
    """Check the number of a document of type ``doc_type`` (dictionary ``document_type``).

    户口簿 (04) is filed under the holder's resident ID, so it follows the 01 rules; anything
    other than 15 or 18 digits fails them.
    """
    if doc_type in (DOC_RESIDENT_ID, DOC_HUKOU_BOOK):
        return validate(raw, today=today, known_area=known_area)
    value = _normalise_document(raw)
    if doc_type == DOC_NONE:
        return IdResult(value, None, (problem("doc_not_empty"),) if value else ())
    if doc_type not in FREE_FORM_DOCS and doc_type != DOC_SYSTEM:
        return IdResult(value, None, (problem("doc_type_unknown", doc_type=doc_type),))
    if not value:
        return IdResult(value, None, (problem("doc_empty"),))
    pattern, code = (
        (_SYSTEM, "doc_system") if doc_type == DOC_SYSTEM else (_FREE_FORM, "doc_format")
    )
    return IdResult(value, None, () if pattern.fullmatch(value) else (problem(code),))


def _normalise_document(raw: object) -> str:
    """NFKC, no whitespace, upper case; '-' stays because it is part of some numbers."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return "".join(text.split()).upper()
