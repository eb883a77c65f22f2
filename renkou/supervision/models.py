"""Dated tasks (重点工作): the county's task with its deadline and the evidence it asks for,
and each responsible unit's part of it (its responsible person, evidence, count and workflow).

A task belongs to a county and is read by that county's supervision roles; a unit's part is a
row about a unit (``UnitRowQuerySet``): a township sees its own. Nothing here is about a
person's childbearing: tasks are work of units and staff (product.md).
"""

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from renkou.geo.constants import county_of, full_code
from renkou.geo.scope import UnitRowQuerySet
from renkou.supervision.constants import Action, EvidenceKind, Status


class CountyQuerySet(models.QuerySet[Any]):
    """Rows of a county (its tasks): every account with a data scope in that county reads
    them, none of another county."""

    def visible_to(self, user: Any) -> "CountyQuerySet":
        prefix = getattr(user, "scope_prefix", None) if user.is_authenticated else None
        if prefix is None:
            return self.none()
        return self.filter(county_code=county_of(full_code(prefix)))


class Task(models.Model):
    """重点工作: one dated task the county gives its townships (stations renovated by 15 May)."""

    county_code = models.CharField("县代码", max_length=6)
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("工作内容", max_length=100)
    description = models.TextField("要求", blank=True)
    issued_on = models.DateField("下达日期")
    deadline = models.DateField("完成时限")
    photos_required = models.PositiveSmallIntegerField("须上传照片（张）", default=0)
    documents_required = models.PositiveSmallIntegerField("须上传文件（份）", default=0)
    count_required = models.PositiveIntegerField("须完成数量", default=0)
    count_label = models.CharField("数量名称", max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CountyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "deadline", "id"]
        verbose_name = "重点工作"
        verbose_name_plural = "重点工作"

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """One responsible unit's part of a task (责任单位): its responsible person, the evidence
    it uploads, the count it reports, and the workflow ``constants.ALLOWED_TRANSITIONS``."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit_code = models.CharField("责任单位代码", max_length=12)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任人",
    )
    count_done = models.PositiveIntegerField("已完成数量", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    submitted_on = models.DateField("报告完成日期", null=True, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.CharField("说明", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["task__deadline", "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit_code"], name="supervision_task_unit")
        ]
        verbose_name = "重点工作责任单位"
        verbose_name_plural = "重点工作责任单位"

    def __str__(self) -> str:
        return f"{self.task_id} {self.unit_code}"


class Evidence(models.Model):
    """A photo or document of an assignment, stored under the benefit documents' upload rules
    (``renkou.benefits.documents.store``: size limit, PDF/JPEG/PNG by the first bytes, random
    name, encrypted at rest)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="evidence")
    unit_code = models.CharField("单位代码", max_length=12)
    kind = models.CharField("类型", max_length=10, choices=EvidenceKind.choices)
    note = models.CharField("说明", max_length=100, blank=True)
    stored = models.CharField(max_length=80)
    ext = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = UnitRowQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.kind}"


class StepLog(models.Model):
    """The history of an assignment's workflow (who moved it, when, why)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    comment = models.CharField("意见", max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "重点工作办理记录"

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.action}"
