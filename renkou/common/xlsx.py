"""The one way exports open an .xlsx sheet and write a row (ecosystem.md §1.6, security.md CR8):
constant memory, text columns formatted '@' so ID numbers keep every digit, a frozen bold
header, and strings never turned into numbers, formulas or links."""

from typing import Any

import xlsxwriter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPTIONS = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


def open_sheet(target: Any, title: str, columns: Any) -> tuple[Any, Any, Any]:
    """(workbook, sheet, text format) with the header written; ``columns`` holds
    (title, width, is_text) triples. ``target`` is a path or a binary buffer."""
    workbook = xlsxwriter.Workbook(target, OPTIONS)
    sheet = workbook.add_worksheet(title)
    text = workbook.add_format({"num_format": "@"})
    header = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    for col, (_title, width, is_text) in enumerate(columns):
        sheet.set_column(col, col, width, text if is_text else None)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, [c[0] for c in columns], header)
    return workbook, sheet, text


def write_row(sheet: Any, row: int, values: Any, text: Any, *, first_col: int = 0) -> None:
    """Strings as text (never a formula), numbers as numbers, None as an empty cell."""
    for col, value in enumerate(values, first_col):
        if isinstance(value, str):
            sheet.write_string(row, col, value, text)
        elif value is not None:
            sheet.write_number(row, col, value)
