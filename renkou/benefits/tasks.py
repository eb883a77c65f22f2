"""Background work of the benefit programmes: the annual re-confirmation (年审) reads the whole
register (about half a minute for the demo county), longer than a web request should take, so
the page queues it on the database worker and the 后台任务 page shows its progress; the 全覆盖
table's daily catch-up and its rescreening when a rule version comes into force."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from renkou.benefits import reconfirm, screening
from renkou.benefits.models import Program, ScreeningRun
from renkou.common import jobs
from renkou.common.actors import Actor
from renkou.common.forms import error_text
from renkou.common.models import JobProgress

KIND = "benefits.reconfirm"


_progress = jobs.progress


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
        text = error_text(exc, fallback="无权办理")
        _progress(job_id, status=JobProgress.Status.FAILED, message=text[:500])
        return None
    changes = row.summary.get("changes", 0)
    text = f"{year} 年度年审变动清单已生成，共 {changes} 条（编号 {row.pk}）"
    _progress(job_id, status=JobProgress.Status.DONE, total=changes, done=changes, message=text)
    return row.pk


# --- the 全覆盖 table's daily catch-up and rule changes (renkou.benefits.screening) ----------

SCREEN_AT = time(0, 30)  # 00:30 local time: birthdays of the new day, before anyone works


def schedule_screening(day: date) -> bool:
    """Queue the daily catch-up for the day after ``day``; False when the backend cannot
    defer. The ``ScreeningRun`` row of a day is unique, so a second chain stops by itself."""
    if not screen_daily.get_backend().supports_defer:
        return False
    following = day + timedelta(days=1)
    run_after = timezone.make_aware(datetime.combine(following, SCREEN_AT))
    screen_daily.using(run_after=run_after).enqueue(day=following.isoformat())
    return True


@task()
def screen_daily(*, day: str) -> dict[str, int]:
    run_day = max(date.fromisoformat(day), timezone.localdate())
    try:
        with transaction.atomic():
            run = ScreeningRun.objects.create(
                day=date.fromisoformat(day), trigger=ScreeningRun.Trigger.DAILY
            )
    except IntegrityError:
        return {"skipped": 1}
    run = screening.refresh(run_day, run=run)
    schedule_screening(run_day)
    return {"persons": run.persons}


@task()
def rescreen_program(*, program_id: int) -> dict[str, int]:
    """A rule version came into force: everyone in the programme's window again."""
    program = Program.objects.filter(pk=program_id).first()
    return {"persons": screening.program_changed(program) if program else 0}
