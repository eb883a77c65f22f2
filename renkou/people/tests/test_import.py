"""Person import: the same rules as the entry form, the same final state as the services,
all-or-nothing and per-row modes, idempotent re-imports, error reports (security.md IN2, IN4;
docs/import.md)."""

import random
from datetime import date

import pytest
from django.db import connection

from conftest import COUNTY, OTHER_VILLAGE, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.common import idnumber
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.people import services
from renkou.people.constants import CardStatus
from renkou.people.importing.batches import import_file
from renkou.people.importing.checking import Scope, managing_unit
from renkou.people.importing.files import FileRefused
from renkou.people.importing.template import build_template
from renkou.people.models import Household, ImportBatch, Person, WomanCard
from renkou.people.tests.import_files import (
    HEADERS,
    TODAY,
    person,
    read_sheet,
    write_csv,
    write_xlsx,
)

WHOLE_COUNTY = Scope.of(COUNTY[:6])
TOWNSHIP = Scope.of(TOWNSHIP_A[:9])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rng():
    return random.Random(20261129)


def run(path, scope=WHOLE_COUNTY, mode="all", **kwargs):
    return import_file(path, scope=scope, mode=mode, today=TODAY, **kwargs)


def family(rng, village=VILLAGE_A1, serial=1):
    """A married head of household, her husband and their son of five."""
    code = f"{village}01{serial:04d}"
    return [
        person(rng, village, serial),
        person(
            rng,
            village,
            serial,
            姓名="李建国",
            性别="男",
            与户主关系="配偶",
            联系电话="",
            公民身份号码=idnumber.generate(rng, birth=date(1988, 2, 3), sex="1"),
        ),
        person(
            rng,
            village,
            serial,
            姓名="李小明",
            性别="",
            婚姻状况="未婚",
            与户主关系="子",
            公民身份号码=idnumber.generate(rng, birth=date(2021, 6, 1), sex="1"),
            户编号=code,
        ),
    ]


def test_a_filled_in_template_imports_persons_households_and_cards(tmp_path, units, rng):
    template = tmp_path / "template.xlsx"
    template.write_bytes(build_template(VILLAGE_A1))
    headers, example = read_sheet(template)[:2]
    assert headers == HEADERS and example[0] == "示例"
    rows = [dict(zip(headers, example, strict=True)), *family(rng)[:2], person(rng, VILLAGE_A2, 7)]
    result = run(write_xlsx(tmp_path / "filled.xlsx", rows, headers))

    assert result.outcome.bad == 0 and result.batch.status == ImportBatch.Status.DONE
    assert (result.outcome.created, result.outcome.updated) == (3, 0)
    assert any("示例行" in note for note in result.batch.notes)
    assert Household.objects.count() == 2 and Person.objects.count() == 3
    head = Person.objects.get(household__code=f"{VILLAGE_A1}010001", is_head=True)
    assert head.unit_code == VILLAGE_A1 and len(head.id_index) == 64 and "wxy" in head.name_key
    assert head.card.status == CardStatus.OPEN and WomanCard.objects.count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_person WHERE id = %s", [head.pk])
        assert cursor.fetchone()[0].startswith("v1:")
    assert Person.history.filter(history_type="+").count() == 3
    assert Household.history.count() == 2 and WomanCard.history.count() == 2
    entry = AuditEntry.objects.get(action="person.import")
    assert entry.row_count == 3 and "王" not in entry.summary


