"""Export of the person list's current filter to .xlsx (ecosystem.md §1.6, security.md CR8).

ID numbers, phones, household and unit codes are written as text (format '@'), so Excel keeps
every digit (a numeric 18-digit ID silently loses its last three). ID numbers and phones are
masked unless the account may see full numbers and asked for them. Every export writes one
audit row ``person.export`` whose ``row_count`` is the number of rows in the file.

Up to ``SYNC_LIMIT`` rows the file is returned at once; larger exports run as a background
task (``export_persons``) and are downloaded from the jobs page, like the audit-log export.
"""

import logging
from dataclasses import asdict
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from renkou.accounts.constants import Perm
from renkou.common import audit, crypto, dicts, xlsx
from renkou.common.models import JobProgress
from renkou.geo.models import Unit
from renkou.people import selectors
from renkou.people.constants import Flow
from renkou.people.models import Person
from renkou.people.services import Actor

logger = logging.getLogger(__name__)

SYNC_LIMIT = 5000
PROGRESS_EVERY = 500
EXPORT_DIR = "exports"
SHEET = "人员名单"

# (header, width, text?, value) — text columns get the '@' format.
CODED = {
    "id_type": "document_type",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "marital_status": "marital_status",
    "education": "education",
    "hukou_type": "hukou_type",
    "relationship": "relationship",
    "residence_status": "residence_status",
}
COLUMNS = (
    ("序号", 7, False),
    ("姓名", 12, True),
    ("公民身份号码", 22, True),
    ("证件类型", 12, True),
    ("性别", 6, True),
    ("出生日期", 12, True),
    ("年龄", 6, False),
    ("民族", 10, True),
    ("婚姻状况", 10, True),
    ("初婚日期", 12, True),
    ("文化程度", 12, True),
    ("户口性质", 10, True),
    ("户编号", 21, True),
    ("与户主关系", 12, True),
    ("户籍地代码", 15, True),
    ("现居住地代码", 15, True),
    ("管理单位", 14, True),
    ("居住状况", 18, True),
    ("流动状态", 8, True),
    ("联系电话", 15, True),
    ("状态", 8, True),
)
FLOW_LABELS = dict(Flow.choices)


class Labels:
    """Dictionary labels and unit names, loaded once per export (not once per row)."""

    def __init__(self, scope_prefix: str) -> None:
        self.codes = {
            field: {e.value: e.label for e in dicts.items(code, include_inactive=True)}
            for field, code in CODED.items()
        }
        units = Unit.objects.current().filter(prefix__startswith=scope_prefix)
        self.units = dict(units.values_list("code", "name"))

    def code(self, field: str, value: str) -> str:
        return self.codes[field].get(value, value)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def person_values(p: Person, labels: Labels, *, full: bool, today: date) -> list[Any]:
    """One row of the sheet (without the running number)."""
    id_number = p.id_number if full else crypto.mask(p.id_number)
    phone = p.phone if full else crypto.mask(p.phone, 3, 4)
    return [
        p.name,
        id_number,
        labels.code("id_type", p.id_type),
        labels.code("sex", p.sex),
        _day(p.birth_date),
        p.age_on(today),
        labels.code("ethnicity", p.ethnicity),
        labels.code("marital_status", p.marital_status),
        _day(p.first_marriage_date),
        labels.code("education", p.education),
        labels.code("hukou_type", p.hukou_type),
        p.household.code if p.household else "",
        labels.code("relationship", p.relationship),
        p.registered_code,
        p.residence_code,
        labels.units.get(p.unit_code, p.unit_code),
        labels.code("residence_status", p.residence_status),
        FLOW_LABELS.get(p.flow, p.flow),
        phone,
        "已退出" if p.exited_at else "在册",
    ]


