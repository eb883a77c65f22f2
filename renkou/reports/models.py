"""Yearly targets per unit and indicator, and the submitted (locked) versions of tables."""

from django.conf import settings
from django.db import models

from renkou.geo.scope import UnitRowQuerySet


class Target(models.Model):
    """A yearly target (目标值) of one indicator for one unit, e.g. natural growth rate ≤ 9.31‰
    for the FP year 2025. Entered by county officers and copied down to townships."""

    class Direction(models.TextChoices):
        AT_MOST = "le", "不高于（≤）"
        AT_LEAST = "ge", "不低于（≥）"

    unit_code = models.CharField("单位", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    indicator = models.CharField("指标", max_length=40)
    direction = models.CharField("方向", max_length=2, choices=Direction.choices)
    value = models.DecimalField("目标值", max_digits=10, decimal_places=2)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitRowQuerySet.as_manager()

    class Meta:
        ordering = ["year", "unit_code", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["unit_code", "year", "indicator"], name="target_once")
        ]
        verbose_name = "年度目标"

    def __str__(self) -> str:
        return f"{self.unit_code} {self.year} {self.indicator} {self.direction} {self.value}"


class TableSubmission(models.Model):
    """A township's (or the county's) submitted version of one table for one period: the cell
    values are frozen in ``cells`` and ``locked`` stops re-submission until the county returns
    it (退回)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已上报"
        RETURNED = "returned", "已退回"

    unit_code = models.CharField("填报单位", max_length=12, db_index=True)
    table = models.CharField("报表", max_length=40)
    period = models.CharField("统计期间", max_length=30)
    scope = models.CharField("口径", max_length=1)
    version = models.PositiveSmallIntegerField("版本", default=1)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    cells = models.JSONField("单元格数值", default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("上报时间")
    reviewer = models.CharField("审核人", max_length=50, blank=True)
    returned_reason = models.CharField("退回原因", max_length=200, blank=True)

    objects = UnitRowQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_code", "table", "period", "scope", "version"],
                name="table_submission_version",
            )
        ]
        verbose_name = "报表上报"

    def __str__(self) -> str:
        return f"{self.table} {self.period} {self.unit_code} v{self.version}"