def test_rows_end_as_the_entry_form_would_store_them(tmp_path, units, ctx):
    """The importer's bulk path and services.person_register store the same columns."""
    from renkou.people import rules
    from renkou.people.tests.conftest import person_row

    raw = person_row(random.Random(5), VILLAGE_A1, phone="13912345678", education="初中")
    row = person(
        random.Random(5),
        VILLAGE_A1,
        1,
        婚姻状况="初婚",
        民族="藏族",
        文化程度="初中",
        公民身份号码=raw["id_number"],
        性别="",
    )
    run(write_xlsx(tmp_path / "one.xlsx", [row]))
    imported = Person.objects.get()
    values, issues = rules.check_person(raw, ctx)
    assert rules.errors(issues) == []
    actor = Actor(None)
    household = services.household_register(actor=actor, village_code=VILLAGE_A1, group_no="02")
    by_form = services.person_register(actor=actor, household=household, values=values, today=TODAY)
    by_form.refresh_from_db()
    for field in Person._meta.concrete_fields:
        if field.name not in {"id", "household", "created_at", "updated_at"}:
            assert getattr(imported, field.attname) == getattr(by_form, field.attname), field.name
    assert imported.card.status == by_form.card.status == CardStatus.OPEN


@pytest.mark.parametrize("residence", [VILLAGE_A1, VILLAGE_B1, OTHER_VILLAGE])
def test_managing_unit_matches_person_prepare(units, residence):
    household = Household.objects.create(code=f"{VILLAGE_A2}010001")
    target = Person(
        household=household,
        residence_code=residence,
        registered_code=VILLAGE_A1,
        name="王",
        relationship="02",
    )
    services.person_prepare(target)
    assert managing_unit(household.code, residence) == target.unit_code


def test_mistakes_are_reported_by_row_and_column_and_all_mode_writes_nothing(tmp_path, units, rng):
    good = [person(rng, VILLAGE_A1, 1), person(rng, VILLAGE_A1, 2)]
    first_id = good[0]["公民身份号码"]
    wrong_check = first_id[:17] + ("1" if first_id[17] == "0" else "0")  # id_check
    bad = [
        person(rng, VILLAGE_A1, 3, 姓名=""),  # required
        person(rng, VILLAGE_A1, 4, 姓名="王2"),  # bad_name
        person(rng, VILLAGE_A1, 5, 公民身份号码=wrong_check),
        person(rng, VILLAGE_A1, 6, 公民身份号码="12345"),  # id_length
        person(rng, VILLAGE_A1, 7, 出生日期="1990-13-45"),  # bad_date
        person(rng, VILLAGE_A1, 8, 民族="火星族"),  # bad_code
        person(rng, VILLAGE_A1, 9, 户编号="123"),  # bad_household
        person(rng, VILLAGE_A1, 10, 户籍地代码="62000110020"),  # bad_unit
        person(rng, VILLAGE_A1, 11, 现居住地代码="620001100299"),  # unknown_unit
        person(rng, VILLAGE_A1, 12, 联系电话="12345"),  # bad_phone
        person(rng, VILLAGE_A1, 13, 与户主关系=""),  # required relationship
        person(rng, VILLAGE_A1, 14, 性别="男"),  # id_sex_mismatch
        {**good[0], "户编号": f"{VILLAGE_A1}010015"},  # dup_in_file
        person(rng, VILLAGE_A1, 1, 姓名="赵敏"),  # household_head_file (row 2 is this head)
        person(rng, OTHER_VILLAGE, 16),  # household_scope (another county)
    ]
    path = write_xlsx(tmp_path / "mixed.xlsx", [*good, *bad])
    report = tmp_path / "report.xlsx"
    result = run(path, mode="all", report=report)

    expected = {
        "required",
        "bad_name",
        "id_check",
        "id_length",
        "bad_date",
        "bad_code",
        "bad_household",
        "bad_unit",
        "unknown_unit",
        "bad_phone",
        "id_sex_mismatch",
        "dup_in_file",
        "household_head_file",
        "household_scope",
    }
    assert expected <= set(result.outcome.codes) and len(expected) >= 10
    assert result.outcome.bad == len(bad) and result.outcome.good == 2
    assert sorted(result.outcome.errors) == list(range(4, 4 + len(bad)))
    assert result.batch.status == ImportBatch.Status.REJECTED
    assert Person.objects.count() == 0 and Household.objects.count() == 0

    sheet, detail = read_sheet(report, 0), read_sheet(report, 1)
    error_col = sheet[0].index("错误说明")
    flagged = [
        n + 1 for n, row in enumerate(sheet) if n and len(row) > error_col and row[error_col]
    ]
    assert flagged == list(range(4, 4 + len(bad)))
    assert sheet[1][:2] == [good[0]["姓名"], good[0]["公民身份号码"]]
    assert detail[0] == ["行号", "列名", "值（已脱敏）", "错误代码", "说明", "类别"]
    assert {int(line[0]) for line in detail[1:]} == set(range(4, 4 + len(bad)))
    id_cells = [line[2] for line in detail[1:] if line[1] == "公民身份号码" and line[2]]
    assert id_cells and all("*" in value for value in id_cells)
    assert first_id not in {line[2] for line in detail[1:]}

    rows_result = run(path, mode="rows")
    assert (rows_result.outcome.created, rows_result.outcome.bad) == (2, len(bad))
    assert Person.objects.count() == 2
    assert rows_result.batch.status == ImportBatch.Status.DONE


