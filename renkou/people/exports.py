"""Export of the person list's current filter to .xlsx, and the 完整导出申请 that alone lets it
carry full numbers (ecosystem.md §1.6, security.md CR8).

ID numbers, phones, household and unit codes are written as text (format '@'), so Excel keeps
every digit (a numeric 18-digit ID silently loses its last three); every string is written as
a string, so a name such as ``=1+1`` never becomes a formula. ID numbers and phones are
masked, and the birth date left out (the age stays), in every export except one made from an
approved ``ExportRequest``: a registrar asks
with a reason, a second account of the same unit or one above approves, and the requester
runs the export once within ``GRANT_HOURS``. Every export writes one audit row
(``person.export``, or ``person.export_full`` with the request id) whose ``row_count`` is the
number of rows in the file.

Up to ``SYNC_LIMIT`` rows the file is returned at once; larger exports run as a background
task (``export_persons``) and are downloaded from the jobs page, like the audit-log export.
"""

import logging
from dataclasses import asdict, dataclass
from dataclasses import fields as dataclass_fields
from datetime import date, timedelta
from io import BytesIO
from typing import Any, BinaryIO, NoReturn

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.tasks import task
from django.utils import timezone

from renkou.accounts.constants import Perm
from renkou.common import audit, crypto, dicts, jobs, vault, xlsx
from renkou.common.actors import Actor
from renkou.common.logging import scrub
from renkou.common.models import AuditEntry, JobProgress
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.people import selectors
from renkou.people.constants import PERSON_DICTS, Flow
from renkou.people.forms import looks_like_number
from renkou.people.models import ExportRequest, Person

logger = logging.getLogger(__name__)

SYNC_LIMIT = 5000
PROGRESS_EVERY = 500
SHEET = "人员名单"
GRANT_HOURS = 24  # an approval holds this long (security.md CR8 "approved by a second person")
REQUEST = "people.exportrequest"  # audit object type of the 完整导出申请
FILTER_FIELDS = frozenset(f.name for f in dataclass_fields(selectors.PersonFilter))

# (header, width, text?, value) — text columns get the '@' format.
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
# Only in a full export: beside a masked number the birth date would help to rebuild it, so an
# ordinary export gives the age alone (docs/masking.md).
FULL_ONLY = frozenset({"出生日期"})


def columns(full: bool) -> tuple[tuple[str, int, bool], ...]:
    """The sheet's columns: all of them in a full export, the masked export's otherwise."""
    return tuple(c for c in COLUMNS if full or c[0] not in FULL_ONLY)


_MASKED_KEEP = tuple(i for i, c in enumerate(COLUMNS[1:]) if c[0] not in FULL_ONLY)