def write_persons(
    target: str | BinaryIO,
    rows: Any,
    labels: Labels,
    *,
    full: bool,
    today: date,
    job_id: int | None = None,
) -> int:
    """Stream the rows into an .xlsx (constant memory); returns the number of rows written."""
    workbook, sheet, text = xlsx.open_sheet(target, SHEET, COLUMNS)
    count = 0
    for count, person in enumerate(rows.iterator(chunk_size=2000), start=1):
        sheet.write_number(count, 0, count)
        values = person_values(person, labels, full=full, today=today)
        xlsx.write_row(sheet, count, values, text, first_col=1)
        if job_id and count % PROGRESS_EVERY == 0:
            _progress(job_id, done=count)
    sheet.autofilter(0, 0, max(count, 1), len(COLUMNS) - 1)
    workbook.close()
    return count


def _summary(filters: dict[str, str], full: bool) -> str:
    """Filter names only: the values (a name typed into the search) may be personal data."""
    names = ",".join(sorted(k for k, v in filters.items() if v))
    return f"filters={names};full={int(full)}"


def export_now(
    *, actor: Actor, flt: selectors.PersonFilter, full: bool, today: date
) -> tuple[BytesIO, int]:
    """Write the file at once and record the export; (file, rows written)."""
    rows = selectors.person_list(actor.user, flt, today=today)
    buffer = BytesIO()
    count = write_persons(
        buffer, rows, Labels(actor.user.scope_prefix or ""), full=full, today=today
    )
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="person.export",
        object_type="people.person",
        row_count=count,
        summary=_summary(asdict(flt), full),
    )
    buffer.seek(0)
    return buffer, count


def export_start(
    *, actor: Actor, flt: selectors.PersonFilter, full: bool, today: date
) -> JobProgress:
    """Queue a large export; the task writes the file and the audit row (after commit)."""
    job = JobProgress.objects.create(
        kind="person_export",
        title="人员名单导出",
        owner_id=actor.user.pk,
        unit_code=actor.user.unit_code,
    )
    filters = {k: v for k, v in asdict(flt).items() if v}

    def enqueue() -> None:
        result = export_persons.enqueue(
            owner_id=actor.user.pk,
            filters=filters,
            full=full,
            job_id=job.pk,
            ip=actor.ip,
            today=today.isoformat(),
        )
        JobProgress.objects.filter(pk=job.pk).update(task_id=result.id[:64])

    transaction.on_commit(enqueue)
    return job


def _progress(job_id: int, **values: Any) -> None:
    JobProgress.objects.filter(pk=job_id).update(updated_at=timezone.now(), **values)


def _export_path(job_id: int) -> tuple[Path, str]:
    stamp = datetime.now(tz=timezone.get_current_timezone()).strftime("%Y%m%d-%H%M%S")
    relative = f"{EXPORT_DIR}/persons-{job_id}-{stamp}.xlsx"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, relative


def _owner(owner_id: int, full: bool) -> Any:
    """The requesting account if it may still export (permissions may change while queued)."""
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.has_perm(Perm.EXPORT_PERSON):
        return None
    if full and not owner.has_perm(Perm.UNMASK_PERSON):
        return None
    return owner


@task()
def export_persons(
    *,
    owner_id: int,
    filters: dict[str, str],
    full: bool,
    job_id: int,
    ip: str = "",
    today: str = "",
) -> int:
    """The background form of ``export_now`` for more than ``SYNC_LIMIT`` rows."""
    owner = _owner(owner_id, full)
    if owner is None:
        _progress(job_id, status=JobProgress.Status.FAILED, message="发起人已无导出人员名单的权限")
        return 0
    day = date.fromisoformat(today) if today else timezone.localdate()
    rows = selectors.person_list(owner, selectors.PersonFilter(**filters), today=day)
    _progress(job_id, status=JobProgress.Status.RUNNING, total=rows.count(), done=0)
    path, relative = _export_path(job_id)
    try:
        count = write_persons(
            str(path), rows, Labels(owner.scope_prefix or ""), full=full, today=day, job_id=job_id
        )
    except Exception:
        logger.exception("person export job %s failed", job_id)
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
            message=f"已导出 {count} 名人员",
        )
        audit.record(
            actor=owner,
            ip=ip,
            action="person.export",
            object_type="common.jobprogress",
            object_id=job_id,
            row_count=count,
            summary=_summary(filters, full),
        )
    return count
