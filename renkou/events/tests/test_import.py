"""Change-event import (docs/import-events.md): rows recorded through the event services so
person state and figures follow, rows in date order, bad rows reported with row, column and
code, ``all`` and ``rows`` modes, idempotent re-imports, newcomers moving in, the template.

The other event-import tests import the helpers below (``town``, ``line``, ``run`` …)."""

import random
from datetime import date

import pytest

from conftest import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.common import idnumber
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.events.constants import Kind, Scope, Status
from renkou.events.importing import columns
from renkou.events.importing.importer import EVENTS
from renkou.events.models import Event, EventImportBatch
from renkou.events.tests.counts import tallied
from renkou.people.importing import checking
from renkou.people.importing.batches import import_file
from renkou.people.importing.template import build_workbook
from renkou.people.models import Person
from renkou.people.services import person_register
from renkou.people.tests.import_files import read_sheet, write_csv, write_xlsx

TODAY = date(2026, 11, 29)
HEADERS = [c.header for c in columns.COLUMNS]
WHOLE_COUNTY = checking.Scope.of(COUNTY[:6])
TOWNSHIP = checking.Scope.of(TOWNSHIP_A[:9])
R = Scope.REGISTERED


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def add(rng, name, sex, born, village=VILLAGE_A1, **extra):
    """A registered person with a resident ID (no household)."""
    values = {
        "name": name,
        "sex": sex,
        "birth_date": born,
        "registered_code": village,
        "residence_code": village,
        "marital_status": "10",
        "ethnicity": "01",
        "id_type": "01",
        "id_number": idnumber.generate(rng, area="620001", birth=born, sex=sex),
    }
    values.update(extra)
    return person_register(actor=Actor(None), household=None, values=values, today=TODAY)


@pytest.fixture
def town(units):
    return make_town()


def make_town():
    """Seven registered persons, six of township A and one of township B, all born before FP
    year 2024 began; both mothers and the father married."""
    rng = random.Random(4)
    married = {"marital_status": "21", "first_marriage_date": date(2018, 5, 1)}
    return {
        "mother": add(rng, "卓玛", "2", date(1995, 3, 1), **married),
        "father": add(rng, "扎西", "1", date(1993, 7, 9), **married),
        "mother2": add(rng, "王芳", "2", date(1992, 8, 8), VILLAGE_A2, **married),
        "old": add(rng, "才让", "1", date(1940, 1, 1), VILLAGE_A2),
        "young": add(rng, "拉姆", "2", date(2001, 2, 2)),
        "mover": add(rng, "李强", "1", date(1985, 4, 4)),
        "b1": add(rng, "赵敏", "2", date(1990, 1, 1), VILLAGE_B1),
    }


def line(kind, who, day, **cells):
    """One row: ``who`` is a Person (their ID number) or an ID number."""
    number = who.id_number if isinstance(who, Person) else who
    return {"事件类型": kind, "发生日期": day, "公民身份号码": number, **cells}


def run(path, scope=WHOLE_COUNTY, mode="all", **kwargs):
    return import_file(path, scope=scope, mode=mode, today=TODAY, importer=EVENTS, **kwargs)


def xlsx(tmp_path, rows, name="events.xlsx", **kwargs):
    return write_xlsx(tmp_path / name, rows, HEADERS, **kwargs)


def newcomer(rng, **cells):
    """A move-in row of a person not yet registered."""
    number = idnumber.generate(rng, area="510104", birth=date(1991, 9, 9), sex="1")
    person = {"迁入地代码": VILLAGE_A1, "姓名": "周杰", "性别": "男", "出生日期": date(1991, 9, 9)}
    return {**line("迁入", number, date(2024, 7, 1), **person), **cells}


def mixed_file(town, rng):
    """Two births, a death, a first marriage, a move within the county, and a newcomer."""
    return [
        line(
            "出生",
            town["mother"],
            date(2024, 1, 15),
            父亲身份号码=town["father"].id_number,
            婴儿姓名="小卓玛",
            婴儿性别="女",
            政策属性="政策内",
            报告日期=date(2024, 1, 20),
        ),
        line("死亡", town["old"], date(2024, 6, 1), 死亡原因="心脑血管疾病"),
        line("初婚", town["young"], date(2024, 3, 1)),
        line("县内迁移", town["mover"], date(2024, 5, 1), 迁入地代码=VILLAGE_B1),
        line(
            "birth",
            town["mother2"],
            date(2024, 8, 2),
            婴儿姓名="王小明",
            婴儿性别="1",
            孩次="1",
            政策属性="2",
        ),
        newcomer(rng),
    ]


