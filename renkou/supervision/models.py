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
from renkou.geo.scope import ScopedQuerySet, UnitRowQuerySet
from renkou.supervision.constants import (
    Action,
    EvidenceKind,
    InspectionKind,
    InspectionStatus,
    Outcome,
    RectStatus,
    SampleTopic,
    Severity,
    Status,
)


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
    year = models.PositiveSmallIntegerField(
        "年度"
    )  # the FP year of the deadline (the assessment's)
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


# --- inspections (督查, issue 14 item 6) ------------------------------------------------------


class Inspection(models.Model):
    """One visit of a township by a team of inspectors (a rotation's turn, or a special
    topic), with the seed its sample was drawn with (the same seed draws the same sample)."""

    county_code = models.CharField("县代码", max_length=6)
    unit_code = models.CharField("被督查乡镇", max_length=12)
    kind = models.CharField("类型", max_length=10, choices=InspectionKind.choices)
    title = models.CharField("督查名称", max_length=100)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    period_start = models.DateField("抽样期间起")
    period_end = models.DateField("抽样期间止")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name="督查组")
    status = models.CharField(
        "状态", max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    seed = models.BigIntegerField("抽样种子", null=True, blank=True)
    sizes = models.JSONField("抽样数量", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[team])

    class Meta:
        ordering = ["-starts_on", "unit_code"]
        verbose_name = "督查"
        verbose_name_plural = "督查"

    def __str__(self) -> str:
        return self.title


class Sample(models.Model):
    """One sampled record of a visit and what the inspector found of it."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="samples")
    unit_code = models.CharField("单位代码", max_length=12)
    topic = models.CharField("抽样类别", max_length=12, choices=SampleTopic.choices)
    position = models.PositiveSmallIntegerField("序号")
    record_type = models.CharField(max_length=40)
    record_id = models.PositiveBigIntegerField()
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("核实结果", max_length=10, choices=Outcome.choices, blank=True)
    differs_field = models.CharField("不符项", max_length=60, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()  # about a person: not for leaders
    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "topic", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "topic", "position"], name="supervision_sample_once"
            )
        ]
        verbose_name = "抽样记录"

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.topic} {self.position}"


class Finding(models.Model):
    """A finding of a visit (per topic, with severity), optionally proposing a deduction in the
    assessment scheme."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    unit_code = models.CharField("单位代码", max_length=12)
    topic = models.CharField("类别", max_length=12, choices=SampleTopic.choices, blank=True)
    severity = models.CharField("程度", max_length=10, choices=Severity.choices)
    text = models.CharField("发现的问题", max_length=300)
    deduction = models.DecimalField("建议扣分", max_digits=5, decimal_places=2, default=0)
    found_on = models.DateField("发现日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = "督查发现"

    def __str__(self) -> str:
        return self.text


class Rectification(models.Model):
    """整改通知: what the township must put right by when; its response with evidence; the
    re-check that closes it or sends it back."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="notices")
    unit_code = models.CharField("整改单位", max_length=12)
    requirement = models.CharField("整改要求", max_length=300)
    issued_on = models.DateField("下发日期")
    deadline = models.DateField("整改时限")
    status = models.CharField(
        "状态", max_length=10, choices=RectStatus.choices, default=RectStatus.ISSUED
    )
    response = models.CharField("整改情况", max_length=500, blank=True)
    responded_on = models.DateField("反馈日期", null=True, blank=True)
    recheck_note = models.CharField("复查意见", max_length=300, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = "整改通知"

    def __str__(self) -> str:
        return self.requirement


class RectificationPhoto(models.Model):
    """The township's evidence of a rectification (the upload rules of ``Evidence``)."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="photos"
    )
    unit_code = models.CharField(max_length=12)
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
        verbose_name = "整改佐证"

    def __str__(self) -> str:
        return f"{self.rectification_id}"


class Bulletin(models.Model):
    """通报: the findings of a round of inspections, written up for all townships; a draft until
    published (then read by every supervision account of the county, locked)."""

    county_code = models.CharField("县代码", max_length=6)
    title = models.CharField("标题", max_length=100)
    number = models.CharField("文号", max_length=40, blank=True)
    preface = models.TextField("正文导语", blank=True)
    findings = models.ManyToManyField(Finding, related_name="bulletins", verbose_name="通报的问题")
    published_on = models.DateField("发布日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CountyQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[findings])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "督查通报"

    def __str__(self) -> str:
        return self.title
