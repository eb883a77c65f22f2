"""Checking one row of the change-event file on its own (no database): the kind, the dates,
the document numbers and the columns the kind needs, with the entry form's rules
(``renkou.events.forms``: the same required fields per kind, the same certificate and baby-ID
checks). What needs the register (who the person is, whether the event is recorded already,
whether ``events.services.record`` accepts it) is ``pipeline``'s.

Error codes (docs/import-events.md): the person rules' ``required``, ``bad_date``,
``future_date``, ``bad_code``, ``bad_name``, ``bad_unit``, ``unknown_unit`` and ID codes
(``id_numeric``, ``id_check`` …), the person import's ``unit_scope``, and ``MESSAGES`` below.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from renkou.common import dicts, idnumber
from renkou.events import forms
from renkou.events.constants import Kind
from renkou.events.importing.columns import KINDS, SHEET
from renkou.geo.constants import full_code
from renkou.people import rules
from renkou.people.constants import FEMALE, MALE
from renkou.people.importing.checking import Scope, UnitBook, raw_row
from renkou.people.importing.checking import issue as import_issue
from renkou.people.importing.columns import Column
from renkou.people.rules import Issue
from renkou.people.services import id_index

MESSAGES = {
    "bad_kind": "事件类型“{value}”不正确，应为出生、死亡、初婚、再婚、离婚、丧偶、迁入、迁出、"
    "县内迁移、流入或流出",
    "reported_early": "报告日期不能早于发生日期",
    "bad_parity": "孩次应为1–20的整数",
    "too_long": "{column}最多{limit}个字",
    "bad_certificate": "出生医学证明编号应为字母开头的5–20位字母和数字",
    "child_id_date": "婴儿身份号码中的出生日期与发生日期不一致",
    "child_id_sex": "婴儿身份号码中的性别与婴儿性别不一致",
}
# Kinds whose 迁入地代码 must be a village of the county (events.services._require_village).
TO_VILLAGE = frozenset({Kind.MOVE_IN, Kind.MOVE_WITHIN, Kind.FLOW_IN})
CODED = ("child_sex", "policy_attribute", "health", "reason")
FORM_FIELD = {"partner_id": "partner"}  # this file's column → the entry form's field
LIMITS = {"birth_place": 100, "cause": 100, "place": 100, "note": 200}
_KIND = {**{label: value for value, label in KINDS}, **{value: value for value, _l in KINDS}}


def issue(field_name: str, code: str, **params: Any) -> Issue:
    return Issue(field_name, code, MESSAGES[code].format(**params))


@dataclass(frozen=True)
class Context:
    """What the row checks need besides the row: today, the importer's scope, the county's
    units, the person rules' context (for newcomers) and the event columns' code lists."""

    today: date
    scope: Scope
    units: UnitBook
    person: rules.CheckContext
    books: dict[str, dicts.Book]

    @classmethod
    def build(cls, today: date, scope: Scope) -> "Context":
        units = UnitBook.load(scope.county)
        books = {name: _book(SHEET.by_field[name]) for name in CODED}
        return cls(today, scope, units, rules.CheckContext.build(today, known_unit=units), books)


@dataclass(slots=True)
class Row:
    """One row after its own checks; ``pipeline`` adds what the register says."""

    row: int
    cells: list[Any]
    raw: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    kind: str = ""
    effective: date | None = None
    reported: date | None = None
    index: str = ""  # blind index of the subject's number
    partner_index: str = ""
    child_index: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # events.services.Details fields
    # What the register says (pipeline): the subject and partner, or the earlier row of this
    # file that registers them; a newcomer's checked values; already recorded (已登记).
    subject: Any = None
    partner: Any = None
    subject_row: int = 0
    partner_row: int = 0
    newcomer: dict[str, Any] = field(default_factory=dict)
    recorded: bool = False

    @property
    def bad(self) -> bool:
        return bool(rules.errors(self.issues))

    def add(self, found: Issue) -> None:
        self.issues.append(found)

    def has_issue(self, field_name: str) -> bool:
        return any(i.field == field_name for i in self.issues)

    def text(self, name: str) -> str:
        return rules.text(self.raw.get(name))


def check_row(number: int, cells: list[Any], fields: list[tuple[int, str]], ctx: Context) -> Row:
    raw, mangled = raw_row(cells, fields, SHEET.long_numbers)
    row = Row(number, cells, raw)
    for found in rules.bidi_issues(raw):
        row.add(found)
    _kind(row)
    used = used_fields(row.kind)
    for name in mangled:
        if name == "id_number" or FORM_FIELD.get(name, name) in used:
            row.add(Issue(name, "id_numeric", idnumber.problem("id_numeric").message))
    _dates(row, ctx.today)
    row.index = _number(row, "id_number", mangled)
    if not row.index and "id_number" not in mangled:
        row.add(Issue("id_number", "required", "请填写公民身份号码"))
    if "partner" in used:
        row.partner_index = _number(row, "partner_id", mangled)
    for name in CODED:
        row.values[name] = _coded(row, name, ctx) if name in used else ""
    for name, limit in LIMITS.items():
        row.values[name] = _limited(row, name, limit) if name in used else ""
    _places(row, ctx, used)
    if row.kind == Kind.BIRTH:
        _birth(row, mangled, ctx.today)
    _required(row)
    return row


def used_fields(kind: str) -> frozenset[str]:
    """The columns a kind uses (the entry form's ``KIND_FIELDS``, the note, and where an
    arrival comes from); the others are ignored on its rows."""
    used = {*forms.KIND_FIELDS.get(kind, ()), "note"}
    if kind in forms.NEW_PERSON_KINDS:
        used.add("from_code")
    return frozenset(used)


def _kind(row: Row) -> None:
    value = row.text("kind")
    if not value:
        row.add(Issue("kind", "required", "请填写事件类型"))
        return
    row.kind = _KIND.get(value) or _KIND.get(value.lower(), "")
    if not row.kind:
        row.add(issue("kind", "bad_kind", value=value[:20]))


def _date(row: Row, name: str, label: str, today: date) -> date | None:
    if not row.text(name):
        return None
    day = rules.parse_date(row.raw.get(name))
    if day is None:
        row.add(Issue(name, "bad_date", f"{label}格式不正确，如 2024-03-05"))
    elif day > today:
        row.add(Issue(name, "future_date", f"{label}不能晚于今天"))
    return day


def _dates(row: Row, today: date) -> None:
    row.effective = _date(row, "effective_date", "发生日期", today)
    if not row.text("effective_date"):
        row.add(Issue("effective_date", "required", "请填写发生日期"))
    row.reported = _date(row, "reported_date", "报告日期", today)
    if row.reported and row.effective and row.reported < row.effective:
        row.add(issue("reported_date", "reported_early"))


def _number(row: Row, name: str, mangled: list[str]) -> str:
    """The blind index of a document number column ('' if empty or mangled by Excel); a
    15-digit number is looked up as its 18-digit form, as the entry form does."""
    number = "" if name in mangled else idnumber.normalise(row.raw.get(name))
    if len(number) == 15 and number.isdigit():
        number = idnumber.upgrade15(number)
    return id_index(number) if number else ""


def _book(column: Column) -> dicts.Book:
    """The look-up of a coded column: its dictionary's (with the aliases), or its fixed
    choices."""
    if column.dict_type and not column.choices:
        return dicts.book(column.dict_type)
    options = column.options()
    codes = {**{label: code for code, label in options}, **{code: code for code, _l in options}}
    return dicts.Book(codes, {}, tuple(label for _code, label in options))


def _coded(row: Row, name: str, ctx: Context) -> str:
    value = row.text(name)
    if not value:
        return ""
    found = rules.coded_issue(name, SHEET.by_field[name].header, value, ctx.books[name])
    if isinstance(found, Issue):
        row.add(found)
        return ""
    code, note = found
    if note is not None:
        row.add(note)
    return code


def _limited(row: Row, name: str, limit: int) -> str:
    value = row.text(name)
    if len(value) > limit:
        row.add(issue(name, "too_long", column=SHEET.by_field[name].header, limit=limit))
    return value[:limit]


def _required(row: Row) -> None:
    """The fields the entry form requires for the kind (``forms.REQUIRED``)."""
    for name in sorted(forms.REQUIRED.get(row.kind, ())):
        if not row.values.get(name) and not row.has_issue(name):
            row.add(Issue(name, "required", f"请填写{SHEET.by_field[name].header}"))


def _birth(row: Row, mangled: list[str], today: date) -> None:
    """The baby's columns as the entry form checks them."""
    name = row.text("child_name")
    if name and not rules.NAME_RE.match(name):
        row.add(Issue("child_name", "bad_name", "婴儿姓名只能包含汉字、字母和间隔号“·”"))
    row.values["child_name"] = name
    if row.values["child_sex"] not in ("", MALE, FEMALE):
        row.add(Issue("child_sex", "bad_code", "婴儿性别应为男或女"))
    parity = row.text("parity")
    row.values["parity"] = None
    if parity and (not parity.isdigit() or not 1 <= int(parity) <= 20):
        row.add(issue("parity", "bad_parity"))
    elif parity:
        row.values["parity"] = int(parity)
    certificate = idnumber.normalise(row.raw.get("certificate_no"))
    if certificate and (
        certificate[0] not in forms.CERTIFICATE_LETTERS
        or not 5 <= len(certificate) <= 20
        or not set(certificate) <= forms.CERTIFICATE_CHARS
    ):
        row.add(issue("certificate_no", "bad_certificate"))
    row.values["certificate_no"] = certificate[:20]
    row.values["child_id_number"] = ""
    if "child_id_number" not in mangled and row.text("child_id_number"):
        _child_id(row, today)


