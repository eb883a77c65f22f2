"""The one set of rules a person record must pass, shared by the entry form and the importer
(house style rule 10: the same validation for single edits and bulk imports).

``check_person(raw, context)`` takes the values as typed (strings; coded columns may hold the
code or its label) and returns the cleaned values and a list of issues, each with the field,
a stable error code and a Chinese message. Errors refuse the record; warnings do not. Three
errors can be overridden by recording a reason (domain.md §0.10): a wrong check character and
an ID that disagrees with the typed birth date or sex.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from renkou.common import dicts, idnumber, validators
from renkou.geo.constants import full_code
from renkou.people.constants import ID_CARD, MARRIED_CODES, NO_DOCUMENT, PERSON_DICTS

NOTE = "note"  # an issue that is neither error nor warning: the import page lists it as a note
OVERRIDABLE = frozenset({"id_check", "id_birth_mismatch", "id_sex_mismatch"})
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
NAME_RE = re.compile(r"^[\u3400-\u9fffA-Za-z·•.\- ]{1,50}$")
CODE_RE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")
HOUSEHOLD_RE = re.compile(r"^\d{18}$")
LEGAL_MARRIAGE_AGE = {"1": 22, "2": 20}

# field → (dictionary type, required, default)
CODED = {
    field: (PERSON_DICTS[field], required, default)
    for field, required, default in (
        ("id_type", False, ID_CARD),
        ("sex", False, ""),
        ("ethnicity", False, "01"),
        ("marital_status", False, "10"),
        ("education", False, ""),
        ("hukou_type", False, ""),
        ("relationship", True, ""),
        ("residence_status", False, "1"),
    )
}
LABELS = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "id_type": "证件类型",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "marital_status": "婚姻状况",
    "education": "文化程度",
    "hukou_type": "户口性质",
    "household_code": "户编号",
    "relationship": "与户主关系",
    "registered_code": "户籍地代码",
    "residence_code": "现居住地代码",
    "residence_status": "居住状况",
    "phone": "联系电话",
    "first_marriage_date": "初婚日期",
    "id_override_reason": "校验例外原因",
}


@dataclass(frozen=True)
class Issue:
    field: str
    code: str
    message: str
    severity: str = "error"

    @property
    def column(self) -> str:
        return LABELS.get(self.field, self.field)


@dataclass
class CheckContext:
    """What the rules need besides the row: today, the code lists, and which unit codes exist
    (so an unknown residence or registration inside the county is caught)."""

    today: date
    codebooks: dict[str, dicts.Book] = field(default_factory=dict)
    known_unit: Any = None  # callable(code) -> bool, or None to skip

    @classmethod
    def build(cls, today: date, known_unit: Any = None) -> "CheckContext":
        books = {dict_type: dicts.book(dict_type) for dict_type, _r, _d in CODED.values()}
        return cls(today=today, codebooks=books, known_unit=known_unit)


def text(value: Any) -> str:
    """A cell or form value as trimmed text with full-width characters folded (NFKC)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_date(value: Any) -> date | None:
    """2024-03-05, 2024/3/5, 2024.03.05, 20240305, 2024年3月5日 (full-width too); None if bad."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = "".join(text(value).split())
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 a calendar date, no time
        except ValueError:
            continue
    return None


def _coded(name: str, raw: Any, ctx: CheckContext, issues: list[Issue]) -> str:
    dict_type, required, default = CODED[name]
    value = text(raw)
    if not value:
        if required:
            issues.append(Issue(name, "required", f"请填写{LABELS[name]}"))
        return default
    book = ctx.codebooks.get(dict_type) or dicts.Book({}, {}, ())
    found = coded_issue(name, LABELS[name], value, book)
    if isinstance(found, Issue):
        issues.append(found)
        return default
    code, note = found
    if note is not None:
        issues.append(note)
    return code


def coded_issue(
    name: str, header: str, value: str, book: dicts.Book
) -> Issue | tuple[str, Issue | None]:
    """Read a typed value of a code list: its code, with a note when the value is an alias
    (``dict_alias``, not an error), or the ``bad_code`` error listing the accepted labels."""
    found = book.find(value)
    if found is None:
        accepted = book.accepted() or "（字典中没有启用的项）"
        return Issue(name, "bad_code", f"{header}“{value[:20]}”不在字典中，可填：{accepted}")
    code, by_alias = found
    if not by_alias:
        return code, None
    label = next((label for label in book.labels if book.codes.get(label) == code), code)
    message = f"{header}“{value}”按字典别名记为“{label}”"
    return code, Issue(name, "dict_alias", message, NOTE)


def _unit_code(name: str, raw: Any, ctx: CheckContext, issues: list[Issue]) -> str:
    value = text(raw)
    if not value:
        issues.append(Issue(name, "required", f"请填写{LABELS[name]}"))
        return ""
    if not CODE_RE.match(value):
        issues.append(Issue(name, "bad_unit", f"{LABELS[name]}应为6、9或12位区划代码"))
        return ""
    code = full_code(value)
    if ctx.known_unit is not None and not ctx.known_unit(code):
        issues.append(Issue(name, "unknown_unit", f"{LABELS[name]}{code}不是本县的区划单位"))
    return code


def _identity(
    raw: dict[str, Any], out: dict[str, Any], ctx: CheckContext, issues: list[Issue]
) -> None:
    """ID number by document type; fill or compare birth date and sex."""
    number = raw.get("id_number")
    result = idnumber.validate_document(out["id_type"], number, today=ctx.today)
    out["id_number"] = result.value if result.ok or result.info is not None else text(number)
    for problem in result.problems:
        issues.append(Issue("id_number", problem.code, problem.message, problem.severity))
    info = result.info
    if info is None:
        return
    out["id_number"] = info.number
    if out["birth_date"] is None:
        out["birth_date"] = info.birth_date
    if not out["sex"]:
        out["sex"] = info.sex
    for problem in idnumber.compare(info, birth_date=out["birth_date"], sex=out["sex"]):
        issues.append(Issue("id_number", problem.code, problem.message))


def bidi_issues(raw: dict[str, Any]) -> list[Issue]:
    """Each value holding a bidirectional control character (``validators.no_bidi_controls``):
    the same refusal as every form's, for import rows (issue 19 item 10)."""
    found = []
    for name, value in raw.items():
        if isinstance(value, str) and validators.has_bidi_control(value):
            found.append(Issue(name, "bidi", validators.BIDI_MESSAGE))
    return found


