"""The one way to start a background job and report its progress (architecture.md "Jobs").

A job is a ``JobProgress`` row that the 后台任务 page polls, and a ``django.tasks`` task that
updates it. ``start`` creates the row and queues the task after the commit (so a database worker
always finds the row, and nothing is queued for a rolled-back request), keeping the task's id on
the row; ``progress`` is what a task calls to move the row on; ``result_path`` names where a task
writes its file (under MEDIA_ROOT, downloaded from the jobs page by its owner only).
"""

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from renkou.common.models import JobProgress

EXPORT_DIR = "exports"


def enqueue_after_commit(job_pk: int, task: Any, /, **arguments: Any) -> None:
    """Queue ``task`` with ``arguments`` once the current transaction commits (at once outside
    one), and keep the task's id on the job's row ``job_pk``."""

    def enqueue() -> None:
        result = task.enqueue(**arguments)
        JobProgress.objects.filter(pk=job_pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)


def start(
    *, task: Any, kind: str, title: str, owner: Any, unit_code: str, **arguments: Any
) -> JobProgress:
    """A new job of ``owner`` for ``task``, which is called with ``job_id`` and ``arguments``
    (plain JSON: the database backend stores them)."""
    job = JobProgress.objects.create(
        kind=kind,
        title=title[:200],
        owner_id=getattr(owner, "pk", None),
        unit_code=unit_code.ljust(12, "0")[:12] if unit_code else "",
    )
    enqueue_after_commit(job.pk, task, job_id=job.pk, **arguments)
    return job


def progress(job_id: int, **values: Any) -> None:
    """Move a job on: ``status``, ``done``, ``total``, ``message``, ``result_file``."""
    JobProgress.objects.filter(pk=job_id).update(updated_at=timezone.now(), **values)


def result_path(job_id: int, stem: str, suffix: str) -> tuple[Path, str]:
    """Where a job writes its file: the absolute path and the path relative to MEDIA_ROOT."""
    stamp = datetime.now(tz=timezone.get_current_timezone()).strftime("%Y%m%d-%H%M%S")
    relative = f"{EXPORT_DIR}/{stem}-{job_id}-{stamp}{suffix}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, relative
