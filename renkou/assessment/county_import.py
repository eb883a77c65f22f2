"""Reading the prefecture's figures of the other counties from a spreadsheet (.xlsx, .xls,
.csv) on the import framework's building blocks (``renkou.people.importing``: the file checks,
the header mapping, the row limit). Each row is checked as the entry form checks it
(``services.check_county_figure``); any bad row refuses the whole file, with every error by
row, column and reason, and nothing is saved. ``template`` writes the workbook to fill in from
the same column definition."""

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from renkou.assessment import ranking, services
from renkou.geo.models import Unit
from renkou.people.importing.columns import EXAMPLE_NAME, Column, Sheet
from renkou.people.importing.files import FileRefused
from renkou.people.importing.reading import open_table
from renkou.people.importing.template import Template, build_workbook

SHEET = Sheet(
    (
        Column(
            "county_name",
            "县（市）",
            required=True,
            aliases=("县市", "县名", "县（市）名称"),
            note="必填。地区其他县市的名称；本县的数值由系统计算，不要列入。",
        ),
        Column(
            "measure",
            "指标",
            required=True,
            aliases=("考核指标", "指标名称"),
            width=30,
            note="必填。从下拉列表中选择指标名称（也可填写指标代码）。",
        ),
        Column(
            "value",
            "数值",
            required=True,
            aliases=("得分", "值"),
            note="必填。数字，可带小数。",
        ),
        Column("note", "说明", aliases=("备注",), width=30, note="选填，不超过200字。"),
    ),
    frozenset(),
    frozenset(),
    "county_name",
)
NOTES = (
    "1. 在“各县市数据”表第2行起每行填写一个县（市）的一项指标；第2行“示例”行可以保留，"
    "导入时自动跳过。",
    "2. 红色列名为必填列，列的顺序可以调整，多余的列会被忽略。",
    "3. 有任何一行错误则整份文件不导入，并逐行列出错误；已有的同县同指标数据会被更新。",
    "4. 支持 .xlsx、.xls 和 .csv（UTF-8 或 GBK/GB18030 编码）文件。",
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
        if county_name == EXAMPLE_NAME:
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


def template() -> bytes:
    """导入模板.xlsx from ``SHEET`` itself (the importer's columns, so the two cannot differ):
    the header row, the measures as a drop-down (the names the importer reads), one example
    row marked 示例 that the importer skips, and a sheet of notes."""
    choices = tuple(ranking.measures())
    columns = tuple(
        replace(c, choices=choices) if c.field == "measure" else c for c in SHEET.columns
    )
    sheet = Sheet(columns, SHEET.masked, SHEET.long_numbers, SHEET.example_field)
    example = {
        "county_name": EXAMPLE_NAME,
        "measure": ranking.TOTAL_LABEL,
        "value": "92.5",
        "note": "示例行，导入时自动跳过",
    }
    spec = Template(sheet, "各县市数据", "地区各县市数据导入填表说明", NOTES, example)
    return build_workbook(spec)
