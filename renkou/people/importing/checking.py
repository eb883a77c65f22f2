"""Checking import rows: first each row alone with the entry form's rules
(``people.rules.check_person``, house style rule 10) plus the importer's own checks (scope,
household code, numbers that Excel has mangled), then each chunk against the file so far and
the register (duplicates in the file, existing persons by blind index, one head per household).

``check_row`` touches no database, so it may run in worker processes; ``Planner`` runs in the
importing process and queries the register once per chunk (1,000 rows) for each look-up.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from renkou.geo.constants import Level, county_of
from renkou.geo.models import Unit
from renkou.people import models as people_models
from renkou.people import rules
from renkou.people.constants import HEAD
from renkou.people.importing.columns import LONG_NUMBERS
from renkou.people.models import Household, Person
from renkou.people.rules import Issue
from renkou.people.services import id_index

# Importer-specific error codes (docs/import.md lists them with the rules' own codes).
MESSAGES = {
    "numeric_cell": "{column}是数字格式，Excel 会改动超过15位的数字，请把该列设为文本后重新填写",
    "household_scope": "户编号不在您的管辖范围内",
    "household_unit": "户编号中的村（居）代码 {unit} 不是本县的村（居）",
    "unit_scope": "管理地（现居住地 {unit}）不在您的管辖范围内",
    "dup_in_file": "与第 {row} 行的证件号码重复",
    "dup_plain": "与第 {row} 行是同一户中同姓名、同出生日期的人员",
    "id_elsewhere": "该证件号码已在您管辖范围以外的单位登记，请联系县局办理迁移",
    "id_ambiguous": "系统中已有多条该证件号码的记录，请先在“疑似重复人员”中处理",
    "exited": "该人员已退出系统，请先在人员页面恢复后再导入",
    "household_head": "该户已有户主，一户只能有一名户主",
    "household_head_file": "与第 {row} 行同为该户户主，一户只能有一名户主",
}
NUMERIC_LIMIT = 1e15  # Excel keeps 15 significant digits
RawRow = tuple[dict[str, Any], list[str]]  # field → cell, and the fields Excel has rounded


def issue(field_name: str, error: str, **params: Any) -> Issue:
    return Issue(field_name, error, MESSAGES[error].format(**params))


@dataclass(frozen=True)
class Scope:
    """Where the importer may write: a unit-code prefix (the caller's subtree) in a county."""

    prefix: str
    county: str

    @classmethod
    def of(cls, prefix: str) -> "Scope":
        return cls(prefix=prefix, county=county_of(prefix))

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)


@dataclass(frozen=True)
class UnitBook:
    """The county's current unit codes, read once per import."""

    county: str
    codes: frozenset[str]
    villages: frozenset[str]

    @classmethod
    def load(cls, county: str) -> "UnitBook":
        rows = Unit.objects.current().filter(code__startswith=county).values_list("code", "level")
        codes = {code for code, _level in rows}
        villages = {code for code, level in rows if level == Level.VILLAGE}
        return cls(county, frozenset(codes), frozenset(villages))

    def __call__(self, code: str) -> bool:
        """``CheckContext.known_unit``: codes outside the county cannot be checked here."""
        return not code.startswith(self.county) or code in self.codes


@dataclass(slots=True)
class Checked:
    """One row after checking: cleaned values, issues, and what the planner needs."""

    row: int
    values: dict[str, Any]
    issues: list[Issue]
    index: str = ""  # blind index of the document number ('' when none)
    household: str = ""  # valid household code in scope
    unit: str = ""  # managing unit code, as services.person_prepare will derive it
    id_status: str = ""  # Person.id_status as Person.save would set it (good rows)
    existing: Person | None = None
    bad: bool = field(default=False)

    def add(self, new: Issue) -> None:
        self.issues.append(new)
        self.bad = True


def managing_unit(household_code: str, residence_code: str) -> str:
    """The managing unit ``services._derive`` gives a person of this household: the residence
    when it lies in the household's county, else the household's village (a test keeps the two
    in step)."""
    village = household_code[:12]
    return residence_code if residence_code.startswith(county_of(village)) else village


def raw_row(
    cells: list[Any], fields: list[tuple[int, str]], long_numbers: frozenset[str] = LONG_NUMBERS
) -> RawRow:
    """The row as check_person takes it (field → cell); the ``long_numbers`` fields that
    arrived as numbers of 16 digits or more, which Excel has rounded, are returned as well."""
    raw: dict[str, Any] = {}
    mangled: list[str] = []
    width = len(cells)
    for index, name in fields:
        value = cells[index] if index < width else ""
        if isinstance(value, float | int) and not isinstance(value, bool):
            if name in long_numbers and abs(value) >= NUMERIC_LIMIT:
                mangled.append(name)
                value = repr(float(value))  # "3.2012419900101e+17": rules say id_numeric
        elif isinstance(value, str) and value.startswith('="') and value.endswith('"'):
            value = value[2:-1]  # ="0123" is how some exports keep a number as text
        raw[name] = value
    return raw, mangled


def _pad_codes(raw: dict[str, Any], ctx: rules.CheckContext) -> None:
    """A code like 01 typed into a number cell arrives as 1: restore the dictionary's width."""
    for name, (dict_type, _required, _default) in rules.CODED.items():
        value = raw.get(name)
        if isinstance(value, float | int) and not isinstance(value, bool) and value == int(value):
            text = str(int(value))
            book = ctx.codebooks[dict_type].codes if dict_type in ctx.codebooks else {}
            if text not in book and text.zfill(2) in book:
                raw[name] = text.zfill(2)


