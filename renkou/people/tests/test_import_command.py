"""``manage.py import_persons``: exit status 0 all imported, 1 some rows rejected, 2 unusable
file; --report, --preview, --unit and --workers."""

import io
import random

import pytest
from django.core.management import call_command

from conftest import VILLAGE_A1
from renkou.common.models import AuditEntry
from renkou.people.models import ImportBatch, Person
from renkou.people.tests.import_files import person, read_sheet, write_csv, write_xlsx


@pytest.fixture
def rng():
    return random.Random(7)


def command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_persons", *args, stdout=out, stderr=err)
    return exit_.value.code, out.getvalue(), err.getvalue()


def test_all_rows_imported_exits_0_and_again_changes_nothing(tmp_path, units, rng):
    path = write_xlsx(tmp_path / "ok.xlsx", [person(rng, VILLAGE_A1, n) for n in (1, 2, 3)])
    code, out, err = command(str(path), "--unit", VILLAGE_A1)
    assert code == 0 and "新增 3 人" in out and Person.objects.count() == 3
    assert "导入" in err  # the progress bar
    entry = AuditEntry.objects.get(action="person.import")
    assert entry.user_id is None and entry.username == "manage.py import_persons"
    code, out, _ = command(str(path), "--unit", VILLAGE_A1)
    assert code == 0 and "该文件已导入过" in out and "新增 0 人，更新 0 人" in out
    assert Person.objects.count() == 3


def test_bad_rows_exit_1_with_a_report(tmp_path, units, rng):
    rows = [person(rng, VILLAGE_A1, 1), person(rng, VILLAGE_A1, 2, 联系电话="123")]
    path = write_csv(tmp_path / "mixed.csv", rows, "gb18030")
    report = tmp_path / "out" / "report.xlsx"
    report.parent.mkdir()
    code, out, _ = command(str(path), "--unit", VILLAGE_A1, "--report", str(report))
    assert code == 1 and "没有导入任何数据" in out and Person.objects.count() == 0
    assert read_sheet(report, 1)[1][:4] == [3.0, "联系电话", "***", "bad_phone"]
    code, out, _ = command(str(path), "--unit", VILLAGE_A1, "--mode", "rows")
    assert code == 1 and "新增 1 人" in out and Person.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.txt", b"x", "不支持的文件类型"),
        ("people.xlsx", "姓名,公民身份号码\n".encode(), "扩展名不符"),
        ("people.csv", "姓名,公民身份号码\n王,1\n".encode(), "缺少必填列"),
    ],
)
def test_unusable_files_exit_2(tmp_path, units, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = command(str(path), "--unit", VILLAGE_A1)
    assert code == 2 and message in err
    assert ImportBatch.objects.count() == 0 and Person.objects.count() == 0


def test_missing_file_and_ambiguous_county_exit_2(tmp_path, units):
    code, _, err = command(str(tmp_path / "none.csv"), "--unit", VILLAGE_A1)
    assert code == 2 and "找不到文件" in err
    code, _, err = command(str(tmp_path / "none.csv"))
    assert code == 2 and "--unit" in err  # the test database holds two counties


def test_preview_writes_no_person(tmp_path, units, rng):
    path = write_csv(tmp_path / "p.csv", [person(rng, VILLAGE_A1, 1)])
    code, out, _ = command(str(path), "--unit", VILLAGE_A1, "--preview")
    assert code == 0 and "将新增 1 人" in out and Person.objects.count() == 0


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")  # xdist's threads
def test_worker_processes_give_the_same_result(tmp_path, units, rng):
    rows = [
        person(rng, VILLAGE_A1, n, 联系电话="1" if n % 7 == 0 else "13912345678")
        for n in range(1, 2501)
    ]
    single = write_csv(tmp_path / "single.csv", rows)
    code, out_single, _ = command(str(single), "--unit", VILLAGE_A1, "--preview")
    double = write_csv(tmp_path / "double.csv", rows, "gb18030")
    code2, out_double, _ = command(str(double), "--unit", VILLAGE_A1, "--preview", "--workers", "2")
    assert code == code2 == 1 and out_single == out_double and "bad_phone 357 处" in out_single