def _child_id(row: Row, today: date) -> None:
    result = idnumber.validate(row.raw.get("child_id_number"), today=today)
    for problem in result.errors:
        row.add(Issue("child_id_number", problem.code, problem.message))
    if result.info is None or result.errors:
        return
    row.values["child_id_number"] = result.info.number
    row.child_index = id_index(result.info.number)
    if row.effective and result.info.birth_date != row.effective:
        row.add(issue("child_id_number", "child_id_date"))
    if row.values["child_sex"] and result.info.sex != row.values["child_sex"]:
        row.add(issue("child_id_number", "child_id_sex"))


def _places(row: Row, ctx: Context, used: frozenset[str]) -> None:
    """迁入地代码 and 迁出地代码: a village of the county where the service needs one (inside
    the importer's scope for arrivals, as the entry form's village picker), else any 6-, 9- or
    12-digit division code."""
    for name in ("to_code", "from_code"):
        row.values[name] = _code(row, name) if name in used else ""
    to_code = row.values["to_code"]
    if row.kind not in TO_VILLAGE or not to_code:
        return
    if to_code not in ctx.units.villages:
        row.add(Issue("to_code", "unknown_unit", f"迁入地代码{to_code}不是本县的村（居）"))
    elif row.kind in forms.NEW_PERSON_KINDS and not ctx.scope.contains(to_code):
        row.add(import_issue("to_code", "unit_scope", unit=to_code))


def _code(row: Row, name: str) -> str:
    value = row.text(name)
    if not value:
        return ""
    if not rules.CODE_RE.match(value):
        header = SHEET.by_field[name].header
        row.add(Issue(name, "bad_unit", f"{header}应为6、9或12位区划代码"))
        return ""
    return full_code(value)
