"""审计日志: the filtered list (audit administrator only) and the background .xlsx export whose
audit row counts exactly the rows in the file (security.md CR8)."""

import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from renkou.common import audit
from renkou.common.models import AuditEntry, JobProgress
from renkou.common.testing import media_bytes
from renkou.system import tasks

pytestmark = pytest.mark.django_db

LIST = reverse("system:audit_list")
EXPORT = reverse("system:audit_export")


@pytest.fixture
def entries(personas):
    admin = personas["sys_admin"]
    for n in range(3):
        audit.record(actor=admin, action="user.update", object_type="accounts.user", object_id=n)
    audit.record(
        actor=admin, action="dict.item_create", object_type="common.dictitem", object_id="0012"
    )
    audit.record(actor=None, username="nobody", action="auth.failure", result="failed")
    return AuditEntry.objects.count()


def _sheet(path: Path) -> list[list]:
    """The first sheet of an export, decrypted (stored files are encrypted at rest)."""
    relative = str(path.relative_to(settings.MEDIA_ROOT))
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(media_bytes(relative)))
    return workbook.get_sheet_by_index(0).to_python()


def test_page_is_for_the_audit_administrator_only(as_role):
    assert as_role("audit_admin").get(LIST).status_code == 200
    for role in ("sys_admin", "sec_admin", "county_officer", "leader"):
        assert as_role(role).get(LIST).status_code == 403
        assert as_role(role).post(EXPORT).status_code == 403


def test_filters(as_role, entries):
    client = as_role("audit_admin")

    def seqs(**params):
        page = client.get(LIST, params).context["page"]
        return [row.action for row in page]

    assert set(seqs(action="user.")) == {"user.update"}
    assert seqs(result="failed") == ["auth.failure"]
    assert seqs(username="nobody") == ["auth.failure"]
    assert seqs(object_type="common.dict") == ["dict.item_create"]
    today = timezone.localdate()
    assert len(seqs(date_from=today.isoformat(), date_to=today.isoformat())) >= entries
    assert seqs(date_to=(today - timedelta(days=1)).isoformat()) == []
    response = client.get(LIST, {"date_from": "不是日期"})
    assert "请输入有效的日期" in response.content.decode()


def test_list_is_newest_first_with_role_names(as_role, entries):
    page = as_role("audit_admin").get(LIST).context["page"]
    seqs = [row.seq for row in page]
    assert seqs == sorted(seqs, reverse=True)
    body = as_role("audit_admin").get(LIST, {"action": "user."}).content.decode()
    assert "系统管理员" in body


def test_export_writes_an_xlsx_whose_rows_match_the_audit_row_count(
    as_role, entries, media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 2)
    client = as_role("audit_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT, {"action": "user."})
    assert response.status_code == 302 and response["Location"] == reverse("system:job_list")
    job = JobProgress.objects.get()
    assert job.status == JobProgress.Status.DONE and job.task_id
    assert job.done == job.total == 3 and job.percent == 100
    path = Path(media) / job.result_file
    rows = _sheet(path)
    assert rows[0][:3] == ["序号", "时间", "用户ID"]
    exported = AuditEntry.objects.get(action="audit.export")
    assert exported.row_count == len(rows) - 1 == 3
    assert exported.object_id == str(job.pk) and exported.summary == "filters=action"
    assert {r[7] for r in rows[1:]} == {"user.update"}
    assert {r[8] for r in rows[1:]} == {"修改用户"}


def test_export_keeps_ids_as_text(as_role, entries, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_role("audit_admin").post(EXPORT, {"object_type": "common.dictitem"})
    job = JobProgress.objects.get()
    rows = _sheet(Path(media) / job.result_file)
    assert len(rows) == 2
    assert rows[1][10] == "0012" and isinstance(rows[1][2], str)


def test_export_of_all_rows(as_role, entries, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_role("audit_admin").post(EXPORT)
    job = JobProgress.objects.get()
    exported = AuditEntry.objects.get(action="audit.export")
    assert exported.row_count == len(_sheet(Path(media) / job.result_file)) - 1
    assert exported.row_count == exported.seq - 1  # every row before the export's own


def test_export_fails_cleanly_when_the_owner_lost_the_right(personas, media):
    owner = personas["sys_admin"]
    job = JobProgress.objects.create(
        kind="audit_export", title="审计日志导出", owner_id=owner.pk, unit_code=owner.unit_code
    )
    assert tasks.export_audit.call(owner_id=owner.pk, filters={}, job_id=job.pk) == 0
    job.refresh_from_db()
    assert job.status == JobProgress.Status.FAILED and not job.result_file
    assert not AuditEntry.objects.filter(action="audit.export").exists()


def test_date_range_uses_local_days(as_role, personas):
    early = datetime(2026, 3, 2, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # still 1 March in UTC
    with time_machine.travel(early, tick=False):
        audit.record(actor=personas["sys_admin"], action="late.night")
    page = as_role("audit_admin").get(LIST, {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    assert [row.action for row in page.context["page"]] == ["late.night"]