def test_a_file_of_births_deaths_a_marriage_and_moves_is_recorded_and_counted(tmp_path, town):
    rng = random.Random(9)
    result = run(xlsx(tmp_path, mixed_file(town, rng)))
    outcome = result.outcome
    assert (outcome.total, outcome.bad, outcome.created, outcome.updated) == (6, 0, 6, 1)
    assert result.batch.status == EventImportBatch.Status.DONE
    assert Event.objects.count() == 6
    assert set(Event.objects.values_list("status", flat=True)) == {Status.CONFIRMED}
    for key in ("old", "young", "mover", "mother"):
        town[key].refresh_from_db()
    assert town["old"].exited_at == date(2024, 6, 1) and town["old"].exit_reason == "3"
    assert town["young"].marital_status == "21"
    assert town["young"].first_marriage_date == date(2024, 3, 1)
    assert town["mover"].registered_code == VILLAGE_B1
    baby = Person.objects.get(name="小卓玛")
    assert (baby.mother_id, baby.father_id, baby.sex) == (town["mother"].pk, town["father"].pk, "2")
    birth = Event.objects.get(child=baby)
    assert (birth.reported_date, birth.policy_attribute, birth.parity) == (
        date(2024, 1, 20),
        "1",
        1,
    )
    arrived = Person.objects.get(name="周杰")
    assert arrived.registered_code == VILLAGE_A1 and arrived.unit_code == VILLAGE_A1
    assert Event.objects.get(person=arrived).kind == Kind.MOVE_IN
    # Counted by hand from the file: two births and one death in FP year 2024; seven persons
    # present at its start, two born, one died, one moved in from outside the county.
    assert (tallied("birth"), tallied("death"), tallied("birth_ok")) == (2, 1, 1)
    assert (tallied("pop", "start"), tallied("pop", "end")) == (7, 7 + 2 - 1 + 1)
    entry = AuditEntry.objects.get(action="event.import")
    assert entry.row_count == 6 + 1 and entry.username == "manage.py import_events"
    assert AuditEntry.objects.filter(action="event.record").count() == 6


def test_rows_apply_in_date_order_and_later_rows_see_earlier_ones(tmp_path, town, units):
    """A newcomer's marriage listed above the move-in, a divorce above the marriage."""
    rng = random.Random(3)
    arrival = newcomer(rng)
    rows = [
        line("离婚", town["young"], date(2024, 9, 1)),
        line("初婚", arrival["公民身份号码"], date(2024, 8, 1)),
        line("初婚", town["young"], date(2024, 2, 1)),
        arrival,
    ]
    outcome = run(xlsx(tmp_path, rows)).outcome
    assert (outcome.bad, outcome.created, outcome.updated) == (0, 4, 1)
    town["young"].refresh_from_db()
    assert town["young"].marital_status == "40"
    arrived = Person.objects.get(name="周杰")
    assert arrived.marital_status == "21"
    kinds = list(
        Event.objects.filter(person=arrived)
        .order_by("effective_date")
        .values_list("kind", flat=True)
    )
    assert kinds == [Kind.MOVE_IN, Kind.FIRST_MARRIAGE]


def errors_of(outcome):
    return {row: [(i.field, i.code) for i in found] for row, found in outcome.errors.items()}


def test_bad_rows_are_reported_with_row_column_and_code(tmp_path, town):
    rows = [
        line("死亡", town["old"], date(2024, 6, 1)),  # row 2: good
        line("死亡", idnumber.generate(random.Random(1), area="620001"), date(2024, 6, 1)),
        line("死亡", town["old"], date(2999, 1, 1)),
        line("结婚", town["young"], date(2024, 3, 1)),
        line("死亡", 320124199001011234.0, date(2024, 6, 1)),
        line(
            "出生",
            town["mother"],
            date(2024, 1, 15),
            父亲身份号码="110101199003077777",
            婴儿姓名="小明",
            婴儿性别="男",
        ),
        line("初婚", town["mother"], date(2024, 3, 1)),
    ]
    report = tmp_path / "report.xlsx"
    result = run(xlsx(tmp_path, rows), mode="rows", report=report)
    assert errors_of(result.outcome) == {
        3: [("id_number", "person_unknown")],
        4: [("effective_date", "future_date")],
        5: [("kind", "bad_kind")],
        6: [("id_number", "id_numeric")],
        7: [("partner_id", "partner_unknown")],
        8: [("kind", "event_rule")],
    }
    assert "只有未婚人员才能登记初婚" in result.outcome.errors[8][0].message
    assert (result.outcome.bad, result.outcome.created) == (6, 1)
    assert Event.objects.count() == 1 and not Person.objects.filter(name="小明").exists()
    detail = read_sheet(report, 1)
    assert detail[0][:5] == ["行号", "列名", "值（已脱敏）", "错误代码", "说明"]
    by_row = {int(r[0]): r for r in detail[1:]}
    assert (by_row[3][1], by_row[3][3]) == ("公民身份号码", "person_unknown")
    assert by_row[3][2] == rows[1]["公民身份号码"][:4] + "*" * 14
    assert by_row[7][1] == "父亲身份号码" and by_row[8][1] == "事件类型"
    data = read_sheet(report, 0)
    assert data[0][-1] == "错误说明" and data[1][-1] == ""
    assert "[发生日期] 发生日期不能晚于今天" in data[3][-1]


