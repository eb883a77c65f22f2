"""The to-do lists' background work (django.tasks; worker: ``manage.py db_worker``).

``refresh_daily`` is the daily job: it refreshes every list and queues itself for 01:00 the next
day (``Task.using(run_after=...)``). The ``RefreshRun`` row of the day is unique, so when two
chains exist (``refresh_todo --schedule`` run twice, a restart) the second finds its day taken
and stops without queueing another: at most one run a day, and the chain never multiplies.
A backend that cannot defer (the immediate backend of the tests) runs the refresh only.
"""

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from renkou.todo import services
from renkou.todo.models import RefreshRun

RUN_AT = time(1, 0)  # 01:00 local time, before anyone opens a list


def next_run(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), RUN_AT))


def schedule(day: date) -> bool:
    """Queue the daily refresh for the day after ``day``; False when the backend cannot defer."""
    if not refresh_daily.get_backend().supports_defer:
        return False
    following = day + timedelta(days=1)
    refresh_daily.using(run_after=next_run(day)).enqueue(day=following.isoformat())
    return True


@task()
def refresh_daily(*, day: str) -> dict[str, int]:
    run_day = date.fromisoformat(day)
    try:
        with transaction.atomic():
            run = RefreshRun.objects.create(day=run_day, trigger=RefreshRun.Trigger.DAILY)
    except IntegrityError:
        return {"skipped": 1}
    run = services.refresh_logged(
        trigger=RefreshRun.Trigger.DAILY, run=run, today=max(run_day, timezone.localdate())
    )
    schedule(max(run_day, timezone.localdate()))
    return {"created": run.created, "changed": run.changed}


@task()
def refresh_rule(*, rule_id: int) -> dict[str, int]:
    """After a rule edit: that rule's items for the whole county."""
    stats = services.refresh(rule_ids=[rule_id])
    return {"created": stats.created, "changed": stats.changed}
