"""Reading the prefecture's figures of the other counties from a spreadsheet (.xlsx, .xls,
.csv) on the import framework's building blocks (``renkou.people.importing``: the file checks,
the header mapping, the row limit). Each row is checked as the entry form checks it
(``services.check_county_figure``); any bad row refuses the whole file, with every error by
row, column and reason, and nothing is saved."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from renkou.assessment import ranking, services
from renkou.geo.models import Unit
from renkou.people.importing.columns import Column, Sheet
from renkou.people.importing.files import FileRefused
from renkou.people.importing.reading import open_table

SHEET = Sheet(
    (
        Column("county_name", "县（市）", required=True, aliases=("县市", "县名", "县（市）名称")),
        Column("measure", "指标", required=True, aliases=("考核指标", "指标名称")),
        Column("value", "数值", required=True, aliases=("得分", "值")),
        Column("note", "说明", aliases=("备注",)),
    ),
    frozenset(),
    frozenset(),
    "county_name",
)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class ImportRefused(ValidationError):
    """The file has bad rows: nothing was saved."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"文件有 {len(errors)} 处错误，未导入任何一行")
        self.errors = errors


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _measure(text: str) -> str | None:
    """A measure by its code or its name as the page shows it."""
    for code, label in ranking.measures():
        if text in (code, label) or (code == ranking.TOTAL and text in ("考核总分", "总分")):
            return code
    return None


def read(path: Path, name: str, *, county: Unit, year: int) -> list[dict[str, Any]]:
    """The rows of the file, every one checked; ``ImportRefused`` with all errors,
    ``FileRefused`` for a file that cannot be read."""
    table = open_table(path, name, sheet=SHEET)
    header = {f: table.header_of(f) for f in SHEET.by_field}
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in table.rows():
        cells = {f: raw[i] if i < len(raw) else None for i, f in table.fields.items()}
        county_name, note = _text(cells.get("county_name")), _text(cells.get("note"))
        if county_name == "示例":
            continue
        problems: list[RowError] = []
        measure = _measure(_text(cells.get("measure")))
        if measure is None:
            problems.append(RowError(number, header["measure"], "没有该指标"))
        try:
            value = Decimal(_text(cells.get("value")).replace(",", ""))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(RowError(number, header["value"], "数值应为数字"))
            value = Decimal(0)
        if len(note) > 200:
            problems.append(RowError(number, header["note"], "说明不超过200字"))
        checked = services.check_county_figure(county, year, county_name, measure or "", value)
        for field_name, message in checked.items():
            if field_name in header and not (field_name == "measure" and measure is None):
                problems.append(RowError(number, header[field_name], message))
        key = (county_name, measure or "")
        if measure and key in seen:
            problems.append(RowError(number, header["county_name"], f"与第 {seen[key]} 行重复"))
        seen.setdefault(key, number)
        errors.extend(problems)
        if not problems:
            rows.append(
                {"county_name": county_name, "measure": measure, "value": value, "note": note}
            )
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise FileRefused("文件中没有数据行")
    return rows
