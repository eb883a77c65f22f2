"""Background work of the report pages (django.tasks; worker: ``manage.py db_worker``): the A4
PDF of a table, typeset with the CJK font in a few seconds, written to the requester's 后台任务
for download."""

import logging

from django.contrib.auth import get_user_model
from django.http import Http404
from django.tasks import task
from django.utils import timezone

from renkou.accounts.constants import Perm
from renkou.common import jobs, vault
from renkou.common.models import JobProgress
from renkou.reports.tables import choosing, pdf

logger = logging.getLogger(__name__)


@task()
def table_pdf(*, job_id: int, owner_id: int, params: dict[str, str]) -> int:
    """Typeset the table that ``params`` name (as the table page reads them) for the owner, who
    must still see aggregates and the unit (checked again: it may have changed while queued)."""
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.has_perm(Perm.VIEW_AGGREGATE):
        jobs.progress(job_id, status=JobProgress.Status.FAILED, message="发起人已无查看报表的权限")
        return 0
    jobs.progress(job_id, status=JobProgress.Status.RUNNING, total=1, done=0)
    try:
        result, signature, name = choosing.export(owner, params, timezone.localdate())
        data = pdf.render(result, signature)
    except Http404:
        jobs.progress(job_id, status=JobProgress.Status.FAILED, message="该单位或报表版本不可用")
        return 0
    except Exception:
        logger.exception("table PDF job %s failed", job_id)
        jobs.progress(job_id, status=JobProgress.Status.FAILED, message="生成失败，请重试")
        raise
    path, relative = jobs.result_path(job_id, "table", ".pdf")
    vault.seal([data], path, context=vault.media_context(relative))  # encrypted at rest
    jobs.progress(
        job_id,
        status=JobProgress.Status.DONE,
        done=1,
        result_file=relative,
        message=f"{name}.pdf（{len(data) // 1024} KB）",
    )
    return len(data)
