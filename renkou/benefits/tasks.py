"""Background work of the benefit programmes: the annual re-confirmation (年审) reads the whole
register (about half a minute for the demo county), longer than a web request should take, so
the page queues it on the database worker and the 后台任务 page shows its progress."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.tasks import TaskResult, task
from django.utils import timezone

from renkou.benefits import reconfirm
from renkou.common.models import JobProgress
from renkou.people.services import Actor

KIND = "benefits.reconfirm"


def start_reconfirmation(
    *, owner_id: int, prefix: str, year: int, as_of: date, ip: str = ""
) -> tuple[JobProgress, TaskResult]:
    """Queue ``build_reconfirmation`` with its progress row (the 后台任务 page lists it): the
    job as it stands after queueing (done already when the worker runs inline) and the task
    result."""
    job = JobProgress.objects.create(
        kind=KIND,
        title=f"{year} 年度年审变动清单",
        owner_id=owner_id,
        unit_code=prefix.ljust(12, "0"),
    )
    result = build_reconfirmation.enqueue(
        owner_id=owner_id, prefix=prefix, year=year, as_of=as_of.isoformat(), job_id=job.pk, ip=ip
    )
    JobProgress.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job, result


def _progress(job_id: int, **values: object) -> None:
    JobProgress.objects.filter(pk=job_id).update(updated_at=timezone.now(), **values)


@task()
def build_reconfirmation(
    *, owner_id: int, prefix: str, year: int, as_of: str, job_id: int, ip: str = ""
) -> int | None:
    """Build the year's change list as ``reconfirm.reconfirmation_build`` does, as the account
    that asked (its permissions and scope checked again: they may have changed while queued).
    Returns the re-confirmation's pk, also kept in the job's message."""
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        _progress(job_id, status=JobProgress.Status.FAILED, message="发起人账号已停用")
        return None
    _progress(job_id, status=JobProgress.Status.RUNNING)
    try:
        row = reconfirm.reconfirmation_build(
            actor=Actor(owner, ip), prefix=prefix, year=year, as_of=date.fromisoformat(as_of)
        )
    except (ValidationError, PermissionDenied) as exc:
        text = "；".join(getattr(exc, "messages", [str(exc)])) or "无权办理"
        _progress(job_id, status=JobProgress.Status.FAILED, message=text[:500])
        return None
    changes = row.summary.get("changes", 0)
    text = f"{year} 年度年审变动清单已生成，共 {changes} 条（编号 {row.pk}）"
    _progress(job_id, status=JobProgress.Status.DONE, total=changes, done=changes, message=text)
    return row.pk
