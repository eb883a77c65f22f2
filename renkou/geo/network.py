"""Writes and reads of the service network's details (issue 17 item 3): a service point's opening
hours and renovation, its devices (the 蓝氧 device installed, not yet, broken) and its practice
licences. Each write checks its values (a clear Chinese message per field, nothing saved on an
error), holds an optimistic lock on ``version`` (a stale or missing one → ``ConflictError``)
and is audited with history.

``working_device(point, kind, on)`` is what a service record asks before it is saved: the
reproductive-health module refuses a 蓝氧 treatment at a point with no device of that type
working on the treatment day.
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from renkou.common import audit, dates
from renkou.common.actors import Actor, check_version
from renkou.geo.models import Equipment, Licence, ServicePoint

# A licence is shown as expiring this many days before its end.
EXPIRING = timedelta(days=60)
POINT_FIELDS = ("address", "phone", "hours", "renovation", "renovated_on")
EQUIPMENT_FIELDS = (
    "kind",
    "model_name",
    "serial",
    "installed_on",
    "status",
    "status_since",
    "note",
)
LICENCE_FIELDS = ("number", "scope", "issued_by", "valid_from", "valid_until")


def _locked[M: (ServicePoint, Equipment, Licence)](
    model: type[M], row: M, version: int | None
) -> M:
    current: M = model._default_manager.select_for_update().get(pk=row.pk)
    check_version(current.version, version, str(model._meta.verbose_name))
    return current


def _save[M: (ServicePoint, Equipment, Licence)](
    actor: Actor, action: str, row: M, changed: list[str]
) -> M:
    row.version += 1
    row.save()
    audit.record_for(actor, action, row, summary=",".join(changed))
    return row


def _apply(row: Any, fields: tuple[str, ...], values: dict[str, Any]) -> list[str]:
    changed = [f for f in fields if f in values and getattr(row, f) != values[f]]
    for name in changed:
        setattr(row, name, values[name])
    return changed


# --- the point -------------------------------------------------------------------------------


def _check_point(values: dict[str, Any], today: date) -> None:
    errors: dict[str, str] = {}
    done = values.get("renovation") == ServicePoint.Renovation.DONE
    when = values.get("renovated_on")
    if done and when is None:
        errors["renovated_on"] = "已完成改造的，请填写改造完成日期"
    if when is not None and not done:
        errors["renovated_on"] = "尚未完成改造的，不填改造完成日期"
    if when is not None and when > today:
        errors["renovated_on"] = "改造完成日期不能晚于今天"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def point_update(
    *, actor: Actor, point: ServicePoint, values: dict[str, Any], version: int | None
) -> ServicePoint:
    """A point's address, phone, opening hours and renovation."""
    row = _locked(ServicePoint, point, version)
    merged = {**{f: getattr(row, f) for f in POINT_FIELDS}, **values}
    _check_point(merged, dates.today())
    changed = _apply(row, POINT_FIELDS, merged)
    if not changed:
        return row
    return _save(actor, "network.point_update", row, changed)


# --- devices ---------------------------------------------------------------------------------


def _check_equipment(values: dict[str, Any], today: date) -> None:
    errors: dict[str, str] = {}
    status, installed, since = values["status"], values["installed_on"], values["status_since"]
    if values["kind"] not in Equipment.Kind.values:
        errors["kind"] = "请选择设备类型"
    if status not in Equipment.Status.values:
        errors["status"] = "请选择设备状态"
    if status == Equipment.Status.NOT_INSTALLED:
        if installed is not None:
            errors["installed_on"] = "未安装的设备不填安装日期"
    elif installed is None:
        errors["installed_on"] = "已安装的设备请填写安装日期"
    elif installed > today:
        errors["installed_on"] = "安装日期不能晚于今天"
    if status in (Equipment.Status.BROKEN, Equipment.Status.RETIRED):
        if since is None:
            errors["status_since"] = "故障或报废的设备请填写状态变更日期"
        elif installed is not None and since < installed:
            errors["status_since"] = "状态变更日期不能早于安装日期"
        elif since > today:
            errors["status_since"] = "状态变更日期不能晚于今天"
    elif since is not None:
        errors["status_since"] = "在用或未安装的设备不填状态变更日期"
    if status != Equipment.Status.NOT_INSTALLED and not values["serial"].strip():
        errors["serial"] = "已安装的设备请填写出厂编号"
    if errors:
        raise ValidationError(errors)


