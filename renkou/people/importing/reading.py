"""Reading an import file into rows of cells: .xlsx/.xls/.ods through python-calamine
(ecosystem.md §2.5: about 12× faster than openpyxl, and it reads legacy .xls), .csv through
the csv module in UTF-8 (with or without BOM), GB18030 or UTF-16.

The header row is found among the first ten rows by its Chinese column names (columns.py);
row numbers are the spreadsheet's own (header on row 1 in the template), so the error report
and the user's sheet agree. Cells keep their types (str, float, date, …) for the checks.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renkou.people.importing.columns import IGNORED, PERSONS, Sheet, normalise_header
from renkou.people.importing.files import FileRefused, Limits, inspect, text_encoding

HEADER_SEARCH_ROWS = 10
Row = tuple[int, list[Any]]


@dataclass
class Table:
    """One sheet of an import file, its header mapped to the fields of ``sheet``."""

    kind: str
    encoding: str
    header_row: int  # 1-based
    headers: list[str]  # the header cells as written
    fields: dict[int, str]  # column index → field
    notes: list[str] = field(default_factory=list)
    sheet: Sheet = PERSONS
    col_offset: int = 0  # columns left of the first used one (calamine starts there)
    last_row: int = 0  # the last row number, for progress bars (blank rows included)
    max_rows: int = 1_000_000
    _source: Callable[[], Iterator[list[Any]]] = field(default=lambda: iter(()), repr=False)

    def all_rows(self) -> Iterator[Row]:
        """Every row from row 1 on, blank ones included (for the error report)."""
        for index, cells in enumerate(self._source()):
            yield index + 1, cells

    def rows(self) -> Iterator[Row]:
        """The data rows below the header, blank ones skipped; ``FileRefused`` past the limit."""
        count = 0
        for number, cells in self.all_rows():
            if number <= self.header_row or not any(_filled(c) for c in cells):
                continue
            count += 1
            if count > self.max_rows:
                raise FileRefused(f"文件超过 {self.max_rows} 行数据的上限，请分成几个文件导入")
            yield number, cells

    @property
    def size_hint(self) -> int:
        """About how many data rows (exact unless there are blank rows)."""
        return max(self.last_row - self.header_row, 0)

    def header_of(self, field_name: str) -> str:
        for index, name in self.fields.items():
            if name == field_name:
                return self.headers[index]
        column = self.sheet.by_field.get(field_name)
        return column.header if column else field_name


def _filled(cell: Any) -> bool:
    return cell is not None and cell != "" and not (isinstance(cell, str) and not cell.strip())


def open_table(
    path: Path, name: str, limits: Limits | None = None, sheet: Sheet = PERSONS
) -> Table:
    """Check the file (files.inspect), read its first sheet and map the header to ``sheet``."""
    limits = limits or Limits.current()
    kind = inspect(path, name, limits)
    if kind == "csv":
        table = _csv_table(path, sheet)
    else:
        table = _calamine_table(path, kind, limits, sheet)
    table.max_rows = limits.max_rows
    return table


# --- sources ---------------------------------------------------------------------------------


def _csv_table(path: Path, sheet: Sheet) -> Table:
    encoding = text_encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        first = stream.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","

    def source() -> Iterator[list[Any]]:
        with path.open(encoding=encoding, newline="") as stream:
            try:
                yield from csv.reader(stream, delimiter=delimiter)
            except csv.Error as exc:
                raise FileRefused(f"CSV 文件格式错误：{exc}") from exc

    with path.open("rb") as raw:
        lines = sum(block.count(b"\n") for block in iter(lambda: raw.read(1 << 20), b""))
    table = Table("csv", encoding, 0, [], {}, sheet=sheet, last_row=lines, _source=source)
    return _mapped(table)


def _calamine_table(path: Path, kind: str, limits: Limits, sheet: Sheet) -> Table:
    import python_calamine as calamine

    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
        first = workbook.get_sheet_by_index(_first_visible(workbook, calamine))
    except (
        calamine.CalamineError,
        calamine.PasswordError,
        calamine.XmlError,
        calamine.ZipError,
        OSError,
        ValueError,
    ) as exc:
        raise FileRefused("无法读取文件：文件已损坏、有密码或不是 Excel 文件") from exc
    if first.end is None:
        raise FileRefused("第一个工作表是空的")
    if first.end[0] > limits.max_rows + HEADER_SEARCH_ROWS:
        raise FileRefused(f"文件超过 {limits.max_rows} 行数据的上限，请分成几个文件导入")
    table = Table(
        kind,
        "",
        0,
        [],
        {},
        sheet=sheet,
        col_offset=first.start[1] if first.start else 0,
        last_row=first.end[0] + 1,
        _source=first.iter_rows,
    )
    return _mapped(table)


def _first_visible(workbook: Any, calamine: Any) -> int:
    for index, meta in enumerate(workbook.sheets_metadata):
        visible = meta.visible == calamine.SheetVisibleEnum.Visible
        if visible and meta.typ == calamine.SheetTypeEnum.WorkSheet:
            return index
    return 0


# --- header ----------------------------------------------------------------------------------


def _mapped(table: Table) -> Table:
    """Find the header row and map its columns, or refuse the file."""
    for number, cells in table.all_rows():
        if number > HEADER_SEARCH_ROWS:
            break
        names = [normalise_header(c) for c in cells]
        if sum(1 for n in names if n in table.sheet.header_index) >= 2:
            table.header_row = number
            table.headers = ["" if c is None else str(c).strip() for c in cells]
            table.fields, table.notes = _fields(table.sheet, table.headers, names)
            return table
    expected = "、".join(c.header for c in table.sheet.columns if c.required)
    where = f"前{HEADER_SEARCH_ROWS}行"
    raise FileRefused(f"未找到表头：{where}中没有“{expected}”等列名，请使用导入模板")


def _fields(sheet: Sheet, headers: list[str], names: list[str]) -> tuple[dict[int, str], list[str]]:
    fields: dict[int, str] = {}
    unknown: list[str] = []
    for index, name in enumerate(names):
        target = sheet.header_index.get(name)
        if target is None:
            if name and name not in IGNORED:
                unknown.append(headers[index])
            continue
        if target in fields.values():
            raise FileRefused(f"列“{sheet.by_field[target].header}”出现了两次，请删除多余的列")
        fields[index] = target
    missing = [c.header for c in sheet.columns if c.required and c.field not in fields.values()]
    if missing:
        raise FileRefused("缺少必填列：" + "、".join(missing) + "（请使用导入模板）")
    notes = [f"以下列不是导入模板中的列，已忽略：{'、'.join(unknown)}"] if unknown else []
    return fields, notes
