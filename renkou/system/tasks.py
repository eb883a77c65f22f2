"""Background jobs of the system pages (django.tasks; worker: ``manage.py db_worker``).

Arguments are plain JSON (ids and the filter dict), since the database backend stores them.
Progress goes to ``JobProgress`` every ``PROGRESS_EVERY`` rows; the jobs page polls it.
"""

import logging
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from renkou.accounts.constants import Perm
from renkou.accounts.models import User
from renkou.common import audit, jobs, vault, xlsx
from renkou.common.models import AuditEntry, JobProgress, PurgeRun
from renkou.system import audit_labels, retention, selectors

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500

# (header, width, text?) — ids and codes are written as text so Excel keeps leading zeros.
AUDIT_COLUMNS = (
    ("序号", 10, False),
    ("时间", 20, True),
    ("用户ID", 10, True),
    ("用户名", 16, True),
    ("角色", 12, True),
    ("单位代码", 14, True),
    ("来源地址", 16, True),
    ("操作", 22, True),
    ("操作名称", 22, True),
    ("对象类型", 20, True),
    ("对象ID", 14, True),
    ("摘要", 40, True),
    ("行数", 8, False),
    ("结果", 8, True),
    ("事由", 30, True),
)
_RESULTS = dict(AuditEntry.Result.choices)


_progress = jobs.progress


def _audit_values(row: AuditEntry) -> list[Any]:
    ts = timezone.localtime(row.ts).strftime("%Y-%m-%d %H:%M:%S")
    user_id = "" if row.user_id is None else str(row.user_id)
    return [
        row.seq,
        ts,
        user_id,
        row.username,
        row.role_label,
        row.unit_code,
        row.ip,
        row.action,
        audit_labels.action_shown(row.action),
        row.object_type,
        row.object_id,
        row.summary,
        row.row_count,
        _RESULTS.get(row.result, row.result),
        row.reason,
    ]


def _write_audit_xlsx(path: Path, rows: Any, job_id: int) -> int:
    """Stream the rows into an .xlsx (constant memory: one row in memory at a time)."""
    workbook, sheet, text = xlsx.open_sheet(str(path), "审计日志", AUDIT_COLUMNS)
    count = 0
    for count, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        xlsx.write_row(sheet, count, _audit_values(row), text)
        if count % PROGRESS_EVERY == 0:
            _progress(job_id, done=count)
    sheet.autofilter(0, 0, max(count, 1), len(AUDIT_COLUMNS) - 1)
    workbook.close()
    return count


@task()
def export_audit(*, owner_id: int, filters: dict[str, str], job_id: int, ip: str = "") -> int:
    """Write the filtered audit rows to an .xlsx for the requesting audit administrator.

    The owner's permission is checked again here: it may have been withdrawn while queued.
    The audit row ``audit.export`` carries the number of rows written (security.md CR8).
    """
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.has_perm(Perm.VIEW_AUDIT_LOG):
        _progress(job_id, status=JobProgress.Status.FAILED, message="发起人已无导出审计日志的权限")
        return 0
    rows = selectors.audit_entries(filters)
    top = rows.values_list("seq", flat=True).first() or 0
    rows = rows.filter(seq__lte=top)  # rows written while exporting are not part of this file
    _progress(job_id, status=JobProgress.Status.RUNNING, total=rows.count(), done=0)
    path, relative = jobs.result_path(job_id, "audit", ".xlsx")
    try:
        with vault.sealed_output(
            path, context=vault.media_context(relative), suffix=".xlsx"
        ) as out:
            count = _write_audit_xlsx(out, rows, job_id)
    except Exception:
        logger.exception("audit export job %s failed", job_id)
        path.unlink(missing_ok=True)
        _progress(job_id, status=JobProgress.Status.FAILED, message="导出失败，请重试或联系管理员")
        raise
    with transaction.atomic():
        _progress(
            job_id,
            status=JobProgress.Status.DONE,
            done=count,
            total=count,
            result_file=relative,
            message=f"已导出 {count} 条审计记录",
        )
        audit.record(
            actor=owner,
            ip=ip,
            action="audit.export",
            object_type="common.jobprogress",
            object_id=job_id,
            row_count=count,
            summary="filters=" + ",".join(sorted(filters)),
        )
    return count