def check_person(raw: dict[str, Any], ctx: CheckContext) -> tuple[dict[str, Any], list[Issue]]:
    """Clean and check one person. Returns (values, issues); values are usable only when no
    issue of severity 'error' remains after overrides."""
    issues: list[Issue] = bidi_issues(raw)
    out: dict[str, Any] = {}
    name = text(raw.get("name"))
    if not name:
        issues.append(Issue("name", "required", "请填写姓名"))
    elif not NAME_RE.match(name):
        issues.append(Issue("name", "bad_name", "姓名只能包含汉字、字母和间隔号“·”"))
    out["name"] = name
    for key in CODED:
        out[key] = _coded(key, raw.get(key), ctx, issues)
    birth_raw = raw.get("birth_date")
    out["birth_date"] = parse_date(birth_raw) if text(birth_raw) else None
    if text(birth_raw) and out["birth_date"] is None:
        issues.append(Issue("birth_date", "bad_date", "出生日期格式不正确，如 1990-01-01"))
    if out["id_type"] != NO_DOCUMENT or text(raw.get("id_number")):
        _identity(raw, out, ctx, issues)
    else:
        out["id_number"] = ""
    _after_identity(raw, out, ctx, issues)
    return out, _apply_override(out, issues)


def _after_identity(
    raw: dict[str, Any], out: dict[str, Any], ctx: CheckContext, issues: list[Issue]
) -> None:
    if out["birth_date"] is None:
        message = "请填写出生日期（或填写身份证号自动带出）"
        issues.append(Issue("birth_date", "required", message))
    elif out["birth_date"] > ctx.today:
        issues.append(Issue("birth_date", "future_date", "出生日期不能晚于今天"))
    if not out["sex"]:
        issues.append(Issue("sex", "required", "请填写性别（或填写身份证号自动带出）"))
    code = text(raw.get("household_code"))
    if not HOUSEHOLD_RE.match(code):
        message = "户编号应为18位数字（村代码12位+组2位+户序号4位）"
        issues.append(Issue("household_code", "bad_household", message))
    out["household_code"] = code
    out["registered_code"] = _unit_code("registered_code", raw.get("registered_code"), ctx, issues)
    out["residence_code"] = _unit_code("residence_code", raw.get("residence_code"), ctx, issues)
    phone = text(raw.get("phone"))
    out["phone"] = ""
    if phone:
        try:
            out["phone"] = validators.phone(phone)
        except Exception:  # noqa: BLE001 ValidationError carries the message
            issues.append(Issue("phone", "bad_phone", "联系电话格式不正确"))
    first = raw.get("first_marriage_date")
    out["first_marriage_date"] = parse_date(first) if text(first) else None
    _logic_checks(out, issues, ctx.today)
    out["id_override_reason"] = text(raw.get("id_override_reason"))[:200]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _logic_checks(out: dict[str, Any], issues: list[Issue], today: date) -> None:
    """Logic checks of domain.md §3 that one record can show (warnings, not refusals)."""
    birth, married = out["birth_date"], out["marital_status"] in MARRIED_CODES
    marriage = out.get("first_marriage_date")
    if birth and marriage:
        age = age_on(birth, marriage)
        minimum = LEGAL_MARRIAGE_AGE.get(out["sex"])
        if minimum and age < minimum:
            message = f"初婚年龄{age}岁，低于法定婚龄{minimum}岁"
            issues.append(Issue("first_marriage_date", "early_marriage", message, "warning"))
    if married and birth and age_on(birth, today) < 15:
        message = "未满15周岁却登记为已婚"
        issues.append(Issue("marital_status", "married_child", message, "warning"))


OVERRIDE_NOT_NEEDED = "身份证号已通过校验，不需要填写校验例外原因，请清空该项"


def _apply_override(out: dict[str, Any], issues: list[Issue]) -> list[Issue]:
    """With a recorded reason, the overridable ID errors become warnings. A reason is an
    exception to a failed check: beside a number that passes, it is refused (a name typed
    into the wrong box must not be saved as the reason)."""
    if not out.get("id_override_reason"):
        return issues
    if not any(i.code in OVERRIDABLE and i.severity == "error" for i in issues):
        return [*issues, Issue("id_override_reason", "override_not_needed", OVERRIDE_NOT_NEEDED)]
    return [
        Issue(i.field, i.code, i.message + "（已说明原因）", "warning")
        if i.code in OVERRIDABLE and i.severity == "error"
        else i
        for i in issues
    ]


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


def managing_code(registered: str, residence: str, county_prefix: str) -> str:
    """管理地 (domain.md §2.1): the residence when it lies in this county, else the registered
    place (a person who flowed out is still managed where the hukou is)."""
    if residence.startswith(county_prefix):
        return residence
    return registered
