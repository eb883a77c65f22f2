"""``manage.py import_events``: exit status 0 all imported, 1 some rows rejected, 2 unusable file
(the person import's hostile files included); --report, --preview, --mode, --unit."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from conftest import VILLAGE_A1
from renkou.common.models import AuditEntry
from renkou.events.models import Event, EventImportBatch
from renkou.events.tests.test_import import HEADERS, line, make_town, xlsx
from renkou.people.tests.import_files import read_sheet, write_csv
from renkou.people.tests.test_import_hostile import EXPECTED, hostile  # noqa: F401 fixture


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def town(units):
    return make_town()


def command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_events", *args, stdout=out, stderr=err)
    return exit_.value.code, out.getvalue(), err.getvalue()


def test_all_rows_recorded_exits_0_and_again_changes_nothing(tmp_path, town):
    rows = [
        line("死亡", town["old"], date(2024, 6, 1)),
        line("初婚", town["young"], date(2024, 3, 1)),
    ]
    path = xlsx(tmp_path, rows)
    code, out, err = command(str(path), "--unit", VILLAGE_A1)
    assert code == 0 and "登记变动 2 条" in out and Event.objects.count() == 2
    assert "导入" in err  # the progress bar
    entry = AuditEntry.objects.get(action="event.import")
    assert entry.user_id is None and entry.username == "manage.py import_events"
    code, out, _ = command(str(path), "--unit", VILLAGE_A1)
    assert code == 0 and "该文件已导入过" in out and "登记变动 0 条" in out
    assert Event.objects.count() == 2
    # The same rows as a CSV: already recorded, skipped, not errors.
    again = write_csv(tmp_path / "again.csv", rows, "utf-8-sig", HEADERS)
    code, out, _ = command(str(again), "--unit", VILLAGE_A1)
    assert code == 0 and "已登记跳过 2 条" in out and Event.objects.count() == 2


def test_bad_rows_exit_1_with_a_report(tmp_path, town):
    rows = [
        line("死亡", town["old"], date(2024, 6, 1)),
        line("离婚", town["young"], date(2024, 3, 1)),
    ]
    path = write_csv(tmp_path / "mixed.csv", rows, "gb18030", HEADERS)
    report = tmp_path / "out" / "report.xlsx"
    report.parent.mkdir()
    code, out, _ = command(str(path), "--unit", VILLAGE_A1, "--report", str(report))
    assert code == 1 and "没有导入任何数据" in out and Event.objects.count() == 0
    assert "event_rule 1 处" in out
    detail = read_sheet(report, 1)[1]
    assert detail[:2] == [3.0, "事件类型"] and detail[3] == "event_rule"
    assert detail[4] == "只有已婚人员才能登记离婚或丧偶"
    code, out, _ = command(str(path), "--unit", VILLAGE_A1, "--mode", "rows")
    assert code == 1 and "登记变动 1 条" in out and Event.objects.count() == 1


def test_preview_records_nothing(tmp_path, town):
    path = xlsx(tmp_path, [line("死亡", town["old"], date(2024, 6, 1))])
    code, out, _ = command(str(path), "--unit", VILLAGE_A1, "--preview")
    assert code == 0 and "将登记变动 1 条" in out and Event.objects.count() == 0
    town["old"].refresh_from_db()
    assert town["old"].exited_at is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("events.txt", b"x", "不支持的文件类型"),
        ("events.xlsx", "事件类型,发生日期\n".encode(), "扩展名不符"),
        ("events.csv", "事件类型,发生日期\n死亡,2024-06-01\n".encode(), "缺少必填列：公民身份号码"),
        (
            "events.csv",
            "姓名,性别\n王,女\n".encode(),
            "缺少必填列：事件类型、发生日期、公民身份号码",
        ),
    ],
)
def test_unusable_files_exit_2(tmp_path, units, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = command(str(path), "--unit", VILLAGE_A1)
    assert code == 2 and message in err
    assert EventImportBatch.objects.count() == 0 and Event.objects.count() == 0


def test_hostile_files_exit_2_and_write_nothing(units, hostile):  # noqa: F811 fixture
    for name, path in hostile.items():
        code, _, err = command(str(path), "--unit", VILLAGE_A1)
        assert code == 2 and EXPECTED[name] in err, name
    assert EventImportBatch.objects.count() == 0 and Event.objects.count() == 0


def test_missing_file_and_ambiguous_county_exit_2(tmp_path, units):
    code, _, err = command(str(tmp_path / "none.csv"), "--unit", VILLAGE_A1)
    assert code == 2 and "找不到文件" in err
    code, _, err = command(str(tmp_path / "none.csv"))
    assert code == 2 and "--unit" in err  # the test database holds two counties
