"""Background work of the assessment pages (django.tasks; worker: ``manage.py db_worker``): the
A4 PDFs of a responsibility letter, a score sheet and the ranking, typeset as the statutory
tables' PDFs are and written, sealed (``common.vault``), to the requester's 后台任务."""

import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.tasks import task

from renkou.accounts.constants import Perm
from renkou.assessment import printing
from renkou.assessment.models import Letter, Scheme
from renkou.common import jobs, vault
from renkou.common.models import JobProgress
from renkou.geo.models import Unit

logger = logging.getLogger(__name__)

LETTER, SHEET, RANKING = "letter", "sheet", "ranking"


def _render(owner: object, what: str, pk: int, code: str, on: date) -> bytes | None:
    """The PDF, or None when the owner may no longer see it (checked again: access may have
    changed while the job was queued)."""
    if what == LETTER:
        letter = Letter.objects.visible_to(owner).select_related("scheme").filter(pk=pk).first()
        return None if letter is None else printing.letter_pdf(letter)
    scheme = Scheme.objects.visible_to(owner).filter(pk=pk, status=Scheme.Status.PUBLISHED).first()
    if scheme is None:
        return None
    if what == SHEET:
        unit = Unit.objects.current().visible_to(owner).filter(code=code).first()
        if unit is None:
            return None
        return printing.sheet_pdf(scheme, unit.prefix, on)
    return printing.ranking_pdf(scheme, on, owner)


@task()
def assessment_pdf(
    *, job_id: int, owner_id: int, what: str, pk: int, code: str = "", on: str = ""
) -> int:
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.has_perm(Perm.VIEW_ASSESSMENT):
        jobs.progress(job_id, status=JobProgress.Status.FAILED, message="发起人已无查看考核的权限")
        return 0
    jobs.progress(job_id, status=JobProgress.Status.RUNNING, total=1, done=0)
    try:
        data = _render(owner, what, pk, code, date.fromisoformat(on) if on else date.min)
    except Exception:
        logger.exception("assessment PDF job %s failed", job_id)
        jobs.progress(job_id, status=JobProgress.Status.FAILED, message="生成失败，请重试")
        raise
    if data is None:
        jobs.progress(job_id, status=JobProgress.Status.FAILED, message="该责任书或评分表不可用")
        return 0
    path, relative = jobs.result_path(job_id, f"assessment-{what}", ".pdf")
    vault.seal([data], path, context=vault.media_context(relative))
    jobs.progress(
        job_id,
        status=JobProgress.Status.DONE,
        done=1,
        result_file=relative,
        message=f"PDF（{len(data) // 1024} KB）",
    )
    return len(data)