class Labels:
    """Dictionary labels and unit names, loaded once per export (not once per row)."""

    def __init__(self, scope_prefix: str) -> None:
        self.codes = {
            field: {e.value: e.label for e in dicts.items(code, include_inactive=True)}
            for field, code in PERSON_DICTS.items()
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
    phone = p.phone if full else crypto.mask(p.phone, crypto.PHONE)
    values = [
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
    return values if full else [values[i] for i in _MASKED_KEEP]


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
    shown = columns(full)
    workbook, sheet, text = xlsx.open_sheet(target, SHEET, shown)
    count = 0
    for count, person in enumerate(rows.iterator(chunk_size=2000), start=1):
        sheet.write_number(count, 0, count)
        values = person_values(person, labels, full=full, today=today)
        xlsx.write_row(sheet, count, values, text, first_col=1)
        if job_id and count % PROGRESS_EVERY == 0:
            _progress(job_id, done=count)
    sheet.autofilter(0, 0, max(count, 1), len(shown) - 1)
    workbook.close()
    return count


def _summary(filters: dict[str, str], full: bool) -> str:
    """Filter names only: the values (a name typed into the search) may be personal data."""
    names = ",".join(sorted(k for k, v in filters.items() if v))
    return f"filters={names};full={int(full)}"


def _record_export(
    *,
    user: Any,
    ip: str,
    count: int,
    filters: dict[str, str],
    grant: ExportRequest | None,
    job_id: int | None = None,
) -> None:
    """The export's audit row (``row_count`` = rows in the file); a full export also stores
    the count on its request. Called inside the caller's transaction."""
    if grant is None:
        target = ("common.jobprogress", job_id) if job_id else ("people.person", "")
        audit.record(
            actor=user,
            ip=ip,
            action="person.export",
            object_type=target[0],
            object_id=target[1],
            row_count=count,
            summary=_summary(filters, False),
        )
        return
    job = f";job={job_id}" if job_id else ""
    audit.record(
        actor=user,
        ip=ip,
        action="person.export_full",
        object_type=REQUEST,
        object_id=grant.pk,
        row_count=count,
        summary=_summary(filters, True) + job,
    )
    ExportRequest.objects.filter(pk=grant.pk).update(row_count=count)


def _refuse_unapproved(actor: Actor, flt: selectors.PersonFilter) -> NoReturn:
    """Full numbers without an approved request (the old 导出完整号码 tick box): refused and
    audited; CR8 allows them only through a 完整导出申请 approved by a second person."""
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="person.export",
        object_type="people.person",
        result=AuditEntry.Result.DENIED,
        summary=_summary(asdict(flt), True),
    )
    raise PermissionDenied("导出完整号码须先提交“完整导出申请”，经本单位或上级单位的其他人员审批")


def export_now(
    *,
    actor: Actor,
    flt: selectors.PersonFilter,
    today: date,
    grant: ExportRequest | None = None,
    full: bool = False,
) -> tuple[BytesIO, int]:
    """Write the file at once and record the export; (file, rows written).

    Numbers are in full only with ``grant``, an approved request already claimed by
    ``export_full``; ``full=True`` without one is refused (kept for the list's old form)."""
    if full and grant is None:
        _refuse_unapproved(actor, flt)
    rows = selectors.person_list(actor.user, flt, today=today)
    buffer = BytesIO()
    labels = Labels(actor.user.scope_prefix or "")
    count = write_persons(buffer, rows, labels, full=grant is not None, today=today)
    with transaction.atomic():
        _record_export(user=actor.user, ip=actor.ip, count=count, filters=asdict(flt), grant=grant)
    buffer.seek(0)
    return buffer, count


def export_start(
    *,
    actor: Actor,
    flt: selectors.PersonFilter,
    today: date,
    grant: ExportRequest | None = None,
    full: bool = False,
) -> JobProgress:
    """Queue a large export; the task writes the file and the audit row (after commit)."""
    if full and grant is None:
        _refuse_unapproved(actor, flt)
    with transaction.atomic():
        job = jobs.start(
            task=export_persons,
            kind="person_export",
            title="人员名单导出（完整号码）" if grant else "人员名单导出",
            owner=actor.user,
            unit_code=actor.user.unit_code,
            owner_id=actor.user.pk,
            filters={k: v for k, v in asdict(flt).items() if v},
            grant_id=grant.pk if grant else None,
            ip=actor.ip,
            today=today.isoformat(),
        )
        if grant is not None:
            ExportRequest.objects.filter(pk=grant.pk).update(job=job)
    return job


_progress = jobs.progress


def _owner(owner_id: int, full: bool) -> Any:
    """The requesting account if it may still export (permissions may change while queued)."""
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.has_perm(Perm.EXPORT_PERSON):
        return None
    if full and not owner.has_perm(Perm.UNMASK_PERSON):
        return None
    return owner


def _task_grant(owner: Any, grant_id: int | None) -> ExportRequest | None:
    """The request a full export was claimed with (still the owner's, still marked used)."""
    if grant_id is None:
        return None
    rows = ExportRequest.objects.visible_to(owner)
    return rows.filter(pk=grant_id, requester=owner, status=ExportRequest.Status.USED).first()


@task()
def export_persons(
    *,
    owner_id: int,
    filters: dict[str, str],
    job_id: int,
    grant_id: int | None = None,
    ip: str = "",
    today: str = "",
) -> int:
    """The background form of ``export_now`` for more than ``SYNC_LIMIT`` rows; with
    ``grant_id`` (a claimed 完整导出申请) the numbers are in full."""
    owner = _owner(owner_id, grant_id is not None)
    grant = _task_grant(owner, grant_id) if owner is not None else None
    if owner is None or (grant_id is not None and grant is None):
        _release(grant_id)
        _progress(job_id, status=JobProgress.Status.FAILED, message="发起人已无导出人员名单的权限")
        return 0
    day = date.fromisoformat(today) if today else timezone.localdate()
    rows = selectors.person_list(owner, selectors.PersonFilter(**filters), today=day)
    _progress(job_id, status=JobProgress.Status.RUNNING, total=rows.count(), done=0)
    path, relative = jobs.result_path(job_id, "persons", ".xlsx")
    labels = Labels(owner.scope_prefix or "")
    try:
        with vault.sealed_output(
            path, context=vault.media_context(relative), suffix=".xlsx"
        ) as out:
            count = write_persons(
                str(out), rows, labels, full=grant is not None, today=day, job_id=job_id
            )
    except Exception:
        logger.exception("person export job %s failed", job_id)
        path.unlink(missing_ok=True)
        _release(grant_id)
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
        _record_export(user=owner, ip=ip, count=count, filters=filters, grant=grant, job_id=job_id)
    return count


# --- 完整导出申请 (full export with a second person's approval) ----------------------------

# One transition per service below; ``used → approved`` only gives back a claim whose export
# produced no file (a failed write or job).
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ExportRequest.Status.PENDING: {ExportRequest.Status.APPROVED, ExportRequest.Status.REJECTED},
    ExportRequest.Status.APPROVED: {ExportRequest.Status.USED, ExportRequest.Status.EXPIRED},
    ExportRequest.Status.USED: {ExportRequest.Status.APPROVED},
}
DECISION_ACTIONS: dict[str, str] = {
    ExportRequest.Status.APPROVED: "person.export_approve",
    ExportRequest.Status.REJECTED: "person.export_reject",
}
USE_REFUSALS: dict[str, str] = {
    ExportRequest.Status.PENDING: "该申请尚未审批，批准后才能导出",
    ExportRequest.Status.REJECTED: "该申请已驳回，不能导出",
    ExportRequest.Status.USED: "该申请已导出过一次，不能再次导出；如需再次导出请重新申请",
    ExportRequest.Status.EXPIRED: "该申请已过期，请重新申请",
}
NUMBER_REFUSED = "完整导出申请不能包含身份证号、电话等号码条件（按身份证号查询的结果不能申请导出）"