# --- the daily stored-file purge ---------------------------------------------------------------

PURGE_AT = dt_time(2, 0)  # 02:00 local time, after the to-do refresh


def next_purge(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), PURGE_AT))


def schedule_purge(day: date) -> bool:
    """Queue the daily purge for the day after ``day``; False when the backend cannot defer."""
    if not purge_daily.get_backend().supports_defer:
        return False
    following = day + timedelta(days=1)
    purge_daily.using(run_after=next_purge(day)).enqueue(day=following.isoformat())
    return True


@task()
def purge_daily(*, day: str) -> dict[str, int]:
    """Delete the stored files past their retention, then queue tomorrow's run. One run a day
    (the ``PurgeRun`` row of the day is unique), so a second chain stops at once."""
    run_day = date.fromisoformat(day)
    try:
        with transaction.atomic():
            run = PurgeRun.objects.create(day=run_day, trigger=PurgeRun.Trigger.DAILY)
    except IntegrityError:
        return {"skipped": 1}
    report = retention.purge()
    PurgeRun.objects.filter(pk=run.pk).update(removed=report.removed, tightened=report.tightened)
    schedule_purge(max(run_day, timezone.localdate()))
    return {"removed": report.removed, "tightened": report.tightened}


# What a broken link of the chain is, as ``manage.py verify_audit`` says it.
VERIFY_KINDS = {
    "edited": "被修改",
    "inserted": "被插入",
    "deleted": "被删除",
    "head": "链头不符",
    "anchor": "锚点不符",
}


INTACT = "审计日志完整"


def verified_intact(job: JobProgress) -> bool:
    """Whether a finished 校验 job found the chain whole (its message says so)."""
    return job.status == JobProgress.Status.DONE and job.message.startswith(INTACT)


def _verify_message(count: int, problems: list[audit.Problem]) -> str:
    if not problems:
        return f"{INTACT}：共 {count} 条，哈希链无断点。"
    shown = "；".join(
        f"第 {p.seq} 条{VERIFY_KINDS.get(p.kind, p.kind)}：{p.detail}" for p in problems[:3]
    )
    more = f"等 {len(problems)} 处" if len(problems) > 3 else f"{len(problems)} 处"
    return f"发现问题（{more}，共 {count} 条）：{shown}"[:500]


@task()
def verify_audit_chain(*, owner_id: int, job_id: int, ip: str = "") -> int:
    """The audit administrator's 校验 button: walk the hash chain as ``manage.py verify_audit``
    does (``audit.verify``) and keep the verdict on the job row; returns the problems found."""
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.has_perm(Perm.VIEW_AUDIT_LOG):
        _progress(job_id, status=JobProgress.Status.FAILED, message="发起人已无校验审计日志的权限")
        return 0
    _progress(job_id, status=JobProgress.Status.RUNNING, total=AuditEntry.objects.count())
    try:
        count, problems = audit.verify()
    except Exception:
        logger.exception("audit verification job %s failed", job_id)
        _progress(job_id, status=JobProgress.Status.FAILED, message="校验未能完成，请重试")
        raise
    with transaction.atomic():
        _progress(
            job_id,
            status=JobProgress.Status.DONE,
            done=count,
            total=count,
            message=_verify_message(count, problems),
        )
        audit.record(
            actor=owner,
            ip=ip,
            action="audit.verify",
            object_type="common.jobprogress",
            object_id=job_id,
            row_count=count,
            result=AuditEntry.Result.FAILED if problems else AuditEntry.Result.OK,
            summary=f"problems={len(problems)}",
        )
    return len(problems)
