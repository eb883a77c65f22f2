"""Background work of imports (django.tasks; worker: ``manage.py db_worker``), as
``renkou.system.tasks`` does for exports. Arguments are ids only; the owner's permission and
scope are read again when the task runs, since they may have changed while it was queued."""

import logging

from django.tasks import task
from django.utils import timezone

from renkou.accounts.constants import Perm
from renkou.accounts.models import User
from renkou.people.importing import batches
from renkou.people.importing.files import FileRefused
from renkou.people.models import ImportBatch

logger = logging.getLogger(__name__)


def _batch_and_owner(batch_id: int) -> tuple[ImportBatch | None, User | None]:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return None, None
    owner = User.objects.filter(pk=batch.owner_id, is_active=True).first()
    if owner is None or not owner.has_perm(Perm.IMPORT_PERSON):
        batches.fail(batch, "发起人已无批量导入人员的权限，未导入")
        return batch, None
    return batch, owner


def _run(batch: ImportBatch, work: object) -> None:
    try:
        work()  # type: ignore[operator]
    except FileRefused as refused:
        batches.fail(batch, str(refused))
    except Exception:
        logger.exception("person import batch %s failed", batch.pk)
        batches.fail(batch, "导入失败，没有写入任何数据；请重试或联系管理员")
        raise


@task()
def check_import(*, batch_id: int) -> None:
    """Phase 1 for a large upload: check every row and write the error report."""
    batch, owner = _batch_and_owner(batch_id)
    if batch is None or owner is None:
        return
    today = timezone.localdate()
    _run(batch, lambda: batches.check_batch(batch, scope=batches.user_scope(owner), today=today))


@task()
def commit_import(*, batch_id: int) -> None:
    """Phase 2: check again and write the batch in one transaction."""
    batch, owner = _batch_and_owner(batch_id)
    if batch is None or owner is None:
        return
    today = timezone.localdate()
    _run(batch, lambda: batches.commit_batch(batch, user=owner, today=today))
