"""Writes of the task quotas (任务指标): set, copy to every township, delete. County officers only
(``assessment.manage_quota``, checked by the views); every write leaves an audit row and a
history row in the same transaction."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from renkou.assessment import measures as M
from renkou.assessment.models import TaskQuota
from renkou.common import audit
from renkou.common.actors import Actor
from renkou.geo.constants import Level
from renkou.geo.models import ServicePoint, Unit

MAX_PERCENT = Decimal(100)


def _user(actor: Actor) -> Any:
    """The account, or None for a command."""
    user = actor.user
    return user if getattr(user, "is_authenticated", False) else None


def _record(actor: Actor, action: str, quota: TaskQuota, summary: str) -> None:
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action=f"assessment.{action}",
        object_type="assessment.taskquota",
        object_id=quota.pk or "",
        summary=summary,
    )


def _check(unit: Unit, year: int, measure: str, target: Decimal, deadline: date) -> None:
    if unit.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise ValidationError("任务指标下达到县或乡镇")
    if measure not in M.QUOTA_MEASURES:
        raise ValidationError({"measure": "该项目不能作为任务指标"})
    span = M.period(year)
    if not span.start <= deadline:
        raise ValidationError({"deadline": f"完成期限应在{span.start:%Y-%m-%d}之后"})
    if target <= 0:
        raise ValidationError({"target": "目标值应大于0"})
    if M.MEASURES[measure].is_rate and target > MAX_PERCENT:
        raise ValidationError({"target": "比例目标不能超过100%"})
    if not M.MEASURES[measure].is_rate and target != target.to_integral():
        raise ValidationError({"target": "人次目标应为整数"})


@transaction.atomic
def quota_set(
    *,
    actor: Actor,
    unit: Unit,
    year: int,
    measure: str,
    target: Decimal,
    deadline: date,
    veto: bool,
    service_points: Iterable[ServicePoint] = (),
    note: str = "",
) -> TaskQuota:
    """Set (create or change) one unit's quota of a measure for an FP year. Service points
    count only toward count quotas (treatments given there, whatever the woman's unit)."""
    _check(unit, year, measure, target, deadline)
    points = list(service_points)
    if points and M.MEASURES[measure].is_rate:
        raise ValidationError({"service_points": "比例指标不按服务机构计数"})
    quota = (
        TaskQuota.objects.select_for_update()
        .filter(unit_code=unit.code, year=year, measure=measure)
        .first()
    )
    created = quota is None
    quota = quota or TaskQuota(unit_code=unit.code, year=year, measure=measure)
    quota.target, quota.deadline, quota.veto = target, deadline, veto
    quota.note, quota.updated_by = note.strip(), _user(actor)
    quota.save()
    quota.service_points.set(points)
    summary = (
        f"unit={unit.code} year={year} measure={measure} target={target} "
        f"deadline={deadline} veto={int(veto)} points={[p.pk for p in points]}"
    )
    _record(actor, "quota_create" if created else "quota_change", quota, summary)
    return quota


@transaction.atomic
def quota_copy_to_townships(*, actor: Actor, quota: TaskQuota) -> list[TaskQuota]:
    """Copy a quota (target, deadline, veto; not its service points) to every current
    township of its county that has no quota of that measure and year yet; returns the
    copies."""
    county = quota.unit_code[:6]
    taken = set(
        TaskQuota.objects.filter(
            year=quota.year, measure=quota.measure, unit_code__startswith=county
        ).values_list("unit_code", flat=True)
    )
    townships = Unit.objects.current().filter(level=Level.TOWNSHIP, code__startswith=county)
    made = []
    for township in townships.exclude(code__in=taken).order_by("code"):
        made.append(
            quota_set(
                actor=actor,
                unit=township,
                year=quota.year,
                measure=quota.measure,
                target=quota.target,
                deadline=quota.deadline,
                veto=quota.veto,
                note=quota.note,
            )
        )
    return made


@transaction.atomic
def quota_delete(*, actor: Actor, quota: TaskQuota) -> None:
    summary = f"unit={quota.unit_code} year={quota.year} measure={quota.measure}"
    _record(actor, "quota_delete", quota, summary)
    quota.delete()
