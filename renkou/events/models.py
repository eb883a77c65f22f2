"""Population change events (人口动态信息报告单, domain.md §2.4) as an append-only log, the
presence intervals they produce, the monthly tallies the indicators read, and the villages'
monthly report submissions.

An event's content never changes after it is written: a correction is a new event that voids
the old one (``corrects``); only the review columns (status, confirmed_by, confirmed_at) move.
Each event keeps the subject's place in every population scope at the time (``reg_code``,
``res_code``, ``man_code``), so it is counted where it happened even after the person moves.
"""

from typing import Any

from django.conf import settings
from django.db import models

from renkou.common.fields import EncryptedTextField
from renkou.events.constants import Kind, Scope, Status
from renkou.geo.scope import UnitRowQuerySet
from renkou.people.models import ImportBatchBase, PersonalQuerySet


class Event(models.Model):
    kind = models.CharField("变动类型", max_length=16, choices=Kind.choices)
    status = models.CharField(
        "审核状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="events", verbose_name="当事人"
    )
    partner = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="配偶/父亲",
    )
    child = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="birth_events",
        verbose_name="婴儿",
    )
    effective_date = models.DateField("发生日期", db_index=True)
    reported_date = models.DateField("报告日期")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reporter_unit = models.CharField("报告单位", max_length=12, blank=True)
    unit_code = models.CharField("所属单位", max_length=12, db_index=True)
    reg_code = models.CharField("户籍地", max_length=12, blank=True)
    res_code = models.CharField("居住地", max_length=12, blank=True)
    man_code = models.CharField("管理地", max_length=12, blank=True)
    from_code = models.CharField("迁出地代码", max_length=12, blank=True)
    to_code = models.CharField("迁入地代码", max_length=12, blank=True)
    place = models.CharField("县外地点/流入来源/流出去向", max_length=100, blank=True)
    reason = models.CharField("流动原因", max_length=2, blank=True)
    subject_sex = models.CharField(max_length=1, blank=True)
    subject_age = models.PositiveSmallIntegerField("当事人年龄", null=True, blank=True)
    sex = models.CharField("婴儿性别", max_length=1, blank=True)
    parity = models.PositiveSmallIntegerField("孩次", null=True, blank=True)  # null: 不详
    parity_reason = models.CharField("孩次与推算不同的原因", max_length=200, blank=True)
    policy_attribute = models.CharField("政策属性", max_length=2, blank=True)
    birth_place = models.CharField("出生地点", max_length=100, blank=True)
    certificate_no = EncryptedTextField("出生医学证明编号", blank=True)
    health = models.CharField("健康状况", max_length=2, blank=True)
    cause = EncryptedTextField("死亡原因", blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="更正/作废的变动",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    undo = models.JSONField(default=dict, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalQuerySet.as_manager()

    REVIEW_FIELDS = frozenset({"status", "confirmed_by", "confirmed_at"})

    class Meta:
        ordering = ["-effective_date", "-id"]
        indexes = [
            models.Index(fields=["unit_code", "effective_date"], name="event_unit_day_idx"),
            models.Index(fields=["person", "effective_date"], name="event_person_day_idx"),
        ]
        verbose_name = "人口变动"
        verbose_name_plural = "人口变动"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Append-only: once written only the review columns may change."""
        if self.pk is not None:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.REVIEW_FIELDS:
                raise ValueError("变动记录写入后不能修改，请录入更正变动")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("变动记录不能删除，请录入作废变动")

    def place_of(self, scope: str) -> str:
        return {
            Scope.REGISTERED: self.reg_code,
            Scope.RESIDENT: self.res_code,
            Scope.MANAGED: self.man_code,
        }[scope]

    @property
    def counted(self) -> bool:
        return self.status != Status.VOIDED and self.kind != Kind.VOID


class Spell(models.Model):
    """One interval a person counts in a measure and scope: present at the end of each day d
    with ``start <= d < end`` (``end`` null: still). Derived from the register and the events
    by ``renkou.events.presence``; drill-down lists of stocks read it."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=6)
    scope = models.CharField(max_length=1, choices=Scope.choices)
    unit_code = models.CharField(max_length=12)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1)
    birth_date = models.DateField()
    id_ok = models.BooleanField(default=False)  # a valid resident ID (ID-card entry rate)
    complete = models.BooleanField(default=False)  # every required item present (完整率)

    class Meta:
        indexes = [
            models.Index(
                fields=["measure", "scope", "unit_code", "start"], name="spell_measure_unit_idx"
            ),
            models.Index(fields=["person"], name="spell_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}/{self.scope} {self.unit_code} {self.start}–{self.end or ''}"


class Tally(models.Model):
    """Net change of one measure in one village and month (``month`` = yyyymm), kept in step
    with every write. A stock at the end of month M is the sum of its rows up to M; a flow over
    a period is the sum of its rows in the period. Months before the statistics start
    (``RENKOU_STATS_START``) are folded into the first month."""

    measure = models.CharField(max_length=16)
    scope = models.CharField(max_length=1, choices=Scope.choices)
    unit_code = models.CharField(max_length=12)
    month = models.IntegerField()
    value = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "scope", "month", "unit_code"], name="tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}/{self.scope} {self.unit_code} {self.month}: {self.value}"


class Checkpoint(models.Model):
    """The stock of a measure at the end of December of ``year``, per village: the sum of its
    tallies up to that month, kept in step by the same writes for every year up to the
    horizon (``TallyState``), so a stock at any month end reads one checkpoint row and at most
    a year or two of monthly tallies instead of every month since the statistics start."""

    measure = models.CharField(max_length=16)
    scope = models.CharField(max_length=1, choices=Scope.choices)
    unit_code = models.CharField(max_length=12)
    year = models.IntegerField()
    value = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "scope", "year", "unit_code"], name="checkpoint_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}/{self.scope} {self.unit_code} {self.year}: {self.value}"


class TallyState(models.Model):
    """One row: the last year whose checkpoints exist for every key (the horizon)."""

    horizon = models.IntegerField()

    def __str__(self) -> str:
        return str(self.horizon)


class MonthlyReport(models.Model):
    """A village's monthly change report (人口动态信息报告单), submitted by the deadline.

    A submitted report is a frozen version: ``event_ids`` are the events it held and ``counts``
    their numbers by kind. Events of the month recorded later are shown after it as 补报 and
    never change it; an event of it voided later stays in it, marked."""

    unit_code = models.CharField("村（居）", max_length=12, db_index=True)
    month = models.IntegerField("月份")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("上报时间")
    on_time = models.BooleanField("按时上报")
    counts = models.JSONField("各类变动数", default=dict)
    event_ids = models.JSONField("上报时的变动", default=list, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = UnitRowQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["unit_code", "month"], name="monthly_report_once")
        ]
        verbose_name = "人口动态信息报告单"

    def __str__(self) -> str:
        return f"{self.unit_code} {self.month}"


class EventImportBatch(ImportBatchBase):
    """One uploaded file of change events (docs/import-events.md), with the person import's
    life cycle, statuses and modes (``people.ImportBatchBase``, driven through
    ``renkou.people.importing.batches``). The counts are of events: ``created`` events
    recorded, ``updated`` persons registered for a move or flow in, ``unchanged`` rows already
    recorded (已登记, skipped)."""

    to_create = models.PositiveIntegerField("将登记变动", default=0)
    to_update = models.PositiveIntegerField("将新建人员", default=0)
    created = models.PositiveIntegerField("登记变动", default=0)
    updated = models.PositiveIntegerField("新建人员", default=0)
    unchanged = models.PositiveIntegerField("已登记（跳过）", default=0)
    job = models.ForeignKey(
        "common.JobProgress", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(ImportBatchBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["file_hash"],
                condition=models.Q(status="done"),
                name="event_import_batch_done_once",
            ),
        ]
        verbose_name = "变动导入批次"
