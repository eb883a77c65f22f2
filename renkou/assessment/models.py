"""Yearly service task quotas (任务指标, domain.md §8 target-management responsibility system).

A quota gives one unit (the county or a township) a target for one service measure of
``assessment.measures`` in one FP year: a percentage of a population from the register for a
rate (80 % of pre-pregnancy target couples, 30 % of married WCBA) or a number of person-times for
a count (1,500 blue-oxygen treatments). ``veto`` marks a one-vote-veto item (一票否决): missing it
fails the unit's whole assessment, so pages warn in red while the forecast falls short. Set by
county officers (``assessment.manage_quota``); every change is in the audit log and the history.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from renkou.geo.models import ServicePoint
from renkou.geo.scope import UnitRowQuerySet


class TaskQuota(models.Model):
    """One unit's target for one service measure and FP year, with its deadline.

    ``service_points``: for a count quota, service points whose records count toward it
    whatever the woman's unit, e.g. the county service centre's treatments toward the quota of
    the township it stands in ("county centre together with 柳林镇")."""

    year = models.PositiveSmallIntegerField("年度")
    unit_code = models.CharField("单位代码", max_length=12, db_index=True)
    measure = models.CharField("服务项目", max_length=32)
    target = models.DecimalField("目标值", max_digits=8, decimal_places=1)
    deadline = models.DateField("完成期限")
    veto = models.BooleanField("一票否决", default=False)
    service_points = models.ManyToManyField(
        ServicePoint, blank=True, related_name="+", verbose_name="计入的服务机构"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="制定人",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["year", "unit_code", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit_code", "measure"], name="quota_once_per_unit_measure"
            ),
        ]
        verbose_name = "年度任务指标"

    def __str__(self) -> str:
        return f"{self.year} {self.unit_code} {self.measure} {self.target}"

    @property
    def prefix(self) -> str:
        """The unit code without trailing zero groups (county 6, township 9, village 12)."""
        code = self.unit_code
        for length in (6, 9):
            if code[length:] == "0" * (12 - length):
                return code[:length]
        return code