def test_all_mode_records_nothing_when_a_row_is_bad(tmp_path, town):
    rows = [
        line("死亡", town["old"], date(2024, 6, 1)),
        line("初婚", town["young"], date(2024, 3, 1)),
        line("离婚", town["mover"], date(2024, 3, 1)),
    ]
    path = xlsx(tmp_path, rows)
    result = run(path, mode="all")
    assert result.batch.status == EventImportBatch.Status.REJECTED
    assert result.outcome.bad == 1 and list(result.outcome.errors) == [4]
    assert Event.objects.count() == 0
    town["old"].refresh_from_db()
    assert town["old"].exited_at is None and tallied("death") == 0
    result = run(path, mode="rows")
    assert (result.outcome.created, result.outcome.bad) == (2, 1)
    kinds = sorted(Event.objects.values_list("kind", flat=True))
    assert kinds == [Kind.DEATH, Kind.FIRST_MARRIAGE]


def test_the_preview_records_nothing_but_reports_what_the_service_refuses(tmp_path, town):
    rows = [
        line("初婚", town["young"], date(2024, 3, 1)),
        line("初婚", town["young"], date(2024, 4, 1)),
    ]
    result = run(xlsx(tmp_path, rows), preview=True)
    assert result.outcome.to_create == 1 and list(result.outcome.errors) == [3]
    assert result.batch.status == EventImportBatch.Status.VALIDATED
    assert Event.objects.count() == 0 and not AuditEntry.objects.filter(action="event.record")
    town["young"].refresh_from_db()
    assert town["young"].marital_status == "10"


def test_the_same_file_again_changes_nothing_and_recorded_rows_are_skipped(tmp_path, town):
    rng = random.Random(9)
    rows = mixed_file(town, rng)
    path = xlsx(tmp_path, rows)
    run(path)
    before = sorted(Event.objects.values_list("pk", flat=True))
    again = run(path)
    assert again.duplicate and "该文件已导入过" in again.batch.message
    # The same rows in another file: every row is 已登记 and skipped, none is an error.
    other = run(write_csv(tmp_path / "again.csv", rows, "gb18030", HEADERS))
    assert (other.outcome.bad, other.outcome.created, other.outcome.unchanged) == (0, 0, 6)
    assert {i.code for found in other.outcome.warnings.values() for i in found} == {
        "already_recorded"
    }
    assert sorted(Event.objects.values_list("pk", flat=True)) == before
    assert Person.objects.filter(name="周杰").count() == 1


def test_a_row_twice_in_one_file_is_an_error(tmp_path, town):
    rows = [
        line("死亡", town["old"], date(2024, 6, 1)),
        line("死亡", town["old"], date(2024, 6, 1)),
    ]
    outcome = run(xlsx(tmp_path, rows), mode="rows").outcome
    assert errors_of(outcome) == {3: [("kind", "dup_in_file")]}
    assert "第 2 行" in outcome.errors[3][0].message


def test_persons_outside_the_scope_are_unknown(tmp_path, town):
    rows = [
        line("死亡", town["b1"], date(2024, 6, 1)),
        line("死亡", town["old"], date(2024, 6, 1)),
        newcomer(random.Random(2), 迁入地代码=VILLAGE_B1),
    ]
    outcome = run(xlsx(tmp_path, rows), scope=TOWNSHIP, mode="rows").outcome
    assert errors_of(outcome) == {
        2: [("id_number", "person_unknown")],
        4: [("to_code", "unit_scope")],
    }
    assert outcome.created == 1


def test_a_move_in_of_somebody_registered_elsewhere_is_refused(tmp_path, town):
    row = line(
        "迁入",
        town["b1"],
        date(2024, 7, 1),
        迁入地代码=VILLAGE_A1,
        姓名="赵敏",
        性别="女",
        出生日期=date(1990, 1, 1),
    )
    outcome = run(xlsx(tmp_path, [row]), scope=TOWNSHIP).outcome
    assert errors_of(outcome) == {2: [("id_number", "id_elsewhere")]}
    assert Person.objects.filter(name="赵敏").count() == 1