@dataclass(frozen=True)
class Problem:
    """Why a transition is refused: ``code`` goes to the audit row, ``message`` to the user."""

    code: str
    message: str
    not_found: bool = False  # someone else's request: a 404, like a missing one


def _free_text(text: str, *, field: str, label: str, required: bool) -> str:
    """A typed reason or note: required ones need a few words; no ID, phone or card number
    (the text is shown to approvers and kept for years)."""
    text = (text or "").strip()
    if required and len(text) < 4:
        raise ValidationError({field: f"请填写{label}（至少4个字）"})
    if scrub(text) != text:
        raise ValidationError({field: f"{label}中请勿填写身份证号、电话或银行卡号"})
    return text[:300]


def request_filters(user: Any, filters: dict[str, str]) -> dict[str, str]:
    """The person-list filter a request may carry: only ``PersonFilter`` fields, no value that
    looks like an ID number or phone, and ``unit`` inside the requester's subtree (their whole
    subtree when none was chosen), so an approver sees exactly what will be exported."""
    scope = getattr(user, "scope_prefix", None)
    if not scope:
        raise PermissionDenied
    if set(filters) - FILTER_FIELDS:
        raise ValidationError(NUMBER_REFUSED)
    if any(looks_like_number(str(v)) for k, v in filters.items() if k != "unit"):
        raise ValidationError(NUMBER_REFUSED)
    unit = str(filters.get("unit", ""))
    clean = {k: str(v) for k, v in filters.items() if v and k != "unit"}
    clean["unit"] = unit if unit.isdigit() and unit.startswith(scope) else scope
    return clean


def export_request_create(*, actor: Actor, filters: dict[str, str], reason: str) -> ExportRequest:
    """完整导出申请: the current filter with a reason, pending a second person's approval."""
    clean = request_filters(actor.user, filters)
    reason = _free_text(reason, field="reason", label="申请事由", required=True)
    with transaction.atomic():
        grant = ExportRequest.objects.create(
            requester=actor.user, unit_code=actor.user.unit_code, filters=clean, reason=reason
        )
        audit.record(
            actor=actor.user,
            ip=actor.ip,
            action="person.export_request",
            object_type=REQUEST,
            object_id=grant.pk,
            summary=_summary(clean, True),
        )
    return grant


def _locked(user: Any, pk: int) -> ExportRequest:
    """The request, locked, if it lies in the user's subtree (404 otherwise)."""
    return get_visible_or_404(ExportRequest.objects.select_for_update(), user, pk=pk)


def _move(grant: ExportRequest, status: str, **values: Any) -> None:
    if status not in ALLOWED_TRANSITIONS.get(grant.status, ()):
        raise ValidationError("该申请当前状态不允许此操作")
    grant.status = status
    for name, value in values.items():
        setattr(grant, name, value)
    grant.save(update_fields=["status", *values])