def _equipment_values(values: dict[str, Any]) -> dict[str, Any]:
    clean = {f: values.get(f) for f in EQUIPMENT_FIELDS}
    for name in ("model_name", "serial", "note"):
        clean[name] = (clean[name] or "").strip()
    return clean


@transaction.atomic
def equipment_add(*, actor: Actor, point: ServicePoint, values: dict[str, Any]) -> Equipment:
    clean = _equipment_values(values)
    _check_equipment(clean, dates.today())
    row = Equipment.objects.create(service_point=point, **clean)
    audit.record_for(actor, "network.equipment_add", row, summary=clean["status"])
    return row


@transaction.atomic
def equipment_update(
    *, actor: Actor, equipment: Equipment, values: dict[str, Any], version: int | None
) -> Equipment:
    """A device's details or its status (installed, broken on a day, retired)."""
    row = _locked(Equipment, equipment, version)
    clean = _equipment_values({**{f: getattr(row, f) for f in EQUIPMENT_FIELDS}, **values})
    _check_equipment(clean, dates.today())
    changed = _apply(row, EQUIPMENT_FIELDS, clean)
    if not changed:
        return row
    return _save(actor, "network.equipment_update", row, changed)


def working_device(point_id: int, kind: str, on: date) -> bool:
    """Whether the point has a device of ``kind`` working on the day ``on``."""
    rows = Equipment.objects.filter(service_point_id=point_id, kind=kind)
    return any(device.works_on(on) for device in rows)


# --- licences --------------------------------------------------------------------------------


def _check_licence(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for name, label in (("number", "许可证号"), ("scope", "执业范围"), ("issued_by", "发证机关")):
        if not values[name]:
            errors[name] = f"请填写{label}"
    start, end = values["valid_from"], values["valid_until"]
    if start is None:
        errors["valid_from"] = "请填写有效期起"
    if end is None:
        errors["valid_until"] = "请填写有效期至"
    elif start is not None and end <= start:
        errors["valid_until"] = "有效期至应晚于有效期起"
    if errors:
        raise ValidationError(errors)


def _licence_values(values: dict[str, Any]) -> dict[str, Any]:
    clean = {f: values.get(f) for f in LICENCE_FIELDS}
    for name in ("number", "scope", "issued_by"):
        clean[name] = (clean[name] or "").strip()
    return clean


@transaction.atomic
def licence_add(*, actor: Actor, point: ServicePoint, values: dict[str, Any]) -> Licence:
    clean = _licence_values(values)
    _check_licence(clean)
    row = Licence.objects.create(service_point=point, **clean)
    audit.record_for(actor, "network.licence_add", row, summary=str(clean["valid_until"]))
    return row


@transaction.atomic
def licence_update(
    *, actor: Actor, licence: Licence, values: dict[str, Any], version: int | None
) -> Licence:
    """A licence's details, e.g. its renewal (a new validity)."""
    row = _locked(Licence, licence, version)
    clean = _licence_values({**{f: getattr(row, f) for f in LICENCE_FIELDS}, **values})
    _check_licence(clean)
    changed = _apply(row, LICENCE_FIELDS, clean)
    if not changed:
        return row
    return _save(actor, "network.licence_update", row, changed)


def licence_state(licence: Licence | None, on: date) -> tuple[str, str]:
    """(label, Bootstrap colour) of a point's licence on a day: none, valid, expiring, lapsed."""
    if licence is None:
        return "无执业许可证", "secondary"
    if on > licence.valid_until:
        return f"已过期（{licence.valid_until:%Y-%m-%d}）", "danger"
    if on < licence.valid_from:
        return f"未生效（{licence.valid_from:%Y-%m-%d}起）", "warning"
    if licence.valid_until - on <= EXPIRING:
        return f"即将到期（{licence.valid_until:%Y-%m-%d}）", "warning"
    return f"有效至{licence.valid_until:%Y-%m-%d}", "success"


def device_state(devices: list[Equipment], kind: str, on: date) -> tuple[str, str]:
    """(label, colour) of a point's devices of ``kind`` on a day: working, broken, not
    installed, none recorded."""
    found = [d for d in devices if d.kind == kind]
    if any(d.works_on(on) for d in found):
        return "在用", "success"
    if any(d.status == Equipment.Status.BROKEN for d in found):
        return "故障停用", "danger"
    if any(d.status == Equipment.Status.NOT_INSTALLED for d in found):
        return "未安装", "warning"
    return ("已报废", "secondary") if found else ("未配备", "secondary")
