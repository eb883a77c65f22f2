"""The “两非” case register (issue 18 item 2): one row per case against an institution or a
person who identified a fetus's sex without medical need or terminated a pregnancy to select
its sex; its investigation steps, its evidence, its referral and its outcome.

A case is a row about a unit (``UnitRowQuerySet``, scoped by ``unit_code``, the township or the
county it concerns), like a tip-off: leaders read its counts, not the rows (the pages ask for
``cases.view``). The subject's personal data — a person's ID number, phone and address — are
encrypted at rest and shown masked (``renkou.common.crypto.mask``). A case opened from tip-offs
links them (``tipoffs``) and copies nothing of their informants.
"""

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from renkou.cases.constants import (
    SUBSTANTIATED,
    Outcome,
    ReferredTo,
    Source,
    Status,
    SubjectKind,
    SubjectType,
)
from renkou.common.fields import EncryptedTextField
from renkou.geo.scope import UnitRowQuerySet
from renkou.tipoffs.models import TipOff

_USER: Any = settings.AUTH_USER_MODEL


class Case(models.Model):
    """One case (两非案件), numbered per county and year, with its workflow
    (``ALLOWED_TRANSITIONS``: 调查中 → 已移送 → 已结案, or 调查中 → 已结案) and its deadline
    (``RENKOU_CASE_DAYS`` after it was opened, for the investigation)."""

    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    county_code = models.CharField("县代码", max_length=6)
    unit_code = models.CharField("所涉乡镇代码", max_length=12)
    source = models.CharField("案件来源", max_length=12, choices=Source.choices)
    source_note = models.CharField("来源说明", max_length=100, blank=True)
    tipoffs = models.ManyToManyField(TipOff, blank=True, related_name="+", verbose_name="来源举报")
    subject_type = models.CharField("当事方类型", max_length=12, choices=SubjectType.choices)
    subject_kind = models.CharField("当事方类别", max_length=16, choices=SubjectKind.choices)
    subject_name = models.CharField("当事机构或人员名称", max_length=100)
    subject_licence = models.CharField("执业许可证或执业证书编号", max_length=40, blank=True)
    subject_address = EncryptedTextField("地址", blank=True)
    subject_id_number = EncryptedTextField("公民身份号码", blank=True)
    subject_phone = EncryptedTextField("联系电话", blank=True)
    facts = models.TextField("案情", max_length=2000)
    opened_on = models.DateField("立案日期")
    opened_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    deadline = models.DateField("调查时限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    referred_to = models.CharField(
        "移送机关类别", max_length=12, choices=ReferredTo.choices, blank=True
    )
    referral_body = models.CharField("接收机关", max_length=100, blank=True)
    referred_on = models.DateField("移送日期", null=True, blank=True)
    decision = models.TextField("处理决定", max_length=2000, blank=True)
    outcome = models.CharField("结案结果", max_length=16, choices=Outcome.choices, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "year", "seq"], name="case_number")
        ]
        indexes = [models.Index(fields=["unit_code", "opened_on"])]
        verbose_name = "“两非”案件"
        verbose_name_plural = "“两非”案件"

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """两非案〔2026〕3号."""
        return f"两非案〔{self.year}〕{self.seq}号"

    @property
    def substantiated(self) -> bool:
        return self.outcome in SUBSTANTIATED


class Step(models.Model):
    """One dated step of the investigation (调查记录); append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    unit_code = models.CharField(max_length=12)
    done_on = models.DateField("日期")
    text = models.CharField("调查情况", max_length=500)
    actor = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["done_on", "id"]
        verbose_name = "调查记录"
        verbose_name_plural = "调查记录"

    def __str__(self) -> str:
        return f"{self.case_id} {self.done_on}"


class Evidence(models.Model):
    """An uploaded piece of evidence (证据材料: a photo, a scanned record), stored under the
    benefit documents' rules (``renkou.benefits.documents.store``: size limit, PDF/JPEG/PNG by
    their first bytes, a random name, encrypted at rest); append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    unit_code = models.CharField(max_length=12)
    title = models.CharField("材料名称", max_length=100)
    stored = models.CharField(max_length=200)
    ext = models.CharField(max_length=4)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = "证据材料"
        verbose_name_plural = "证据材料"

    def __str__(self) -> str:
        return f"{self.title}.{self.ext}"