def _refuse(actor: Actor, grant: ExportRequest, action: str, problem: Problem) -> NoReturn:
    """Audit a refused transition (outside the rolled-back work) and raise its error."""
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action=action,
        object_type=REQUEST,
        object_id=grant.pk,
        result=AuditEntry.Result.DENIED,
        summary=problem.code,
    )
    if problem.not_found:
        raise Http404("未找到该申请")
    raise ValidationError(problem.message)


def _decision_problem(user: Any, grant: ExportRequest, to: str) -> Problem | None:
    if not (user.has_perm(Perm.EXPORT_PERSON) and user.has_perm(Perm.UNMASK_PERSON)):
        return Problem("perm", "审批人须有导出人员名单和查看完整号码的权限")
    if grant.requester_id == user.pk:
        return Problem("self", "不能审批本人提交的申请，须由本单位或上级单位的其他人员审批")
    if to not in ALLOWED_TRANSITIONS.get(grant.status, ()):
        return Problem(f"status={grant.status}", f"该申请{grant.shown_status}，不能再审批")
    return None


def _decide(actor: Actor, pk: int, to: str, note: str) -> ExportRequest:
    """Approve or reject a pending request of someone else in the approver's subtree."""
    rejecting = to == ExportRequest.Status.REJECTED
    note = _free_text(
        note, field="note", label="驳回理由" if rejecting else "审批意见", required=rejecting
    )
    with transaction.atomic():
        grant = _locked(actor.user, pk)
        problem = _decision_problem(actor.user, grant, to)
        if problem is None:
            now = timezone.now()
            expires = None if rejecting else now + timedelta(hours=GRANT_HOURS)
            _move(grant, to, approver=actor.user, note=note, decided_at=now, expires_at=expires)
            audit.record(
                actor=actor.user,
                ip=actor.ip,
                action=DECISION_ACTIONS[to],
                object_type=REQUEST,
                object_id=grant.pk,
                summary=f"requester={grant.requester_id}",
            )
            return grant
    _refuse(actor, grant, DECISION_ACTIONS[to], problem)


def export_request_approve(*, actor: Actor, pk: int, note: str = "") -> ExportRequest:
    """批准: the requester may export once within ``GRANT_HOURS``."""
    return _decide(actor, pk, ExportRequest.Status.APPROVED, note)


def export_request_reject(*, actor: Actor, pk: int, note: str) -> ExportRequest:
    """驳回, with a reason the requester reads."""
    return _decide(actor, pk, ExportRequest.Status.REJECTED, note)


def _use_problem(user: Any, grant: ExportRequest) -> Problem | None:
    if grant.requester_id != user.pk:
        return Problem("owner", "未找到该申请", not_found=True)
    if grant.status == ExportRequest.Status.APPROVED and grant.is_overdue:
        until = timezone.localtime(grant.expires_at)
        return Problem("expired", f"该申请的批准已于 {until:%Y-%m-%d %H:%M} 过期，请重新申请")
    if grant.status != ExportRequest.Status.APPROVED:
        return Problem(
            f"status={grant.status}", USE_REFUSALS.get(grant.status, "该申请不能用于导出")
        )
    return None


def _claim(actor: Actor, pk: int) -> ExportRequest:
    """Mark the requester's approved request used (once, under a row lock), or refuse."""
    with transaction.atomic():
        grant = _locked(actor.user, pk)
        problem = _use_problem(actor.user, grant)
        if problem is None:
            _move(grant, ExportRequest.Status.USED, used_at=timezone.now())
            return grant
        if problem.code == "expired":
            _move(grant, ExportRequest.Status.EXPIRED)
    _refuse(actor, grant, "person.export_full", problem)


def _release(grant_id: int | None) -> None:
    """Give back a claim whose export produced no file, so the approval is not lost."""
    if grant_id is not None:
        rows = ExportRequest.objects.filter(pk=grant_id, status=ExportRequest.Status.USED)
        rows.update(status=ExportRequest.Status.APPROVED, used_at=None, job=None)


def export_full(*, actor: Actor, pk: int, today: date) -> tuple[BytesIO, int] | JobProgress:
    """Run the export of an approved 完整导出申请, once, with full numbers: the file now, or a
    background job past ``SYNC_LIMIT`` rows. Audited as ``person.export_full``."""
    grant = _claim(actor, pk)
    flt = selectors.PersonFilter(**grant.filters)
    try:
        if selectors.person_list(actor.user, flt, today=today).count() > SYNC_LIMIT:
            return export_start(actor=actor, flt=flt, today=today, grant=grant)
        return export_now(actor=actor, flt=flt, today=today, grant=grant)
    except Exception:
        _release(grant.pk)
        raise