def check_row(
    row: int,
    cells: list[Any],
    fields: list[tuple[int, str]],
    ctx: rules.CheckContext,
    scope: Scope,
    units: UnitBook,
) -> Checked:
    """Everything about one row that needs neither the register nor the other rows."""
    raw, mangled = raw_row(cells, fields)
    _pad_codes(raw, ctx)
    values, issues = rules.check_person(raw, ctx)
    if "household_code" in mangled:
        issues = [i for i in issues if i.field != "household_code"]
        issues.append(issue("household_code", "numeric_cell", column="户编号"))
    checked = Checked(row, values, issues, bad=bool(rules.errors(issues)))
    if values.get("id_number"):
        checked.index = id_index(values["id_number"])
    code = values.get("household_code", "")
    if rules.HOUSEHOLD_RE.match(code):
        _check_household(checked, code, scope, units)
    if not checked.bad:
        checked.id_status = _id_status(values)
    return checked


def _id_status(values: dict[str, Any]) -> str:
    """``Person.save`` derives ``id_status`` from the number, birth date and sex; bulk writes
    set it themselves, and computing it here lets worker processes share the cost."""
    status_of = getattr(people_models, "id_status_of", None)
    if status_of is None:
        return ""
    status: str = status_of(
        values["id_type"], values["id_number"], values["birth_date"], values["sex"]
    )
    return status


def _check_household(checked: Checked, code: str, scope: Scope, units: UnitBook) -> None:
    village = code[:12]
    if not scope.contains(village):
        checked.add(issue("household_code", "household_scope"))
    elif village not in units.villages:
        checked.add(issue("household_code", "household_unit", unit=village))
    else:
        checked.household = code
        residence = checked.values.get("residence_code") or ""
        checked.unit = managing_unit(code, residence)
        if not scope.contains(checked.unit):
            checked.add(issue("residence_code", "unit_scope", unit=checked.unit))


# --- against the file so far and the register -----------------------------------------------


class Planner:
    """Checks each chunk against earlier rows and the register; keeps what later chunks need
    (document numbers seen, heads seen) in compact form, so a million rows fit in memory."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.seen: dict[int, int] = {}  # 64 bits of the blind index → first row
        self.seen_plain: dict[int, int] = {}  # hash of (household, name, birth) → first row
        self.heads: dict[str, int] = {}  # household code → row of its head in this file
        self.households: dict[str, Household] = {}  # this chunk's existing households

    def plan(self, chunk: list[Checked]) -> list[Checked]:
        """Add the cross-row issues to ``chunk``; return its good rows, ``existing`` filled in."""
        for checked in chunk:
            self._duplicates(checked)
        good = [c for c in chunk if not c.bad and c.household]
        self._load(good)
        for checked in good:
            self._against_register(checked)
        return [c for c in good if not c.bad]

    def _duplicates(self, checked: Checked) -> None:
        if checked.index:
            key, seen, code = int(checked.index[:16], 16), self.seen, "dup_in_file"
        elif checked.household and checked.values.get("birth_date"):
            values = checked.values
            key = hash((checked.household, values["name"], values["birth_date"]))
            seen, code = self.seen_plain, "dup_plain"
        else:
            return
        first = seen.setdefault(key, checked.row)
        if first != checked.row:
            checked.add(issue("id_number" if checked.index else "name", code, row=first))

    def _load(self, good: list[Checked]) -> None:
        codes = {c.household for c in good}
        self.households = {h.code: h for h in Household.objects.filter(code__in=codes)}
        self._db_heads = dict(
            Person.objects.filter(
                household__code__in=codes, is_head=True, exited_at__isnull=True
            ).values_list("household__code", "id")
        )
        indexes = [c.index for c in good if c.index]
        self._by_index: dict[str, list[Person]] = {}
        for person in Person.objects.filter(id_index__in=indexes).select_related("household"):
            self._by_index.setdefault(person.id_index, []).append(person)
        plain = {c.household for c in good if not c.index}
        self._by_plain: dict[tuple[str, str, date], list[Person]] = {}
        if plain:
            rows = Person.objects.filter(household__code__in=plain, id_index="")
            for person in rows.select_related("household"):
                key = (person.household.code, person.name, person.birth_date)  # type: ignore[union-attr]  # filtered on household__code
                self._by_plain.setdefault(key, []).append(person)

    def _against_register(self, checked: Checked) -> None:
        values = checked.values
        if checked.index:
            found = self._by_index.get(checked.index, [])
        else:
            key = (checked.household, values["name"], values["birth_date"])
            found = self._by_plain.get(key, [])
        if len(found) > 1:
            checked.add(issue("id_number", "id_ambiguous"))
            return
        person = found[0] if found else None
        if person is not None and not self.scope.contains(person.unit_code):
            checked.add(issue("id_number", "id_elsewhere"))
            return
        if person is not None and person.exited_at is not None:
            checked.add(issue("id_number", "exited"))
            return
        checked.existing = person
        if values["relationship"] == HEAD:
            self._one_head(checked, person)

    def _one_head(self, checked: Checked, person: Person | None) -> None:
        db_head = self._db_heads.get(checked.household)
        if db_head is not None and (person is None or person.pk != db_head):
            checked.add(issue("relationship", "household_head"))
            return
        first = self.heads.setdefault(checked.household, checked.row)
        if first != checked.row:
            checked.add(issue("relationship", "household_head_file", row=first))
