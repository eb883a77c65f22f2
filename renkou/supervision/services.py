"""Writes of the dated tasks (重点工作), one service per workflow transition (house style rule 8).

Each transition locks the assignment row, checks the move against ``ALLOWED_TRANSITIONS``, the
actor's scope (the unit must lie in the actor's subtree) and permission (a township reports,
the county confirms or returns), saves, writes a ``StepLog`` row and an audit row in the same
transaction, and refreshes the unit's reminders on the to-do lists once committed. Bad input
raises ``ValidationError`` with a Chinese message and changes nothing.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from renkou.accounts.constants import Perm
from renkou.benefits import documents
from renkou.common import audit, dates
from renkou.common.actors import Actor, require, require_in_scope
from renkou.common.periods import fp_year_of
from renkou.geo.constants import Level, county_of
from renkou.geo.models import Unit
from renkou.supervision import reminders
from renkou.supervision.constants import ALLOWED_TRANSITIONS, Action, EvidenceKind, Status
from renkou.supervision.models import Assignment, Evidence, StepLog, Task
from renkou.supervision.selectors import Evidenced, evidenced

WRONG_STATE = "当前状态为“{status}”，不能{action}"
MAX_REQUIRED = 1000


# --- tasks -----------------------------------------------------------------------------------


def _check_task(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not str(values.get("title", "")).strip():
        errors["title"] = "请填写工作内容"
    issued, deadline = values.get("issued_on"), values.get("deadline")
    if issued is None:
        errors["issued_on"] = "请填写下达日期"
    if deadline is None:
        errors["deadline"] = "请填写完成时限"
    elif issued is not None and deadline < issued:
        errors["deadline"] = "完成时限不能早于下达日期"
    for name in ("photos_required", "documents_required", "count_required"):
        number = values.get(name) or 0
        if not 0 <= number <= MAX_REQUIRED:
            errors[name] = f"应在0到{MAX_REQUIRED}之间"
    if (values.get("count_required") or 0) and not str(values.get("count_label", "")).strip():
        errors["count_label"] = "要求完成数量时，请写明数量名称（如：建成文化大院）"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def task_create(
    *,
    actor: Actor,
    county_code: str,
    units: Sequence[str],
    title: str,
    issued_on: date,
    deadline: date,
    description: str = "",
    photos_required: int = 0,
    documents_required: int = 0,
    count_required: int = 0,
    count_label: str = "",
) -> Task:
    """A dated task given to ``units`` (townships of the county, 12-digit codes)."""
    require(actor, Perm.MANAGE_TASK)
    values = {
        "title": title.strip(),
        "issued_on": issued_on,
        "deadline": deadline,
        "description": description.strip(),
        "photos_required": photos_required,
        "documents_required": documents_required,
        "count_required": count_required,
        "count_label": count_label.strip(),
    }
    _check_task(values)
    county = county_of(county_code)
    codes = sorted(set(units))
    found = set(
        Unit.objects.filter(
            code__in=codes, level=Level.TOWNSHIP, code__startswith=county
        ).values_list("code", flat=True)
    )
    if not codes:
        raise ValidationError({"units": "请至少选择一个责任单位"})
    if found != set(codes):
        raise ValidationError({"units": "责任单位应为本县的乡镇"})
    for code in codes:
        require_in_scope(actor, code)
    task = Task.objects.create(
        county_code=county, year=fp_year_of(deadline), created_by=actor.account, **values
    )
    Assignment.objects.bulk_create(Assignment(task=task, unit_code=code) for code in codes)
    audit.record_for(actor, "supervision.task_create", task, summary=f"units={len(codes)}")
    for code in codes:
        reminders.refresh_later(code)
    return task


# --- a unit's part ---------------------------------------------------------------------------


def _locked(assignment: Assignment) -> Assignment:
    return Assignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)


def _held(row: Assignment) -> Evidenced:
    counts = Evidence.objects.filter(assignment=row).aggregate(
        photos=Count("pk", filter=Q(kind=EvidenceKind.PHOTO)),
        documents=Count("pk", filter=Q(kind=EvidenceKind.DOCUMENT)),
    )
    return evidenced(row, counts["photos"], counts["documents"])


def _editable(row: Assignment) -> None:
    if row.status != Status.OPEN:
        raise ValidationError(f"当前状态为“{row.get_status_display()}”，不能再修改佐证和数量")


@transaction.atomic
def responsible_set(*, actor: Actor, assignment: Assignment, user: Any) -> Assignment:
    """Name the responsible person: an active account of the unit's subtree."""
    row = _locked(assignment)
    require_in_scope(actor, row.unit_code)
    if not (actor.user is None or actor.user.has_perm(Perm.REPORT_TASK)):
        require(actor, Perm.MANAGE_TASK)
    if user is not None and (
        not user.is_active or not user.unit_code.startswith(row.unit_code[:9])
    ):
        raise ValidationError({"responsible": "责任人应为本乡镇的在用账号"})
    row.responsible = user
    row.version += 1
    row.save(update_fields=["responsible", "version", "updated_at"])
    audit.record_for(
        actor, "supervision.responsible_set", row, summary=f"user={getattr(user, 'pk', '')}"
    )
    return row