def test_a_newcomer_needs_name_sex_and_birth_date(tmp_path, units):
    rng = random.Random(8)
    row = newcomer(rng, 姓名="", 出生日期="")
    outcome = run(xlsx(tmp_path, [row])).outcome
    assert errors_of(outcome) == {
        2: [("name", "newcomer_required"), ("birth_date", "newcomer_required")]
    }
    flow = newcomer(rng, 事件类型="流入", 性别="女")  # the ID says male
    outcome = run(xlsx(tmp_path, [flow], name="flow.xlsx")).outcome
    assert errors_of(outcome) == {2: [("registered_code", "newcomer_registered")]}
    flow["户籍地代码"] = "510104"
    outcome = run(xlsx(tmp_path, [flow], name="flow2.xlsx")).outcome
    assert errors_of(outcome) == {2: [("id_number", "id_sex_mismatch")]}
    assert Person.objects.count() == 0


def test_a_baby_registered_by_an_earlier_row_can_be_a_later_rows_subject(tmp_path, town):
    baby_id = idnumber.generate(random.Random(6), area="620001", birth=date(2024, 1, 15), sex="1")
    rows = [
        line("死亡", baby_id, date(2024, 3, 1)),
        line(
            "出生",
            town["mother"],
            date(2024, 1, 15),
            婴儿姓名="小扎西",
            婴儿性别="男",
            婴儿身份号码=baby_id,
        ),
    ]
    outcome = run(xlsx(tmp_path, rows)).outcome
    assert (outcome.bad, outcome.created) == (0, 2)
    baby = Person.objects.get(name="小扎西")
    assert baby.exited_at == date(2024, 3, 1)
    assert tallied("birth") == 1 and tallied("death") == 1


def test_codes_labels_and_the_kind_rules_of_the_entry_form(tmp_path, town):
    rows = [
        line("出生", town["mother"], date(2024, 1, 15), 婴儿性别="女"),
        line("迁出", town["mover"], date(2024, 2, 1)),
        line("县内迁移", town["mover"], date(2024, 2, 1), 迁入地代码="620001"),
        line(
            "出生",
            town["mother2"],
            date(2024, 1, 15),
            婴儿姓名="小芳",
            婴儿性别="女",
            政策属性="超生",
            出生医学证明编号="12345",
            孩次="0",
        ),
        line("出生", town["father"], date(2024, 1, 15), 婴儿姓名="小芳", 婴儿性别="女"),
        line(
            "流出",
            town["young"],
            date(2024, 2, 1),
            县外地点="广州",
            流动原因="务工经商",
            报告日期=date(2024, 1, 1),
        ),
    ]
    outcome = run(xlsx(tmp_path, rows), mode="rows").outcome
    assert errors_of(outcome) == {
        2: [("child_name", "required")],
        3: [("place", "required")],
        4: [("to_code", "unknown_unit")],
        5: [
            ("policy_attribute", "bad_code"),
            ("parity", "bad_parity"),
            ("certificate_no", "bad_certificate"),
        ],
        6: [("kind", "event_rule")],
        7: [("reported_date", "reported_early")],
    }
    assert outcome.errors[6][0].message == "出生变动的当事人应为母亲"


def test_a_flow_out_keeps_place_and_reason_and_ignores_other_columns(tmp_path, town):
    row = line(
        "流出",
        town["young"],
        date(2024, 2, 1),
        县外地点="广州",
        流动原因="务工经商",
        政策属性="不在字典",
        父亲身份号码=320124199001011234.0,
    )
    assert run(xlsx(tmp_path, [row])).outcome.created == 1
    event = Event.objects.get()
    assert (event.place, event.reason, event.policy_attribute) == ("广州", "1", "")
    assert event.partner_id is None
    town["young"].refresh_from_db()
    assert (town["young"].flow, town["young"].residence_status) == ("out", "2")


def test_the_template_has_the_columns_drop_downs_and_an_example_that_is_skipped(tmp_path, units):
    path = tmp_path / "template.xlsx"
    path.write_bytes(build_workbook(columns.template(VILLAGE_A1, TODAY)))
    sheet = read_sheet(path, 0)
    assert sheet[0] == HEADERS and sheet[1][HEADERS.index("说明")] == "示例"
    guide = read_sheet(path, 1)
    assert "人口变动导入填表说明" in guide[0][0]
    listed = {row[0]: row for row in guide if row and row[0] in HEADERS}
    assert listed["事件类型"][2] == "下拉选择" and "县内迁移" in listed["事件类型"][4]
    assert "政策内" in listed["政策属性"][4] and listed["婴儿性别"][2] == "下拉选择"
    assert listed["公民身份号码"][2] == "文本" and listed["公民身份号码"][1] == "是"
    import zipfile

    with zipfile.ZipFile(path) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    # 事件类型, 婴儿性别, 政策属性, 健康状况, 流动原因 and a newcomer's 性别, 民族, 婚姻状况.
    assert xml.count('type="list"') == 8
    outcome = run(path).outcome
    assert outcome.total == 0 and "示例行" in outcome.notes[0]
