""".xlsx output of a table (xlsxwriter): title, 表号 and the issuing bodies, 填报单位 and period,
the multi-level header as merged cells, column numbers (栏次), numbers written as numbers, the
合计 row, notes, and 填报人 / 审核人 / 填报日期; printed on A4 with the header repeated and
"第 X 页 共 Y 页" in the footer."""

import io
from typing import Any

import xlsxwriter

from renkou.common.xlsx import OPTIONS
from renkou.events.constants import Scope
from renkou.reports.tables.engine import Result, Signature, layout

# Merged cells need rows written in any order, so not the constant-memory mode.
BOOK_OPTIONS = {**OPTIONS, "constant_memory": False, "in_memory": True}
LABEL_WIDTH, CELL_WIDTH = 18, 9
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _formats(book: Any) -> dict[str, Any]:
    edge = {"border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    return {
        "title": book.add_format({"bold": True, "font_size": 16, "align": "center"}),
        "left": book.add_format({"align": "left"}),
        "right": book.add_format({"align": "right"}),
        "head": book.add_format({**edge, "bold": True, "bg_color": "#F2F2F2"}),
        "label": book.add_format({"border": 1, "num_format": "@"}),
        "number": book.add_format({"border": 1, "num_format": "0"}),
        "text": book.add_format({**edge, "num_format": "@"}),
        "total_label": book.add_format({"border": 1, "bold": True, "num_format": "@"}),
        "total": book.add_format({"border": 1, "bold": True, "num_format": "0"}),
        "note": book.add_format({"text_wrap": True, "valign": "top", "font_size": 9}),
    }


def _put(sheet: Any, r0: int, c0: int, r1: int, c1: int, text: str, fmt: Any) -> None:
    """A string in a cell or a merged range (xlsxwriter refuses to merge a single cell)."""
    if (r0, c0) == (r1, c1):
        sheet.write_string(r0, c0, text, fmt)
    else:
        sheet.merge_range(r0, c0, r1, c1, text, fmt)


def _heading(sheet: Any, result: Result, last: int, fmt: dict[str, Any]) -> int:
    table = result.table
    mid = max(last // 2, 1)
    _put(sheet, 0, 0, 0, last, table.title, fmt["title"])
    left = [
        f"填报单位：{result.unit.name}",
        f"统计期间：{result.period.label}",
        f"统计口径：{Scope(result.scope).label}　计量单位：{table.measure_unit}",
    ]
    right = table.right_heading
    lines = max(len(left), len(right))
    left += [""] * (lines - len(left))
    right += [""] * (lines - len(right))
    for i, (a, b) in enumerate(zip(left, right, strict=True), start=1):
        _put(sheet, i, 0, i, mid - 1, a, fmt["left"])
        _put(sheet, i, mid, i, last, b, fmt["right"])
    return lines + 2


def _header(sheet: Any, grid: dict[str, Any], top: int, fmt: dict[str, Any]) -> int:
    depth = grid["depth"]
    _put(sheet, top, 0, top + depth - 1, 0, grid["stub"], fmt["head"])
    for level, cells in enumerate(grid["header"]):
        for cell in cells:
            col = cell.col + 1
            _put(
                sheet,
                top + level,
                col,
                top + level + cell.rowspan - 1,
                col + cell.colspan - 1,
                cell.label,
                fmt["head"],
            )
    numbers = top + depth
    sheet.write_string(numbers, 0, "甲", fmt["text"])
    for i in grid["numbers"]:
        sheet.write_number(numbers, i, i, fmt["head"])
    return numbers + 1


def _body(sheet: Any, grid: dict[str, Any], top: int, fmt: dict[str, Any]) -> int:
    row = top
    for data in grid["rows"]:
        total = data["kind"] == "total"
        sheet.write_string(row, 0, data["label"], fmt["total_label" if total else "label"])
        for col, cell in enumerate(data["cells"], start=1):
            if cell["value"] is None:
                sheet.write_string(row, col, cell["text"], fmt["text"])
            else:
                sheet.write_number(row, col, cell["value"], fmt["total" if total else "number"])
        row += 1
    return row


def render(result: Result, signature: Signature) -> bytes:
    """The table as an .xlsx file."""
    grid = layout(result)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, BOOK_OPTIONS)
    sheet = book.add_worksheet(result.table.title.translate(_SHEET_FORBIDDEN)[:31])
    fmt = _formats(book)
    last = len(grid["numbers"])
    sheet.set_column(0, 0, LABEL_WIDTH)
    sheet.set_column(1, last, CELL_WIDTH)
    head_top = _heading(sheet, result, last, fmt)
    body_top = _header(sheet, grid, head_top, fmt)
    row = _body(sheet, grid, body_top, fmt) + 1
    for number, note in enumerate(result.table.footnotes(), start=1):
        _put(sheet, row, 0, row, last, f"注{number}：{note}", fmt["note"])
        sheet.set_row(row, 30)
        row += 1
    third = max((last + 1) // 3, 1)
    sign = signature.lines(result.table)
    spans = [(0, third - 1), (third, 2 * third - 1), (2 * third, last)]
    for text, (c0, c1) in zip(sign, spans, strict=True):
        _put(sheet, row + 1, c0, row + 1, max(c0, c1), text, fmt["left"])
    sheet.set_paper(9)  # A4
    if result.table.wide:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(head_top, body_top - 1)
    sheet.set_footer("&C第 &P 页 共 &N 页")
    book.close()
    return buffer.getvalue()
