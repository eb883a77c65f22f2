"""Writes of the administrators' pages: dictionaries, unlocks, exports, downloads (account
changes: ``renkou.accounts.approvals``).

Each function is keyword-only with an explicit ``actor`` and writes its audit row in the same
transaction as the change. Audit rows carry ids, codes and counts only.
"""

from pathlib import Path
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from renkou.common import audit, dicts, jobs
from renkou.common.actors import Actor
from renkou.common.models import DictItem, DictType, JobProgress
from renkou.system import selectors
from renkou.system.tasks import export_audit, verify_audit_chain

_TYPE_FIELDS = ("name", "source", "is_active", "remark")
_ITEM_FIELDS = ("label", "sort", "tag", "is_default", "is_active", "remark", "aliases")


def _apply(obj: Any, values: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    changed = []
    for name in names:
        if name in values and getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed.append(name)
    return changed


@transaction.atomic
def dict_type_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    source: str = "",
    is_active: bool = True,
    remark: str = "",
) -> DictType:
    dict_type = DictType.objects.create(
        code=code, name=name, source=source, is_active=is_active, remark=remark
    )
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="dict.type_create",
        object_type="common.dicttype",
        object_id=dict_type.pk,
        summary=f"code={code}",
    )
    dicts.invalidate(code)
    return dict_type


@transaction.atomic
def dict_type_update(*, actor: Actor, dict_type: DictType, **values: Any) -> DictType:
    """Change name, source, status or remark; the code is the key other tables use, so fixed."""
    changed = _apply(dict_type, values, _TYPE_FIELDS)
    if changed:
        dict_type.save(update_fields=changed)
        audit.record(
            actor=actor.user,
            ip=actor.ip,
            action="dict.type_update",
            object_type="common.dicttype",
            object_id=dict_type.pk,
            summary=f"code={dict_type.code} changed={','.join(changed)}",
        )
        dicts.invalidate(dict_type.code)
    return dict_type


def _single_default(item: DictItem) -> None:
    """One default per type: marking an item default clears the flag on the others."""
    if item.is_default:
        DictItem.objects.filter(dict_type_id=item.dict_type_id, is_default=True).exclude(
            pk=item.pk
        ).update(is_default=False)


@transaction.atomic
def dict_item_create(
    *,
    actor: Actor,
    dict_type: DictType,
    value: str,
    label: str,
    sort: int = 0,
    tag: str = DictItem.Tag.DEFAULT,
    is_default: bool = False,
    is_active: bool = True,
    remark: str = "",
    aliases: list[str] | None = None,
) -> DictItem:
    item = DictItem(
        dict_type=dict_type,
        value=value,
        label=label,
        sort=sort,
        tag=tag,
        is_default=is_default,
        is_active=is_active,
        remark=remark,
        aliases=list(aliases or []),
    )
    _check_aliases(item)
    item.save()
    _single_default(item)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="dict.item_create",
        object_type="common.dictitem",
        object_id=item.pk,
        summary=f"type={dict_type.code} value={value}",
    )
    dicts.invalidate(dict_type.code)
    return item


@transaction.atomic
def dict_item_update(*, actor: Actor, item: DictItem, **values: Any) -> DictItem:
    """Change an item's label, aliases, order, colour, default flag, status or remark (not
    its value)."""
    before = list(item.aliases)
    changed = _apply(item, values, _ITEM_FIELDS)
    if changed:
        _check_aliases(item)
        _history_baseline(item.pk)
        if item.aliases != before and "aliases" not in changed:
            changed.append("aliases")
        item.save(update_fields=changed)
        _single_default(item)
        action = "dict.item_update"
        if changed == ["is_active"]:
            action = "dict.item_enable" if item.is_active else "dict.item_disable"
        audit.record(
            actor=actor.user,
            ip=actor.ip,
            action=action,
            object_type="common.dictitem",
            object_id=item.pk,
            summary=f"type={item.dict_type.code} value={item.value} changed={','.join(changed)}",
        )
        dicts.invalidate(item.dict_type.code)
    return item


BASELINE = selectors.BASELINE


