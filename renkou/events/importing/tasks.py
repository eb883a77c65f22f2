"""The change-event import's background tasks (``Importer.tasks`` of ``importer.EVENTS``); the
work is the person import's (``renkou.people.importing.tasks``)."""

from django.tasks import task

from renkou.events.importing.importer import EVENTS
from renkou.people.importing import tasks


@task()
def check_import(*, batch_id: int) -> None:
    tasks.check(EVENTS, batch_id)


@task()
def commit_import(*, batch_id: int) -> None:
    tasks.commit(EVENTS, batch_id)