@transaction.atomic
def evidence_add(
    *, actor: Actor, assignment: Assignment, kind: str, upload: Any, note: str = ""
) -> Evidence:
    """One photo or document, under the benefit documents' upload rules."""
    require(actor, Perm.REPORT_TASK)
    row = _locked(assignment)
    require_in_scope(actor, row.unit_code)
    _editable(row)
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": "请选择材料类型"})
    relative, ext, digest, size = documents.store(upload)
    evidence = Evidence.objects.create(
        assignment=row,
        unit_code=row.unit_code,
        kind=kind,
        note=note.strip()[:100],
        stored=relative,
        ext=ext,
        size=size,
        sha256=digest,
        uploaded_by=actor.account,
    )
    audit.record_for(
        actor, "supervision.evidence_add", evidence, summary=f"assignment={row.pk} {kind} {ext}"
    )
    reminders.refresh_later(row.unit_code)
    return evidence


@transaction.atomic
def count_record(*, actor: Actor, assignment: Assignment, count: int) -> Assignment:
    """The count done so far (culture yards built)."""
    require(actor, Perm.REPORT_TASK)
    row = _locked(assignment)
    require_in_scope(actor, row.unit_code)
    _editable(row)
    if not 0 <= count <= 100000:
        raise ValidationError({"count": "完成数量应在0到100000之间"})
    before = row.count_done
    row.count_done = count
    row.version += 1
    row.save(update_fields=["count_done", "version", "updated_at"])
    audit.record_for(actor, "supervision.count_record", row, summary=f"{before}->{count}")
    return row


def _transition(
    actor: Actor, row: Assignment, action: str, *, comment: str = "", fields: tuple[str, ...] = ()
) -> Assignment:
    sources, target = ALLOWED_TRANSITIONS[action]
    if row.status not in sources:
        raise ValidationError(
            WRONG_STATE.format(status=row.get_status_display(), action=Action(action).label)
        )
    require_in_scope(actor, row.unit_code)
    before = row.status
    row.status = target
    row.version += 1
    row.save(update_fields=["status", "version", "updated_at", *fields])
    StepLog.objects.create(
        assignment=row,
        action=action,
        from_status=before,
        to_status=target,
        comment=comment[:300],
        actor=actor.account,
    )
    audit.record_for(actor, f"supervision.assignment_{action}", row, summary=f"{before}->{target}")
    reminders.refresh_later(row.unit_code)
    return row


@transaction.atomic
def submit(*, actor: Actor, assignment: Assignment, comment: str = "") -> Assignment:
    """The township reports its part done: every required photo, document and count present."""
    require(actor, Perm.REPORT_TASK)
    row = _locked(assignment)
    require_in_scope(actor, row.unit_code)
    held = _held(row)
    if row.status == Status.OPEN and not held.complete:
        raise ValidationError(
            "佐证材料不全，不能报告完成：" + "，".join(held.missing(row.task.count_label))
        )
    row.submitted_on = dates.today()
    return _transition(actor, row, Action.SUBMIT, comment=comment, fields=("submitted_on",))


@transaction.atomic
def confirm(*, actor: Actor, assignment: Assignment, comment: str = "") -> Assignment:
    """The county confirms the part done (县局确认完成)."""
    require(actor, Perm.MANAGE_TASK)
    row = _locked(assignment)
    row.confirmed_on, row.confirmed_by = dates.today(), actor.account
    return _transition(
        actor, row, Action.CONFIRM, comment=comment, fields=("confirmed_on", "confirmed_by")
    )


@transaction.atomic
def return_(*, actor: Actor, assignment: Assignment, comment: str) -> Assignment:
    """The county sends the report back with the reason (补充佐证); its reminders open again."""
    require(actor, Perm.MANAGE_TASK)
    if not comment.strip():
        raise ValidationError({"comment": "请填写退回原因"})
    row = _locked(assignment)
    row.submitted_on = None
    return _transition(actor, row, Action.RETURN, comment=comment, fields=("submitted_on",))