def _history_baseline(pk: int) -> None:
    """An item seeded by a migration has no version yet: keep its stored values as the first
    one, so the history shows what the first change replaced."""
    history = DictItem.history  # type: ignore[attr-defined]  # added by simple_history
    if history.filter(id=pk).exists():
        return
    stored = DictItem.objects.get(pk=pk)
    fields = {f.attname: getattr(stored, f.attname) for f in history.model.tracked_fields}
    history.model.objects.create(
        history_date=timezone.now(),
        history_user=None,
        history_change_reason=BASELINE,
        history_type="+",
        **fields,
    )


def _check_aliases(item: DictItem) -> None:
    """An alias must name one item only (``selectors.alias_clashes``), so an import can map
    it; the label must not be another item's alias either. An alias equal to the item's own
    value or label says nothing and is dropped."""
    item.aliases = [a for a in item.aliases if a not in (item.value, item.label)]
    clashes = selectors.alias_clashes(item.dict_type, item.aliases, item if item.pk else None)
    taken = DictItem.objects.filter(dict_type=item.dict_type).exclude(pk=item.pk)
    if any(item.label in known for known in taken.values_list("aliases", flat=True)):
        clashes.append(f"标签“{item.label}”已是其他项的别名")
    if clashes:
        raise ValidationError({"aliases": "；".join(clashes)})


def dict_item_set_active(*, actor: Actor, item: DictItem, active: bool) -> DictItem:
    return dict_item_update(actor=actor, item=item, is_active=active)


@transaction.atomic
def account_unlock(*, actor: Actor, username: str, user_id: int | None = None) -> int:
    """Clear django-axes' failure records of a user name (解锁); returns the records removed."""
    removed = axes_reset(username=username)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="account.unlock",
        object_type="accounts.user",
        object_id=user_id or "",
        row_count=removed,
    )
    return removed


def audit_export_start(*, actor: Actor, filters: dict[str, str]) -> JobProgress:
    """Queue the audit-log export for the worker; the task writes the file and its audit row.

    The task is enqueued after commit, so a database worker always finds the progress row.
    """
    return jobs.start(
        task=export_audit,
        kind="audit_export",
        title="审计日志导出",
        owner=actor.user,
        unit_code=actor.user.unit_code,
        owner_id=actor.user.pk,
        filters=filters,
        ip=actor.ip,
    )


VERIFY_KIND = "audit_verify"


def audit_verify_start(*, actor: Actor) -> JobProgress:
    """Queue a walk of the audit hash chain (the 校验 button); the task keeps its verdict on the
    job row and writes the ``audit.verify`` row."""
    job = JobProgress.objects.create(
        kind=VERIFY_KIND,
        title="审计日志校验",
        owner_id=actor.user.pk,
        unit_code=actor.user.unit_code,
    )

    def enqueue() -> None:
        result = verify_audit_chain.enqueue(owner_id=actor.user.pk, job_id=job.pk, ip=actor.ip)
        JobProgress.objects.filter(pk=job.pk).update(task_id=result.id[:64])

    transaction.on_commit(enqueue)
    return job


def job_file(job: JobProgress) -> Path:
    """The job's result file, which must lie under MEDIA_ROOT and exist (else 404)."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / job.result_file).resolve()
    if not job.result_file or not path.is_relative_to(root) or not path.is_file():
        raise Http404("文件不存在或已清理")
    return path


def job_download(*, actor: Actor, pk: int) -> tuple[JobProgress, Path]:
    """Record the download of the actor's own finished job file and return the job and path.

    Another account's job is a 404 like a missing one (jobs are private to their owner); the
    attempt is audited as a denial, as ``get_visible_or_404`` does for out-of-scope rows.
    """
    job = selectors.jobs(actor.user).filter(pk=pk, status=JobProgress.Status.DONE).first()
    if job is None:
        if JobProgress.objects.exclude(owner_id=actor.user.pk).filter(pk=pk).exists():
            audit.record(
                actor=actor.user,
                ip=actor.ip,
                action="authz.denied",
                object_type="common.jobprogress",
                object_id=pk,
                result="denied",
                summary="非本人任务",
            )
        raise Http404("未找到该任务")
    path = job_file(job)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="job.download",
        object_type="common.jobprogress",
        object_id=job.pk,
        summary=f"kind={job.kind}",
    )
    return job, path