def test_the_same_file_again_changes_nothing(tmp_path, units, rng):
    path = write_xlsx(tmp_path / "f.xlsx", family(rng))
    first = run(path)
    history = Person.history.count()
    again = run(path)
    assert first.outcome.created == 3
    assert again.duplicate and again.batch.status == ImportBatch.Status.DUPLICATE
    assert (again.outcome.created, again.outcome.updated) == (0, 0)
    assert "该文件已导入过" in again.batch.message
    assert Person.objects.count() == 3 and Person.history.count() == history


def test_an_overlapping_file_updates_with_history_and_duplicates_nobody(tmp_path, units, rng):
    rows = family(rng)
    run(write_xlsx(tmp_path / "a.xlsx", rows))
    head = Person.objects.get(is_head=True)
    changed = [
        {**rows[0], "联系电话": "13800001111", "文化程度": "大学本科"},
        rows[1],
        person(rng, VILLAGE_A1, 2),
    ]
    result = run(write_csv(tmp_path / "b.csv", changed))
    assert (result.outcome.created, result.outcome.updated, result.outcome.unchanged) == (1, 1, 1)
    assert Person.objects.count() == 4
    head.refresh_from_db()
    assert head.phone == "13800001111" and head.education == "20" and head.version == 2
    assert [h.history_type for h in head.history.order_by("history_id")] == ["+", "~"]
    assert head.history.first().history_change_reason == f"导入批次 {result.batch.pk}"


def test_existing_person_moves_to_the_new_household(tmp_path, units, rng):
    row = person(rng, VILLAGE_A1, 1, 与户主关系="配偶")
    run(write_csv(tmp_path / "a.csv", [row]))
    moved = {**row, "户编号": f"{VILLAGE_A2}010009", "现居住地代码": VILLAGE_A2}
    run(write_csv(tmp_path / "b.csv", [moved]))
    only = Person.objects.get()
    assert only.household.code == f"{VILLAGE_A2}010009" and only.unit_code == VILLAGE_A2
    assert WomanCard.objects.get(person=only).unit_code == VILLAGE_A2


def test_an_id_that_arrives_as_a_number_is_refused(tmp_path, units, rng):
    rows = [person(rng, VILLAGE_A1, 1)]
    result = run(write_xlsx(tmp_path / "n.xlsx", rows, numbers=True), mode="rows")
    codes = {(i.field, i.code) for i in result.outcome.errors[2]}
    assert ("id_number", "id_numeric") in codes and ("household_code", "numeric_cell") in codes
    assert "科学计数法" in next(
        i.message for i in result.outcome.errors[2] if i.code == "id_numeric"
    )
    as_text = write_csv(tmp_path / "n.csv", [{**rows[0], "公民身份号码": "3.20124E+17"}])
    assert run(as_text).outcome.codes["id_numeric"] == 1 and Person.objects.count() == 0


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "utf-16"])
def test_csv_in_each_encoding(tmp_path, units, rng, encoding):
    rows = [person(rng, VILLAGE_A1, 1, 姓名="欧阳䶮")]  # 䶮: outside GBK, inside GB18030
    result = run(write_csv(tmp_path / "p.csv", rows, encoding))
    assert result.outcome.created == 1 and Person.objects.get().name == "欧阳䶮"


