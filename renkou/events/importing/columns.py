"""The columns of the change-event import file (docs/import-events.md lists the same) and its
template: the person import's ``Column``/``Sheet`` with the fields of the events entry form.

The subject's own columns (姓名, 性别, 出生日期, 民族, 婚姻状况) carry the person rules' field
names, so a person who moves or flows in and is not yet registered is checked by
``people.rules.check_person`` as the entry form checks one.
"""

import random
from datetime import date
from typing import Any

from renkou.common import idnumber
from renkou.events.constants import Kind
from renkou.geo.constants import county_of
from renkou.people.constants import FEMALE
from renkou.people.importing.columns import EXAMPLE_NAME, Column, Sheet
from renkou.people.importing.template import GENERAL_NOTES, Template

KINDS = tuple((value, label) for value, label in Kind.choices if value != Kind.VOID)

COLUMNS: tuple[Column, ...] = (
    Column(
        "kind",
        "事件类型",
        required=True,
        width=10,
        choices=KINDS,
        aliases=("变动类型",),
        note="必填。出生、死亡、初婚、再婚、离婚、丧偶、迁入、迁出、县内迁移、流入、流出之一"
        "（也可填代码，如 birth）。",
    ),
    Column(
        "effective_date",
        "发生日期",
        required=True,
        date=True,
        width=12,
        aliases=("变动日期",),
        note="必填。如 2024-03-05；不能晚于今天。",
    ),
    Column(
        "reported_date",
        "报告日期",
        date=True,
        width=12,
        note="不填为导入当天。不能早于发生日期、不能晚于今天（用于计算报告及时率）。",
    ),
    Column(
        "id_number",
        "公民身份号码",
        required=True,
        text=True,
        width=22,
        aliases=("身份证号", "身份证号码", "当事人身份号码"),
        note="必填，文本格式。当事人的证件号码；出生事件填母亲的。须是您管辖范围内已登记的"
        "人员；迁入、流入的人员尚未登记时，同时填写姓名、性别、出生日期即自动建档。",
    ),
    Column(
        "partner_id",
        "父亲身份号码",
        text=True,
        width=22,
        aliases=("配偶身份号码",),
        note="可不填，文本格式。出生事件为婴儿父亲，结婚事件为配偶；须是已登记的人员。",
    ),
    Column("child_name", "婴儿姓名", width=10, note="出生事件必填。"),
    Column("child_sex", "婴儿性别", width=8, dictionary="sex", note="出生事件必填。"),
    Column(
        "child_id_number",
        "婴儿身份号码",
        text=True,
        width=22,
        note="可不填，文本格式；填写时出生日期须与发生日期一致。",
    ),
    Column(
        "parity",
        "孩次",
        width=6,
        note="可不填，按统计口径推算（夫妇双方现有子女加一）；与推算不同的行不导入，请逐条登记并写明原因。",
    ),
    Column(
        "policy_attribute",
        "政策属性",
        width=10,
        dictionary="policy_attribute",
        note="出生事件填写（政策内、政策外）。",
    ),
    Column("health", "健康状况", width=10, dictionary="child_health", note="出生事件可填。"),
    Column("birth_place", "出生地点", width=16, note="出生事件可填，如医院名称。"),
    Column(
        "certificate_no",
        "出生医学证明编号",
        text=True,
        width=16,
        note="出生事件可填：字母开头的5–20位字母和数字。",
    ),
    Column("cause", "死亡原因", width=16, note="死亡事件可填。"),
    Column(
        "to_code",
        "迁入地代码",
        text=True,
        width=15,
        note="迁入、县内迁移、流入必填：本县村（居）的12位代码；迁入、流入的须在您的管辖范围内。",
    ),
    Column(
        "from_code",
        "迁出地代码",
        text=True,
        width=15,
        note="可不填：迁入、流入人员来源地的6、9或12位区划代码。",
    ),
    Column("reason", "流动原因", width=10, dictionary="flow_reason", note="流入、流出可填。"),
    Column(
        "place",
        "县外地点",
        width=20,
        aliases=("流入来源", "流出去向", "迁往地"),
        note="迁出、流出必填（迁往地、流出去向）；迁入、流入可填（从何处来）。",
    ),
    Column(
        "name", "姓名", width=10, note="仅迁入、流入的未登记人员需要填写（“性别”“出生日期”同）。"
    ),
    Column("sex", "性别", width=8, note="同上。"),
    Column("birth_date", "出生日期", date=True, width=12, note="同上。"),
    Column("ethnicity", "民族", width=10, note="未登记人员可填，不填为汉族。"),
    Column("marital_status", "婚姻状况", width=10, note="未登记人员可填，不填为未婚。"),
    Column(
        "registered_code",
        "户籍地代码",
        text=True,
        width=15,
        note="未登记的流入人员必填：户籍所在地的6、9或12位区划代码（迁入人员的户籍地即迁入地）。",
    ),
    Column(
        "id_override_reason",
        "校验例外原因",
        width=20,
        note="一般不填。未登记人员的身份证号校验不通过但经核实无误时填写原因（留痕）。",
    ),
    Column("note", "说明", width=20, note="可不填。模板中“说明”为“示例”的行导入时自动跳过。"),
)

ID_FIELDS = frozenset({"id_number", "partner_id", "child_id_number"})
SHEET = Sheet(
    COLUMNS, masked=ID_FIELDS | {"certificate_no"}, long_numbers=ID_FIELDS, example_field="note"
)

NOTES = (
    "1. 在“人口变动”表第2行起每行填写一个变动；第2行“示例”行可以保留，导入时自动跳过。",
    "2. 红色列名为必填列，列的顺序可以调整，用不到的列可以删除，多余的列会被忽略。",
    "3. 各身份号码和代码列必须是文本格式（本模板已设置好），不要把号码变成数字。",
    "4. 同一人的多个变动按发生日期先后登记；同一文件里先迁入、后结婚的人员也可以一次导入。",
    "5. 与系统中已登记的变动相同（同一人、同一类型、同一发生日期）的行显示为“已登记”并跳过；"
    "同一个文件重复导入不会产生任何变化。",
    *GENERAL_NOTES[5:8],  # the modes, the error report and the file types, as for persons
)


def example_values(village: str, today: date) -> dict[str, Any]:
    """A birth to a synthetic mother (her ID from ``idnumber.generate``), marked 示例."""
    rng = random.Random(village)  # noqa: S311 a synthetic example, the same for every download
    mother = idnumber.generate(rng, area=county_of(village), birth=date(1995, 3, 1), sex=FEMALE)
    day = date(today.year, 1, 15) if today >= date(today.year, 2, 1) else date(today.year - 1, 6, 1)
    return {
        "kind": Kind.BIRTH.label,
        "effective_date": day,
        "reported_date": day,
        "id_number": mother,
        "child_name": "王小花",
        "child_sex": "女",
        "parity": "1",
        "policy_attribute": "政策内",
        "health": "健康",
        "birth_place": "县人民医院",
        "note": EXAMPLE_NAME,
    }


def template(village: str, today: date) -> Template:
    return Template(
        SHEET, "人口变动", "人口变动导入填表说明", NOTES, example_values(village, today)
    )
