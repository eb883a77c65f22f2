"""Writes of the reports app: yearly targets (one audited transaction each)."""

from django.db import transaction

from renkou.common import audit
from renkou.common.actors import Actor
from renkou.geo.constants import Level, county_of
from renkou.geo.models import Unit
from renkou.reports.models import Target


def _summary(target: Target) -> str:
    return (
        f"unit={target.unit_code} year={target.year} indicator={target.indicator} "
        f"direction={target.direction} value={target.value}"
    )


@transaction.atomic
def target_save(*, actor: Actor, target: Target) -> Target:
    """Create or change a target (county officers); audited with codes and numbers only. A
    target set by hand is no longer the county's copy."""
    created = target.pk is None
    target.set_by, target.copied_from = actor.user, None
    target.save()
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        object_type="reports.target",
        action="target.create" if created else "target.update",
        object_id=target.pk,
        summary=_summary(target),
    )
    return target


@transaction.atomic
def target_copy(*, actor: Actor, target: Target) -> int:
    """Copy a county target to every current township of the county (created or updated,
    marked ``copied_from``). Returns how many townships got it."""
    townships = Unit.objects.current().filter(
        level=Level.TOWNSHIP, prefix__startswith=county_of(target.unit_code)
    )
    count = 0
    for township in townships:
        Target.objects.update_or_create(
            unit_code=township.code,
            year=target.year,
            indicator=target.indicator,
            defaults={
                "direction": target.direction,
                "value": target.value,
                "copied_from": target,
                "set_by": actor.user,
            },
        )
        count += 1
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="target.copy",
        object_id=target.pk,
        object_type="reports.target",
        summary=_summary(target),
        row_count=count,
    )
    return count


@transaction.atomic
def target_delete_one(*, actor: Actor, target: Target) -> None:
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="target.delete",
        object_id=target.pk,
        object_type="reports.target",
        summary=_summary(target),
    )
    target.delete()