def test_legacy_xls(tmp_path, units):
    """A .xls written by xlwt 1.3 (renkou/people/tests/data/persons.xls)."""
    from pathlib import Path

    source = Path(__file__).parent / "data" / "persons.xls"
    copy = tmp_path / "persons.xls"
    copy.write_bytes(source.read_bytes())
    result = run(copy)
    assert (result.outcome.created, result.outcome.bad) == (2, 0)
    wife = Person.objects.get(name="李秀兰")
    assert wife.birth_date == date(1985, 3, 2) and wife.is_head and wife.card.status == "open"


def test_headers_in_any_order_with_spaces_and_full_width(tmp_path, units, rng):
    row = person(rng, VILLAGE_A1, 1)
    headers = [
        "备注",
        "户　编　号",
        "＊姓名",
        "公民身份号码（必填）",
        " 与户主关系 ",
        "户籍地代码",
        "现居住地代码",
        "婚姻状况",
    ]
    data = {
        "户　编　号": row["户编号"],
        "＊姓名": row["姓名"],
        "备注": "x",
        "公民身份号码（必填）": row["公民身份号码"],
        " 与户主关系 ": "户主",
        "户籍地代码": VILLAGE_A1,
        "现居住地代码": VILLAGE_A1,
        "婚姻状况": "初婚",
    }
    result = run(write_xlsx(tmp_path / "h.xlsx", [data], headers))
    assert result.outcome.created == 1
    assert any("备注" in note for note in result.outcome.notes)


def test_a_missing_required_column_makes_the_file_unusable(tmp_path, units, rng):
    headers = [h for h in HEADERS if h != "户编号"]
    with pytest.raises(FileRefused, match="缺少必填列：户编号"):
        run(write_xlsx(tmp_path / "m.xlsx", [person(rng, VILLAGE_A1, 1)], headers))
    assert ImportBatch.objects.count() == 0


def test_scope_household_managing_unit_and_persons_elsewhere(tmp_path, units, rng):
    elsewhere = person(rng, VILLAGE_B1, 1)
    run(write_csv(tmp_path / "b.csv", [elsewhere]))  # the county registers her in township B
    rows = [
        person(rng, VILLAGE_B1, 2),  # household in township B
        person(rng, VILLAGE_A1, 3, 现居住地代码=VILLAGE_B1),  # managed by township B
        {
            **elsewhere,
            "户编号": f"{VILLAGE_A1}010004",
            "户籍地代码": VILLAGE_A1,
            "现居住地代码": VILLAGE_A1,
        },  # already registered in township B
        person(rng, VILLAGE_A1, 5, 现居住地代码=OTHER_VILLAGE),  # lives elsewhere: managed here
    ]
    result = run(write_csv(tmp_path / "a.csv", rows), scope=TOWNSHIP, mode="rows")
    assert [i.code for i in result.outcome.errors[2]] == ["household_scope"]
    assert result.outcome.errors[2][0].message == "户编号不在您的管辖范围内"
    assert [i.code for i in result.outcome.errors[3]] == ["unit_scope"]
    assert [i.code for i in result.outcome.errors[4]] == ["id_elsewhere"]
    assert result.outcome.created == 1 and Person.objects.get(unit_code=VILLAGE_A1)


def test_one_head_per_household_against_the_register(tmp_path, units, rng):
    run(write_csv(tmp_path / "a.csv", [person(rng, VILLAGE_A1, 1)]))
    result = run(write_csv(tmp_path / "b.csv", [person(rng, VILLAGE_A1, 1, 姓名="赵敏")]))
    assert [i.code for i in result.outcome.errors[2]] == ["household_head"]


def test_persons_without_documents_are_matched_by_household_name_and_birth(tmp_path, units, rng):
    row = person(rng, VILLAGE_A1, 1, 证件类型="暂无证件", 公民身份号码="", 出生日期="1990-05-01")
    run(write_csv(tmp_path / "a.csv", [row]))
    result = run(write_csv(tmp_path / "b.csv", [{**row, "联系电话": "13800002222"}]))
    assert (result.outcome.created, result.outcome.updated) == (0, 1)
    assert Person.objects.get().phone == "13800002222"


