"""后台任务: one's own jobs only, htmx polling while unfinished, owner-only audited download."""

from pathlib import Path

import pytest
from django.urls import reverse

from renkou.common.models import AuditEntry, JobProgress

pytestmark = pytest.mark.django_db

LIST = reverse("system:job_list")


def _job(
    owner, *, status=JobProgress.Status.DONE, result_file="", title="审计日志导出", **extra
) -> JobProgress:
    return JobProgress.objects.create(
        kind="audit_export",
        title=title,
        owner_id=owner.pk,
        unit_code=owner.unit_code,
        status=status,
        result_file=result_file,
        **extra,
    )


@pytest.fixture
def finished(personas, media):
    path = Path(media) / "exports" / "audit-1.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK fake xlsx")
    return _job(personas["audit_admin"], result_file="exports/audit-1.xlsx", total=5, done=5)


@pytest.mark.parametrize(
    "role", ["village_admin", "leader", "sys_admin", "sec_admin", "audit_admin"]
)
def test_every_role_sees_the_jobs_page(role, as_role):
    assert as_role(role).get(LIST).status_code == 200


def test_only_own_jobs_are_listed(as_role, personas, finished):
    _job(personas["leader"], title="领导的任务")
    body = as_role("audit_admin").get(LIST).content.decode()
    assert "审计日志导出" in body and "领导的任务" not in body
    assert reverse("system:job_download", args=[finished.pk]) in body


def test_unfinished_jobs_poll_and_finished_ones_stop(as_role, personas, finished):
    client = as_role("audit_admin")
    assert 'hx-trigger="every 2s"' not in client.get(LIST).content.decode()
    running = _job(personas["audit_admin"], status=JobProgress.Status.RUNNING, total=10, done=4)
    body = client.get(LIST).content.decode()
    assert 'hx-trigger="every 2s"' in body and 'data-progress="40"' in body
    partial = client.get(LIST, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="job-results"') and "<html" not in partial
    JobProgress.objects.filter(pk=running.pk).update(status=JobProgress.Status.DONE)
    partial = client.get(LIST, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' not in partial


def test_owner_downloads_the_file_and_it_is_audited(as_role, finished):
    response = as_role("audit_admin").get(reverse("system:job_download", args=[finished.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"PK fake xlsx"
    row = AuditEntry.objects.get(action="job.download")
    assert row.object_id == str(finished.pk) and row.username == "p_audit_admin"


def test_another_user_gets_404_and_the_attempt_is_audited(as_role, finished):
    url = reverse("system:job_download", args=[finished.pk])
    assert as_role("sec_admin").get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="job.download").exists()
    denied = AuditEntry.objects.get(action="authz.denied")
    assert denied.object_id == str(finished.pk) and denied.result == "denied"


def test_unfinished_missing_or_escaping_files_are_404(as_role, personas, media):
    owner = personas["audit_admin"]
    client = as_role("audit_admin")
    queued = _job(owner, status=JobProgress.Status.QUEUED, result_file="exports/x.xlsx")
    gone = _job(owner, result_file="exports/deleted.xlsx")
    outside = Path(media).parent / "secret.txt"
    outside.write_text("secret")
    escaping = _job(owner, result_file="../secret.txt")
    for job in (queued, gone, escaping):
        assert client.get(reverse("system:job_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("system:job_download", args=[99999])).status_code == 404
