"""Submitting tables (上报) and returning them (退回), domain.md §4 "online direct reporting".

A township (or the county) submits its own table for a period that has ended: the cell values
are frozen into a new ``TableSubmission`` version, which stays locked (no new version) until the
county returns it with a reason. Only the latest version can be returned. Each write is audited
with codes only (table, unit, period, scope, version), never the reason text.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from renkou.common import audit
from renkou.common.actors import Actor
from renkou.common.periods import Period
from renkou.events.constants import SCOPE_NAME
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.reports.models import TableSubmission
from renkou.reports.tables import engine

Status = TableSubmission.Status
ALLOWED_TRANSITIONS = {Status.SUBMITTED: frozenset({Status.RETURNED})}
SUBMITTING_LEVELS = (Level.COUNTY, Level.TOWNSHIP)


def _key(table: str, unit_code: str, period: str, scope: str) -> dict[str, str]:
    return {"table": table, "unit_code": unit_code, "period": period, "scope": scope}


def latest(*, table: str, unit_code: str, period: str, scope: str) -> TableSubmission | None:
    return (
        TableSubmission.objects.filter(**_key(table, unit_code, period, scope))
        .order_by("-version")
        .first()
    )


def _summary(row: TableSubmission) -> str:
    return (
        f"table={row.table};unit={row.unit_code};period={row.period};"
        f"scope={SCOPE_NAME.get(row.scope, row.scope)};version={row.version}"
    )


@transaction.atomic
def table_submission_submit(
    *,
    actor: Actor,
    table: engine.Table,
    unit: Unit,
    period: Period,
    scope: str,
    reviewer: str = "",
    today: date | None = None,
) -> TableSubmission:
    """Freeze the table of ``unit`` for ``period`` as its next version and lock it."""
    today = today or timezone.localdate()
    if unit.level not in SUBMITTING_LEVELS:
        raise ValidationError("只有乡镇和县级单位上报统计报表")
    if period.end >= today:
        raise ValidationError(f"{period.label}尚未结束，期末之后才能上报")
    key = _key(table.code, unit.code, period.code, scope)
    previous = list(TableSubmission.objects.select_for_update().filter(**key).order_by("pk"))
    last = max(previous, key=lambda r: r.version, default=None)
    if last is not None and last.status == Status.SUBMITTED:
        raise ValidationError(
            f"本期报表已上报并锁定（第{last.version}版），如需修改，请县级退回后重新上报"
        )
    result = engine.compute(table, unit=unit, period=period, scope=scope)
    try:
        with transaction.atomic():
            row = TableSubmission.objects.create(
                **key,
                version=(last.version + 1) if last else 1,
                cells=engine.freeze(result),
                submitted_by=actor.user,
                submitted_at=timezone.now(),
                reviewer=reviewer.strip()[:50],
            )
    except IntegrityError as exc:  # two first submissions at once: the other one won
        raise ValidationError("该报表刚刚已由他人上报，请刷新后查看") from exc
    audit.record_for(actor, "report.submit", row, summary=_summary(row))
    return row


@transaction.atomic
def table_submission_return(
    *, actor: Actor, submission: TableSubmission, reason: str
) -> TableSubmission:
    """The county returns (退回) the latest submitted version, which unlocks re-submission."""
    user = actor.user
    if getattr(getattr(user, "unit", None), "level", None) != Level.COUNTY:
        raise PermissionDenied("只有县级可以退回报表")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回原因"})
    row = TableSubmission.objects.select_for_update().get(pk=submission.pk)
    newer = TableSubmission.objects.filter(
        **_key(row.table, row.unit_code, row.period, row.scope), version__gt=row.version
    )
    if newer.exists():
        raise ValidationError("只能退回最新上报的版本")
    if Status.RETURNED not in ALLOWED_TRANSITIONS.get(row.status, ()):
        raise ValidationError("该版本已退回")
    row.status, row.returned_reason = Status.RETURNED, reason[:200]
    row.save(update_fields=["status", "returned_reason"])
    audit.record_for(actor, "report.return", row, summary=_summary(row))
    return row
