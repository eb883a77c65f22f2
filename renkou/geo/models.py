"""Administrative units keyed by the 12-digit statistical division code (domain.md §2.1, §10.2).

A unit's ``prefix`` is the significant part of its code (county 6, township 9, village 12
digits), so a subtree is one indexed ``prefix__startswith`` query and every person-data row that
carries a unit code is scoped by the same query (architecture.md "Units and scope").
"""

from datetime import date
from typing import Any, Self

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from renkou.geo.constants import PREFIX_LENGTH, Level
from renkou.geo.scope import ScopedQuerySet, UnitRowQuerySet


class UnitQuerySet(ScopedQuerySet["Unit"]):
    scope_field = "prefix"
    personal = False

    def current(self, on: date | None = None) -> Self:
        if on is None:
            return self.filter(valid_to__isnull=True)
        return self.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gt=on))

    def subtree(self, prefix: str) -> Self:
        return self.filter(prefix__startswith=prefix)


class Unit(models.Model):
    """A county, township or village. Renamed or re-coded units keep their old row with a
    ``valid_to`` date; the current row of a code is the one without ``valid_to``."""

    code = models.CharField("统计用区划代码", max_length=12)
    prefix = models.CharField("代码前缀", max_length=12, db_index=True)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    urban_rural = models.CharField("城乡分类代码", max_length=3, blank=True)
    valid_from = models.DateField("启用日期", default=date(2023, 6, 30))
    valid_to = models.DateField("停用日期", null=True, blank=True)
    source = models.CharField("来源", max_length=100, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="unit_current_code_uniq"
            )
        ]
        indexes = [models.Index(fields=["prefix", "valid_to"], name="unit_prefix_valid_idx")]
        verbose_name = "区划单位"
        verbose_name_plural = "区划单位"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.prefix = self.code[: PREFIX_LENGTH[self.level]]
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def ancestors(self) -> list["Unit"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class VillageGroup(models.Model):
    """村民小组: the 2-digit group below a village, the middle part of the household code."""

    village = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="groups")
    number = models.CharField("组号", max_length=2)
    name = models.CharField("组名", max_length=50)
    unit_code = models.CharField("村代码", max_length=12, db_index=True, editable=False)

    objects = UnitRowQuerySet.as_manager()

    class Meta:
        ordering = ["village__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="group_village_number_uniq")
        ]
        verbose_name = "村民小组"

    def __str__(self) -> str:
        return f"{self.village.name}{self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_code = self.village.code
        super().save(*args, **kwargs)


class ServicePoint(models.Model):
    """A point of the three-level service network (三级网络): the county family-planning
    service centre, a township service station or a village service room."""

    class Kind(models.TextChoices):
        COUNTY_CENTRE = "county_centre", "县计划生育服务中心"
        TOWNSHIP_STATION = "township_station", "乡镇计生服务站"
        VILLAGE_ROOM = "village_room", "村计生服务室"

    class Renovation(models.TextChoices):
        """站所标准化改造 (the seed speech: stations renovated by a date)."""

        NOT_PLANNED = "", "未登记"
        PLANNED = "planned", "待改造"
        IN_PROGRESS = "in_progress", "改造中"
        DONE = "done", "已完成改造"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="service_points")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    hours = models.CharField("开放时间", max_length=100, blank=True)
    renovation = models.CharField(
        "改造情况", max_length=12, choices=Renovation.choices, blank=True, default=""
    )
    renovated_on = models.DateField("改造完成日期", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)
    unit_code = models.CharField("单位代码", max_length=12, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["unit_code"])

    class Meta:
        ordering = ["unit__code", "kind"]
        verbose_name = "服务机构"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_code = self.unit.code
        super().save(*args, **kwargs)


class Equipment(models.Model):
    """A device of a service point (设备): its type, serial number, installation and status. A
    device works on a day from its installation until the day its status changed to broken or
    retired (``status_since``); one never installed works on no day."""

    class Kind(models.TextChoices):
        BLUE_OXYGEN = "blue_oxygen", "蓝氧治疗仪"
        ULTRASOUND = "ultrasound", "B超机"
        COLPOSCOPE = "colposcope", "阴道镜"
        GYN_BED = "gyn_bed", "妇科检查床"
        ANALYSER = "analyser", "生化分析仪"
        OTHER = "other", "其他设备"

    class Status(models.TextChoices):
        INSTALLED = "installed", "在用"
        NOT_INSTALLED = "not_installed", "未安装"
        BROKEN = "broken", "故障停用"
        RETIRED = "retired", "已报废"

    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="equipment", verbose_name="服务机构"
    )
    kind = models.CharField("设备类型", max_length=16, choices=Kind.choices)
    model_name = models.CharField("型号", max_length=60, blank=True)
    serial = models.CharField("出厂编号", max_length=60, blank=True)
    installed_on = models.DateField("安装日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    status_since = models.DateField("状态变更日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    unit_code = models.CharField("单位代码", max_length=12, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["unit_code"])

    class Meta:
        ordering = ["service_point_id", "kind", "id"]
        verbose_name = "设备"
        verbose_name_plural = "设备"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_code = self.service_point.unit_code
        super().save(*args, **kwargs)

    def works_on(self, day: date) -> bool:
        if self.installed_on is None or self.installed_on > day:
            return False
        if self.status == self.Status.INSTALLED:
            return True
        if self.status in (self.Status.BROKEN, self.Status.RETIRED):
            return self.status_since is not None and day < self.status_since
        return False


class Licence(models.Model):
    """A practice licence of a service point (计划生育技术服务执业许可证): number, the services it
    covers, who issued it and its validity."""

    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="licences", verbose_name="服务机构"
    )
    number = models.CharField("许可证号", max_length=40)
    scope = models.CharField("执业范围", max_length=200)
    issued_by = models.CharField("发证机关", max_length=60)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至")
    unit_code = models.CharField("单位代码", max_length=12, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["unit_code"])

    class Meta:
        ordering = ["service_point_id", "-valid_until", "id"]
        verbose_name = "执业许可证"
        verbose_name_plural = "执业许可证"

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_code = self.service_point.unit_code
        super().save(*args, **kwargs)

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until
