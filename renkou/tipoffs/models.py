"""Tip-offs (有奖举报, issue 18 item 1): what was reported, about which unit, who handles it and
how it ended, and the reward.

The informant is kept apart (``Informant``, one row per tip-off): name and contact encrypted at
rest, no history table, read only by the tip-off's handler through
``selectors.informant_for``. Nothing else — lists, exports, the audit trail, leaders' figures,
the to-do list — loads that row, so none of them can show it by mistake.

A tip-off is a row about a unit (``UnitRowQuerySet``, scoped by ``unit_code``, the township or
county it concerns): the matter, not a person of the register.
"""

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from renkou.common.fields import BlindIndexField, EncryptedTextField
from renkou.geo.scope import UnitRowQuerySet
from renkou.tipoffs.constants import Category, Channel, Finding, Reward, Status

_USER: Any = settings.AUTH_USER_MODEL


class TipOff(models.Model):
    """One tip-off (举报), numbered per year, with its workflow (``ALLOWED_TRANSITIONS``),
    its deadline (``RENKOU_TIPOFF_DAYS`` after receipt) and its reward in fen."""

    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    county_code = models.CharField("县代码", max_length=6)
    unit_code = models.CharField("所涉乡镇代码", max_length=12)
    channel = models.CharField("举报方式", max_length=10, choices=Channel.choices)
    category = models.CharField("举报类别", max_length=16, choices=Category.choices)
    subject = models.CharField("被举报对象", max_length=100)
    place = models.CharField("发生地点", max_length=100, blank=True)
    content = models.TextField("举报内容", max_length=2000)
    received_on = models.DateField("受理日期")
    received_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deadline = models.DateField("办理时限")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    handler = models.ForeignKey(
        _USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承办人",
    )
    assigned_on = models.DateField("分派日期", null=True, blank=True)
    finding = models.CharField("核查结论", max_length=10, choices=Finding.choices, blank=True)
    result = models.TextField("处理结果", max_length=2000, blank=True)
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    reward = models.CharField(
        "奖励", max_length=10, choices=Reward.choices, default=Reward.NONE, blank=True
    )
    reward_fen = models.PositiveIntegerField("奖励金额（分）", null=True, blank=True)
    reward_note = models.CharField("奖励依据", max_length=300, blank=True)
    reward_decided_on = models.DateField("奖励决定日期", null=True, blank=True)
    reward_decided_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_on = models.DateField("发放日期", null=True, blank=True)
    paid_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voucher = models.CharField("凭证号", max_length=40, blank=True)
    # The acknowledgement code's keyed hash: the code itself is shown once and never stored.
    ack_index = BlindIndexField(unique=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "ack_index"])

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "year", "seq"], name="tipoff_number")
        ]
        indexes = [models.Index(fields=["unit_code", "received_on"])]
        verbose_name = "举报"
        verbose_name_plural = "举报"

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """举〔2026〕12号: the number staff and finance use; it says nothing of the informant."""
        return f"举〔{self.year}〕{self.seq}号"

    @property
    def reward_yuan(self) -> str:
        return "" if self.reward_fen is None else f"{self.reward_fen / 100:.2f}"


class Informant(models.Model):
    """Who reported and how to reach them (blank when anonymous), encrypted at rest; read only
    by the tip-off's handler (``selectors.informant_for``), each read audited."""

    tipoff = models.OneToOneField(
        TipOff, on_delete=models.CASCADE, primary_key=True, related_name="informant"
    )
    name = EncryptedTextField("举报人姓名", blank=True)
    contact = EncryptedTextField("联系方式", blank=True)

    class Meta:
        verbose_name = "举报人"
        verbose_name_plural = "举报人"

    def __str__(self) -> str:
        return f"举报人（{self.tipoff_id}）"


class Step(models.Model):
    """One dated step of the investigation (调查记录), written by the handler."""

    tipoff = models.ForeignKey(TipOff, on_delete=models.CASCADE, related_name="steps")
    unit_code = models.CharField(max_length=12)
    done_on = models.DateField("日期")
    text = models.CharField("调查情况", max_length=500)
    actor = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitRowQuerySet.as_manager()

    class Meta:
        ordering = ["done_on", "id"]
        verbose_name = "调查记录"
        verbose_name_plural = "调查记录"

    def __str__(self) -> str:
        return f"{self.tipoff_id} {self.done_on}"


class Attempt(models.Model):
    """One use of a public page (a submission or a progress look-up) by a client address,
    for the per-address limit. The address is kept only as a keyed hash, and rows older than a
    day are removed by the next attempt."""

    bucket = models.CharField(max_length=10)
    address = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["bucket", "address", "at"])]

    def __str__(self) -> str:
        return f"{self.bucket} {self.at}"


class SpentPuzzle(models.Model):
    """A proof-of-work puzzle already used (each form's puzzle counts once)."""

    digest = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.digest[:8]
