"""The stored-file retention purge (issue 19 item 5): uploads, reports and exports are deleted
after RENKOU_FILE_RETENTION_DAYS by the daily job and the command; what named them forgets
them; everything under the var directory becomes owner-only."""

import os
import stat
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from renkou.common.models import AuditEntry, JobProgress, PurgeRun
from renkou.people.importing import batches
from renkou.people.models import ImportBatch
from renkou.system import retention, tasks

pytestmark = pytest.mark.django_db
DAY = 24 * 3600


@pytest.fixture
def var(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = settings.VAR_DIR / "media"
    settings.VAR_DIR.mkdir()
    return settings.VAR_DIR


def stored(var, relative: str, age_days: float, mode: int = 0o600):
    path = var / "media" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"sealed")
    path.chmod(mode)
    when = time.time() - age_days * DAY
    os.utime(path, (when, when))
    return path


def test_files_past_the_retention_are_deleted_and_forgotten(var, personas):
    old_upload = stored(var, "imports/uploads/a.xlsx", 31)
    old_report = stored(var, "imports/reports/person-batch-1-errors.xlsx", 31)
    old_export = stored(var, "exports/persons-1-x.xlsx", 30.5)
    fresh = stored(var, "exports/persons-2-x.xlsx", 29)
    document = stored(var, "benefits/documents/abc", 400)
    user = personas["township_officer"]
    batch = ImportBatch.objects.create(
        file_hash="0" * 64,
        file_name="a.xlsx",
        unit_code=user.unit_code,
        owner_id=user.pk,
        stored_file="imports/uploads/a.xlsx",
        error_report="imports/reports/person-batch-1-errors.xlsx",
        status=ImportBatch.Status.VALIDATED,
        total=3,
    )
    job = JobProgress.objects.create(
        kind="person_export", title="导出", owner_id=user.pk, result_file="exports/persons-1-x.xlsx"
    )
    report = retention.purge()
    assert (report.removed, report.kept) == (3, 1)
    assert not old_upload.exists() and not old_report.exists() and not old_export.exists()
    assert fresh.exists() and document.exists()  # documents are the benefit's record
    batch.refresh_from_db()
    job.refresh_from_db()
    assert (batch.stored_file, batch.error_report, job.result_file) == ("", "", "")
    assert not batches.confirmable(batch)  # the page asks for a new upload instead of failing
    row = AuditEntry.objects.get(action="files.purge")
    assert row.row_count == 3 and "days=30" in row.summary


def test_the_retention_follows_the_setting(var, settings):
    settings.RENKOU_FILE_RETENTION_DAYS = 7
    week_old = stored(var, "exports/a.xlsx", 8)
    recent = stored(var, "exports/b.xlsx", 6)
    retention.purge()
    assert not week_old.exists() and recent.exists()


def test_a_half_written_file_goes_after_a_day(var):
    partial = stored(var, "imports/uploads/.x.xlsx.1234.part", 1.5)
    retention.purge()
    assert not partial.exists()


def test_everything_under_var_becomes_owner_only(var):
    database = var / "renkou.sqlite3"
    database.write_bytes(b"SQLite format 3\x00")
    database.chmod(0o644)
    readable = stored(var, "exports/c.xlsx", 1, mode=0o644)
    readable.parent.chmod(0o755)
    var.chmod(0o755)
    report = retention.purge()
    assert report.tightened >= 4
    for path in (database, readable):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (var, readable.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_the_command_and_the_daily_job(var):
    stored(var, "exports/old.xlsx", 40)
    out = StringIO()
    call_command("purge_files", stdout=out)
    assert "删除过期文件 1 个" in out.getvalue()
    assert PurgeRun.objects.filter(trigger="command", removed=1).exists()
    assert tasks.purge_daily.call(day="2026-12-01") == {"removed": 0, "tightened": 0}
    assert tasks.purge_daily.call(day="2026-12-01") == {"skipped": 1}  # one run a day


def test_the_daily_job_queues_itself_for_two_oclock(var):
    from django_tasks_db.models import DBTaskResult

    backends = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=backends):  # Django resets the task backends on change
        out = StringIO()
        call_command("purge_files", "--schedule", stdout=out)
        queued = DBTaskResult.objects.get()
    assert "已安排每日 02:00 自动清理" in out.getvalue()
    assert queued.task_path.endswith("purge_daily")
    local = timezone.localtime(queued.run_after)
    assert (local.hour, local.minute) == (2, 0)
