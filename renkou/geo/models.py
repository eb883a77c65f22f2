"""Administrative units keyed by the 12-digit statistical division code (domain.md §2.1, §10.2).

A unit's ``prefix`` is the significant part of its code (county 6, township 9, village 12
digits), so a subtree is one indexed ``prefix__startswith`` query and every person-data row that
carries a unit code is scoped by the same query (architecture.md "Units and scope").
"""

from datetime import date
from typing import Any, Self

from django.db import models
from django.db.models import Q

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

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="service_points")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    is_active = models.BooleanField("启用", default=True)
    unit_code = models.CharField("单位代码", max_length=12, db_index=True, editable=False)

    objects = UnitRowQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code", "kind"]
        verbose_name = "服务机构"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_code = self.unit.code
        super().save(*args, **kwargs)
