"""The import template (导入模板.xlsx, ecosystem.md §1.6, as DVAdmin and RuoYi users know it):

- sheet 人员信息: the header row (required columns in red, a note on each header), ID, phone
  and code columns formatted as text ``@`` so Excel keeps all digits, drop-down lists from the
  dictionary for coded columns (from a hidden sheet 字典; typing the code is still accepted),
  and one example row named 示例, which the importer skips;
- sheet 填表说明: every column with whether it is required and how to fill it in.

``build_workbook`` writes any import's template from a ``Template`` (its data sheet named
there); ``build_template`` is the person import's.
"""

import io
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from renkou.common import idnumber
from renkou.geo.constants import county_of
from renkou.people.importing.columns import EXAMPLE_NAME, PERSONS, Column, Sheet

LAST_ROW = 1_048_575
SHORT_LIST = 12
GENERAL_NOTES = (
    "1. 在“人员信息”表第2行起每行填写一人；第2行“示例”行可以保留，导入时自动跳过。",
    "2. 红色列名为必填列，列的顺序可以调整，多余的列会被忽略。",
    "3. 公民身份号码、户编号、各类代码和联系电话列必须是文本格式（本模板已设置好）；"
    "从其他表格粘贴时请选择“只粘贴数值”，不要把号码变成数字。",
    "4. 带下拉箭头的列从列表中选择；直接填写代码（如 01）也可以。",
    "5. 证件号码已在系统中登记的人员，导入时更新其信息（保留修改历史），不会重复建档；"
    "同一个文件重复导入不会产生任何变化。",
    "6. 导入方式：“全部正确才导入”——有任何一行错误则不导入任何数据；"
    "“只导入正确的行”——导入正确的行，错误的行列在错误报告中。",
    "7. 错误报告就是您上传的表格，错误行的最后一列“错误说明”标红；改正后可以直接上传错误报告。",
    "8. 支持 .xlsx、.xls 和 .csv（UTF-8 或 GBK/GB18030 编码）文件，"
    "单个文件不超过 50 MB、100 万行。",
)


def example_values(village: str) -> dict[str, Any]:
    """A valid synthetic person of ``village`` (the ID from ``idnumber.generate``)."""
    rng = random.Random(village)  # noqa: S311 a synthetic example, the same for every download
    number = idnumber.generate(
        rng, area=county_of(village), birth=date(1990, 1, 1), sex=idnumber.FEMALE
    )
    return {
        "name": EXAMPLE_NAME,
        "id_number": number,
        "id_type": "居民身份证",
        "sex": "女",
        "birth_date": date(1990, 1, 1),
        "ethnicity": "汉族",
        "marital_status": "初婚",
        "first_marriage_date": date(2014, 5, 1),
        "education": "初中",
        "hukou_type": "农业",
        "household_code": f"{village}010001",
        "relationship": "户主",
        "registered_code": village,
        "residence_code": village,
        "residence_status": "户在人在",
        "phone": "13800000000",
        "id_override_reason": "",
    }


@dataclass(frozen=True)
class Template:
    """What one import's template holds: its columns, the data sheet's name, the guide's
    title and general notes, and the example row (field → value)."""

    sheet: Sheet
    data_title: str
    guide_title: str
    notes: tuple[str, ...]
    example: dict[str, Any]


def build_template(village: str) -> bytes:
    """The template workbook; the example row belongs to ``village`` (in the caller's scope)."""
    return build_workbook(
        Template(
            PERSONS, "人员信息", "人员信息导入填表说明", GENERAL_NOTES, example_values(village)
        )
    )


def build_workbook(spec: Template) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(spec.data_title)
    guide = book.add_worksheet("填表说明")
    lists = book.add_worksheet("字典")
    sources = _lists(lists, spec.sheet.columns)
    lists.hide()
    _data_sheet(book, sheet, sources, spec)
    _guide(book, guide, spec)
    sheet.activate()
    book.close()
    return buffer.getvalue()


def _lists(sheet: Any, columns: tuple[Column, ...]) -> dict[str, str]:
    """One column per coded field on the hidden sheet; returns field → range formula."""
    sources = {}
    coded = [(c, c.options()) for c in columns if c.dict_type or c.choices]
    for col, (column, options) in enumerate(coded):
        sheet.write_string(0, col, column.header)
        for row, (_code, label) in enumerate(options, start=1):
            sheet.write_string(row, col, label)
        first = xl_rowcol_to_cell(1, col, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(max(len(options), 1), col, row_abs=True, col_abs=True)
        sources[column.field] = f"='字典'!{first}:{last}"
    return sources


def _data_sheet(book: Any, sheet: Any, sources: dict[str, str], spec: Template) -> None:
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    required = book.add_format(
        {"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_color": "#C00000"}
    )
    text = book.add_format({"num_format": "@"})
    sample = book.add_format({"num_format": "@", "italic": True, "font_color": "#808080"})
    sample_date = book.add_format(
        {"num_format": "yyyy-mm-dd", "italic": True, "font_color": "#808080"}
    )
    for col, column in enumerate(spec.sheet.columns):
        sheet.set_column(col, col, column.width, text if column.text else None)
        sheet.write_string(0, col, column.header, required if column.required else header)
        sheet.write_comment(0, col, column.note or column.header, {"x_scale": 2, "y_scale": 1.5})
        value = spec.example.get(column.field, "")
        if isinstance(value, date):
            sheet.write_datetime(1, col, value, sample_date)
        elif value:
            sheet.write_string(1, col, value, sample)
        if column.field in sources:
            sheet.data_validation(
                1,
                col,
                LAST_ROW,
                col,
                {
                    "validate": "list",
                    "source": sources[column.field],
                    "error_type": "warning",
                    "error_title": column.header,
                    "error_message": "请从下拉列表中选择，或填写代码。",
                },
            )
    sheet.freeze_panes(1, 0)


def _guide(book: Any, sheet: Any, spec: Template) -> None:
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    sheet.write_string(0, 0, spec.guide_title, title)
    for row, note in enumerate(spec.notes, start=1):
        sheet.write_string(row, 0, note)
    top = len(spec.notes) + 2
    for col, (name, width) in enumerate(
        (("列名", 14), ("必填", 6), ("格式", 10), ("填写说明", 70), ("可填写的值", 50))
    ):
        sheet.set_column(col, col, width)
        sheet.write_string(top, col, name, header)
    for row, column in enumerate(spec.sheet.columns, start=top + 1):
        values = (
            column.header,
            "是" if column.required else "",
            _kind(column),
            column.note,
            _allowed(column, spec.data_title),
        )
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, wrap)


def _kind(column: Column) -> str:
    if column.dict_type or column.choices:
        return "下拉选择"
    if column.date:
        return "日期"
    return "文本" if column.text else "文字"


def _allowed(column: Column, data_title: str) -> str:
    options = column.options()
    if not options:
        return ""
    if len(options) <= SHORT_LIST:
        return "；".join(f"{code} {label}" for code, label in options) + "（填代码或名称均可）"
    return f"见“{data_title}”表中的下拉列表（共 {len(options)} 项），填代码或名称均可"
