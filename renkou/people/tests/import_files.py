"""Building import files for the tests: rows keyed by the template's Chinese headers, written
as .xlsx (xlsxwriter, ID columns as text unless asked otherwise) or .csv in any encoding."""

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

from renkou.common import idnumber
from renkou.people.importing.columns import COLUMNS

HEADERS = [c.header for c in COLUMNS]
TODAY = date(2026, 11, 29)


def person(rng: random.Random, village: str, serial: int, **overrides: Any) -> dict[str, Any]:
    """A good row: a married woman born 1980–1993, head of household ``serial`` of group 01."""
    birth = date(1980, 1, 1) + timedelta(days=rng.randrange(5000))
    row = {
        "姓名": "王秀英",
        "公民身份号码": idnumber.generate(rng, birth=birth, sex="2"),
        "性别": "女",
        "婚姻状况": "初婚",
        "民族": "汉族",
        "户编号": f"{village}01{serial:04d}",
        "与户主关系": "户主",
        "户籍地代码": village,
        "现居住地代码": village,
        "联系电话": "13912345678",
    }
    row.update(overrides)
    return row


def write_xlsx(
    path: Path,
    rows: list[dict[str, Any]],
    headers: list[str] | None = None,
    *,
    numbers: bool = False,
) -> Path:
    """Rows as an .xlsx; with ``numbers`` digit strings are written as numbers (as Excel does
    when a column is not formatted as text)."""
    headers = headers or HEADERS
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": numbers})
    sheet = book.add_worksheet("人员信息")
    sheet.write_row(0, 0, headers)
    for number, row in enumerate(rows, start=1):
        for col, header in enumerate(headers):
            value = row.get(header, "")
            if isinstance(value, date):
                sheet.write_datetime(
                    number, col, value, book.add_format({"num_format": "yyyy-mm-dd"})
                )
            else:
                sheet.write(number, col, value)
    book.close()
    return path


def csv_bytes(rows: list[dict[str, Any]], encoding: str, headers: list[str] | None = None) -> bytes:
    headers = headers or HEADERS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def write_csv(
    path: Path,
    rows: list[dict[str, Any]],
    encoding: str = "utf-8-sig",
    headers: list[str] | None = None,
) -> Path:
    path.write_bytes(csv_bytes(rows, encoding, headers))
    return path


def read_sheet(path: Path, index: int = 0) -> list[list[Any]]:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_index(index).to_python(skip_empty_area=False)
