"""Background work of imports (django.tasks; worker: ``manage.py db_worker``), as
``renkou.system.tasks`` does for exports. Arguments are ids only; the owner's permission and
scope are read again when the task runs, since they may have changed while it was queued.

``check`` and ``commit`` do the work for any ``batches.Importer``; each import declares its
two tasks in its own module (``Importer.tasks``), as the person import does below.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.tasks import task
from django.utils import timezone

from renkou.accounts.constants import PERMISSION_LABELS
from renkou.accounts.models import User
from renkou.people.importing import batches
from renkou.people.importing.batches import PERSONS, Importer
from renkou.people.importing.files import FileRefused

logger = logging.getLogger(__name__)


def _batch_and_owner(batch_id: int, importer: Importer) -> tuple[Any, User | None]:
    batch = importer.model.objects.filter(pk=batch_id).first()
    if batch is None:
        return None, None
    owner = User.objects.filter(pk=batch.owner_id, is_active=True).first()
    if owner is None or not owner.has_perm(importer.permission):
        label = PERMISSION_LABELS.get(importer.permission, importer.title)
        batches.fail(batch, f"发起人已无“{label}”的权限，未导入")
        return batch, None
    return batch, owner


def _run(batch: Any, work: Callable[[], object], importer: Importer) -> None:
    try:
        work()
    except FileRefused as refused:
        batches.fail(batch, str(refused))
    except Exception:
        logger.exception("%s import batch %s failed", importer.name, batch.pk)
        batches.fail(batch, "导入失败，没有写入任何数据；请重试或联系管理员")
        raise


def check(importer: Importer, batch_id: int) -> None:
    """Phase 1 for a large upload: check every row and write the error report."""
    batch, owner = _batch_and_owner(batch_id, importer)
    if batch is None or owner is None:
        return
    today = timezone.localdate()

    def work() -> None:
        scope = batches.user_scope(owner)
        batches.check_batch(batch, scope=scope, today=today, importer=importer)

    _run(batch, work, importer)


def commit(importer: Importer, batch_id: int) -> None:
    """Phase 2: check again and write the batch in one transaction."""
    batch, owner = _batch_and_owner(batch_id, importer)
    if batch is None or owner is None:
        return
    today = timezone.localdate()
    _run(
        batch,
        lambda: batches.commit_batch(batch, user=owner, today=today, importer=importer),
        importer,
    )


@task()
def check_import(*, batch_id: int) -> None:
    check(PERSONS, batch_id)


@task()
def commit_import(*, batch_id: int) -> None:
    commit(PERSONS, batch_id)
