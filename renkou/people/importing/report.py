"""The error report (错误报告.xlsx, ecosystem.md §1.6): the uploaded sheet written back row for
row with a red 错误说明 column on every bad row, so the user fixes it and uploads it again
(the importer ignores that column), and a sheet 错误明细 with one line per problem: row number,
column, value (ID numbers and phones masked), error code and message, errors and warnings.

Written with xlsxwriter in constant-memory mode (one row in memory at a time); strings are
never turned into formulas or numbers (security.md CR8). ``masked=True`` writes the copy for
everyone but the uploader: the masked columns as in previews, and anything else shaped like an
ID, phone or bank number hidden, in any column (issue 19 item 5).
"""

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

from renkou.common.logging import scrub
from renkou.people.importing.columns import ERROR_HEADER, Column, normalise_header
from renkou.people.importing.pipeline import Outcome
from renkou.people.importing.reading import Table
from renkou.people.rules import Issue

DETAIL_HEADERS = (
    ("行号", 8),
    ("列名", 14),
    ("值（已脱敏）", 24),
    ("错误代码", 18),
    ("说明", 60),
    ("类别", 8),
)
OPTIONS = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


class _Formats:
    def __init__(self, book: Any) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.error_header = book.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#C00000", "border": 1}
        )
        self.error = book.add_format(
            {"font_color": "#C00000", "bg_color": "#FDE9E9", "text_wrap": False}
        )
        self.text = book.add_format({"num_format": "@"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})


def write_report(table: Table, outcome: Outcome, path: Path, *, masked: bool = False) -> None:
    book = xlsxwriter.Workbook(str(path), OPTIONS)
    fmt = _Formats(book)
    data, detail = book.add_worksheet("导入数据"), book.add_worksheet("错误明细")
    columns = {name: index for index, name in table.fields.items()}
    described = {index: table.sheet.by_field[name] for index, name in table.fields.items()}
    error_col = _error_column(table)
    _layout(data, detail, table, fmt, error_col)
    line = 1
    for number, cells in table.all_rows():
        row = number - 1
        for index, value in enumerate(cells):
            if table.col_offset + index == error_col:
                continue
            column = described.get(index)
            if masked and number != table.header_row:
                value = _masked(table, column, value)
            _cell(data, row, table.col_offset + index, value, fmt, column)
        if number == table.header_row:
            data.write_string(row, error_col, ERROR_HEADER, fmt.error_header)
            continue
        errors = outcome.errors.get(number, [])
        if errors:
            message = "；".join(f"[{table.header_of(i.field)}] {i.message}" for i in errors)
            data.write_string(row, error_col, scrub(message) if masked else message, fmt.error)
        for found in [*errors, *outcome.warnings.get(number, [])]:
            _detail(detail, line, number, found, table, cells, columns, masked)
            line += 1
    book.close()


def _masked(table: Table, column: Column | None, value: Any) -> Any:
    """A cell as the masked report shows it: the sheet's masked fields as in previews, any
    other text or long whole number scrubbed of ID-, phone- and bank-shaped digits."""
    if value is None or value == "" or isinstance(value, bool | datetime | date | time):
        return value
    if column is not None and column.field in table.sheet.masked:
        return table.sheet.mask(column.field, value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and abs(value) >= 10**10:
        return scrub(str(value))
    return scrub(value) if isinstance(value, str) else value


def _error_column(table: Table) -> int:
    for index, header in enumerate(table.headers):
        if normalise_header(header) == ERROR_HEADER:
            return table.col_offset + index
    return table.col_offset + len(table.headers)


def _layout(data: Any, detail: Any, table: Table, fmt: _Formats, error_col: int) -> None:
    for index, name in table.fields.items():
        column = table.sheet.by_field[name]
        data.set_column(
            table.col_offset + index,
            table.col_offset + index,
            column.width,
            fmt.text if column.text else None,
        )
    data.set_column(error_col, error_col, 60)
    data.freeze_panes(table.header_row, 0)
    for col, (title, width) in enumerate(DETAIL_HEADERS):
        detail.set_column(col, col, width)
        detail.write_string(0, col, title, fmt.header)
    detail.freeze_panes(1, 0)


def _cell(sheet: Any, row: int, col: int, value: Any, fmt: _Formats, column: Column | None) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, datetime | date):
        sheet.write_datetime(row, col, value, fmt.date)
    elif isinstance(value, time | timedelta):
        sheet.write_string(row, col, str(value))
    else:
        sheet.write_string(row, col, str(value), fmt.text if column and column.text else None)


def _detail(
    sheet: Any,
    line: int,
    number: int,
    found: Issue,
    table: Table,
    cells: list[Any],
    columns: dict[str, int],
    masked: bool,
) -> None:
    index = columns.get(found.field)
    value = cells[index] if index is not None and index < len(cells) else ""
    kind = "错误" if found.severity == "error" else "提示"
    shown = table.sheet.mask(found.field, value)
    sheet.write_number(line, 0, number)
    sheet.write_string(line, 1, table.header_of(found.field))
    sheet.write_string(line, 2, scrub(shown) if masked else shown)
    sheet.write_string(line, 3, found.code)
    sheet.write_string(line, 4, scrub(found.message) if masked else found.message)
    sheet.write_string(line, 5, kind)
