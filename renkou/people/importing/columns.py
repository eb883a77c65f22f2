"""The columns of the person import file: Chinese header, field, whether the column must be
present, the dictionary of coded columns, and the note printed in the template's 填表说明
(docs/import.md lists the same). Headers match after NFKC folding (full-width to half-width),
without spaces, a leading or trailing ``*`` and bracketed notes, in any order.

A ``Sheet`` bundles one import's columns with their look-ups; reading, the error report and
the template take one, so other imports (the change events') reuse them with their own."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from renkou.common import crypto, dicts
from renkou.people.rules import CODED, text


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False  # the column must be in the file (cells may still be empty)
    aliases: tuple[str, ...] = ()
    text: bool = False  # formatted as text '@' (leading zeros, 18 digits)
    date: bool = False
    width: int = 12
    note: str = ""
    dictionary: str = ""  # the dictionary of a coded column not in the person rules' CODED
    choices: tuple[tuple[str, str], ...] = ()  # fixed (code, label) pairs instead of a dictionary

    @property
    def dict_type(self) -> str:
        if self.dictionary:
            return self.dictionary
        return CODED[self.field][0] if self.field in CODED else ""

    def options(self) -> list[tuple[str, str]]:
        """(code, label) pairs of a coded column: its fixed choices or its enabled dictionary
        items (empty for a free column)."""
        if self.choices:
            return list(self.choices)
        return dicts.choices(self.dict_type) if self.dict_type else []


COLUMNS: tuple[Column, ...] = (
    Column(
        "name", "姓名", required=True, width=10, note="必填。汉字、字母和间隔号“·”，最多50个字。"
    ),
    Column(
        "id_number",
        "公民身份号码",
        required=True,
        text=True,
        width=22,
        aliases=("身份证号", "身份证号码", "证件号码", "身份证"),
        note="18位（或15位旧号码），最后一位可以是X。本列必须是文本格式：Excel 会把18位数字"
        "变成科学计数法（如 3.2012E+17）并改掉后三位，这样的号码会被拒绝。已在系统中登记的"
        "号码将更新该人员（保留修改历史），不会重复建档。证件类型为“暂无证件”时留空。",
    ),
    Column("id_type", "证件类型", width=12, note="不填为居民身份证。"),
    Column("sex", "性别", width=8, note="可不填，由身份证号带出；填写时须与身份证号一致。"),
    Column(
        "birth_date",
        "出生日期",
        date=True,
        width=12,
        note="如 1990-01-01、1990/1/1、19900101；可不填，由身份证号带出。",
    ),
    Column("ethnicity", "民族", width=10, note="不填为汉族。"),
    Column(
        "marital_status",
        "婚姻状况",
        width=10,
        note="不填为未婚。已婚育龄妇女（15–49周岁）导入后自动建立育龄妇女信息卡。",
    ),
    Column("first_marriage_date", "初婚日期", date=True, width=12, note="可不填。"),
    Column("education", "文化程度", width=12, note="可不填。"),
    Column("hukou_type", "户口性质", width=10, note="可不填。"),
    Column(
        "household_code",
        "户编号",
        required=True,
        text=True,
        width=22,
        aliases=("户号",),
        note="必填。18位：村（居）代码12位＋组号2位＋户序号4位，文本格式。系统中还没有的户"
        "会自动建立。只能导入您管辖范围内的户。",
    ),
    Column(
        "relationship", "与户主关系", required=True, width=12, note="必填。每户只能有一名户主。"
    ),
    Column(
        "registered_code",
        "户籍地代码",
        required=True,
        text=True,
        width=15,
        note="必填。6、9或12位统计用区划代码；本县的代码必须是系统中已有的单位。",
    ),
    Column(
        "residence_code",
        "现居住地代码",
        required=True,
        text=True,
        width=15,
        note="必填。同上。现居住地在本县时即为管理地，须在您的管辖范围内。",
    ),
    Column("residence_status", "居住状况", width=16, note="不填为户在人在。"),
    Column(
        "phone",
        "联系电话",
        text=True,
        width=14,
        aliases=("电话", "手机", "手机号码"),
        note="可不填。手机号11位，或带区号的固定电话。",
    ),
    Column(
        "id_override_reason",
        "校验例外原因",
        width=20,
        note="一般不填。身份证号校验位错误、或与出生日期/性别不一致但经核实无误时，填写原因"
        "后可以导入（留痕，计入数据质量）。",
    ),
)

# The template's example row carries this name; the importer skips such rows.
EXAMPLE_NAME = "示例"
# Columns that are recognised and skipped without a warning: a serial number, and the error
# column of our own error report (users fix the report and upload it again).
IGNORED = frozenset({"序号", "错误说明"})
ERROR_HEADER = "错误说明"
# Text columns whose numeric cells lose digits in Excel (more than 15 significant digits).
LONG_NUMBERS = frozenset({"id_number", "household_code"})
# Values shown in previews and error details are masked in these columns (security.md CR4).
MASKED = frozenset({"id_number", "phone"})
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")


def normalise_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = _BRACKETS.sub("", "".join(text.split()))
    return text.strip("*")


def masked_value(field_name: str, value: Any, masked: frozenset[str] = MASKED) -> str:
    shown = value.isoformat() if isinstance(value, date) else text(value)
    if field_name not in masked:
        return shown
    return crypto.mask(shown, crypto.PHONE if field_name == "phone" else crypto.ID_NUMBER)


@dataclass(frozen=True)
class Sheet:
    """One import's columns and look-ups: header → field (headers and aliases), field → column,
    the fields masked in previews and reports, the long-number fields, and the field that marks
    the template's example row (a row reading 示例 there is skipped)."""

    columns: tuple[Column, ...]
    masked: frozenset[str]
    long_numbers: frozenset[str]
    example_field: str
    by_field: dict[str, Column] = field(init=False, repr=False)
    header_index: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_field", {c.field: c for c in self.columns})
        index = {
            normalise_header(name): c.field for c in self.columns for name in (c.header, *c.aliases)
        }
        object.__setattr__(self, "header_index", index)

    def mask(self, field_name: str, value: Any) -> str:
        return masked_value(field_name, value, self.masked)


PERSONS = Sheet(COLUMNS, MASKED, LONG_NUMBERS, "name")
BY_FIELD = PERSONS.by_field
HEADER_INDEX = PERSONS.header_index