def test_a_concurrent_import_of_the_same_file_is_caught_by_the_constraint(tmp_path, units, rng):
    """Two batches of one file committed at once: the partial unique constraint on ``done``
    lets one through; the other rolls back to a duplicate with nothing written."""
    from renkou.people.importing.batches import commit
    from renkou.people.importing.reading import open_table

    path = write_csv(tmp_path / "a.csv", [person(rng, VILLAGE_A1, 1)])
    first = run(path)
    late = ImportBatch.objects.create(
        file_hash=first.batch.file_hash,
        file_name="a.csv",
        unit_code=COUNTY,
        status=ImportBatch.Status.RUNNING,
    )
    outcome = commit(late, open_table(path, "a.csv"), scope=WHOLE_COUNTY, today=TODAY)
    late.refresh_from_db()
    assert late.status == ImportBatch.Status.DUPLICATE and outcome.created == 0
    assert Person.objects.count() == 1 and Person.history.count() == 1


def test_a_failure_in_the_middle_leaves_nothing_and_the_batch_can_be_confirmed_again(
    tmp_path, units, rng, monkeypatch, personas, django_capture_on_commit_callbacks
):
    """security.md IN5 in miniature: the commit dies after its first chunk was written; the
    transaction leaves 0 rows, the batch fails, and confirming again imports all of it."""
    from renkou.common.actors import Actor
    from renkou.people.importing import batches, pipeline, writing
    from renkou.people.tests.import_files import csv_bytes

    monkeypatch.setattr(pipeline, "CHUNK", 2)
    officer = personas["township_officer"]
    upload = type("Upload", (), {"name": "f.csv", "size": 0})()
    content = csv_bytes([person(rng, VILLAGE_A1, n) for n in range(1, 6)], "utf-8-sig")
    upload.size, upload.chunks = len(content), lambda size: [content]
    batch = batches.receive(actor=Actor(officer), upload=upload, mode="all", today=TODAY)
    real_write, calls = writing.Writer.write, []

    def dying_write(self, rows, households):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real_write(self, rows, households)

    monkeypatch.setattr(writing.Writer, "write", dying_write)
    with django_capture_on_commit_callbacks(execute=True):  # the worker records the exception
        batches.confirm(actor=Actor(officer), batch=batch, mode="all")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and Person.objects.count() == 0
    assert (
        Household.objects.count() == 0
        and not AuditEntry.objects.filter(action="person.import").exists()
    )
    monkeypatch.setattr(writing.Writer, "write", real_write)
    with django_capture_on_commit_callbacks(execute=True):
        batches.confirm(actor=Actor(officer), batch=batch, mode="all")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and Person.objects.count() == 5


def test_the_error_report_can_be_fixed_and_imported_again(tmp_path, units, rng):
    rows = [person(rng, VILLAGE_A1, 1), person(rng, VILLAGE_A1, 2, 联系电话="12")]
    report = tmp_path / "report.xlsx"
    first = run(write_csv(tmp_path / "a.csv", rows), report=report)
    assert first.batch.status == ImportBatch.Status.REJECTED and report.is_file()
    again = run(report)  # as downloaded: the 错误说明 column is ignored, the error still there
    assert again.outcome.codes == {"bad_phone": 1} and not again.outcome.notes
    sheet = read_sheet(report)
    phone = sheet[0].index("联系电话")
    fixed_rows = [dict(zip(sheet[0], line, strict=True)) for line in sheet[1:]]
    fixed_rows[1]["联系电话"] = "13800003333"
    fixed = run(write_xlsx(tmp_path / "fixed.xlsx", fixed_rows, sheet[0]))
    assert (fixed.outcome.created, fixed.outcome.bad) == (2, 0)
    assert sheet[2][phone] == "12" and Person.objects.count() == 2
