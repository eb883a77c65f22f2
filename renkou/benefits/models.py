"""Family benefit programmes as data (domain.md §2.8, §5, §9.1): programmes, their rule versions
and amount tables by date, eligibility decisions, applications with their review history,
documents, public notices and objections.

Programmes, rule versions and amounts describe county policy (no personal data): every worker
reads them. Applications, decisions, documents, notices and objections carry the unit code of
the applicant's managing unit (``unit_code``) and go through the scoping chokepoint. Money is
in fen (分), integers, never floats. A later beneficiary ledger and payment rolls (issue 6 items
5–6) hang off an approved ``Application`` (its ``eligible_from``, ``grade`` and programme).
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from renkou.benefits.constants import (
    Action,
    BeneficiaryStatus,
    ChangeDecision,
    ChangeKind,
    DocumentKind,
    ExitReason,
    Level,
    LineStatus,
    Period,
    RollState,
    Status,
    Subject,
)
from renkou.common import rules
from renkou.common.fields import BlindIndexField, EncryptedTextField
from renkou.geo.scope import CountyWideQuerySet, ScopedQuerySet, UnitRowQuerySet
from renkou.people.models import Person, PersonalQuerySet


class Program(models.Model):
    """A benefit programme (奖扶, 特扶 by category, 独生子女父母奖励, 育儿补贴, 两户 preferences).

    ``steps`` lists the review levels in order (domain.md §2.6: 奖扶/特扶 township + county,
    the one-child certificate township only). ``cert_letter`` and ``business_digit`` feed the
    certificate number of §2.6 (letter + township 9 + year 4 + last digit of the business code +
    serial 4); programmes without a letter issue none."""

    code = models.CharField("项目代码", max_length=30, unique=True)
    name = models.CharField("项目名称", max_length=100)
    family = models.CharField("项目类别", max_length=50, blank=True)
    level = models.CharField("政策层级", max_length=20, default="national")
    subject = models.CharField(
        "申请对象", max_length=10, choices=Subject.choices, default=Subject.PARENT
    )
    period = models.CharField("标准单位", max_length=15, choices=Period.choices)
    steps = models.JSONField("审核层级", default=list)
    cert_letter = models.CharField("证书字母", max_length=1, blank=True)
    business_digit = models.CharField("业务代码末位", max_length=1, blank=True)
    benefit = models.CharField("优惠内容", max_length=200, blank=True)
    source = models.CharField("政策依据", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    objects = CountyWideQuerySet.as_manager()

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = "利益导向项目"

    def __str__(self) -> str:
        return self.name

    @property
    def step_labels(self) -> list[str]:
        return [Level(s).label for s in self.steps]


class RuleVersion(models.Model):
    """One version of a programme's eligibility rule (``renkou.common.rules`` JSON over the
    facts of ``renkou.benefits.facts``). A draft is edited and tested against a case; only an
    active version takes effect, and only from ``effective_from`` (a future date changes
    nothing before it). Editing an active version is refused: a change is a new version."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        ACTIVE = "active", "已生效"
        RETIRED = "retired", "已停用"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    effective_from = models.DateField("生效日期")
    conditions = models.JSONField("条件")
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.DRAFT)
    note = models.CharField("说明", max_length=300, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)
    tested_at = models.DateTimeField("测试时间", null=True, blank=True)
    test_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    test_result = models.JSONField("测试结果", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    objects = CountyWideQuerySet.as_manager()

    class Meta:
        ordering = ["program", "-effective_from", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="rule_version_number_uniq")
        ]
        verbose_name = "资格规则版本"

    def __str__(self) -> str:
        return f"{self.program.code} v{self.number}"


class Amount(models.Model):
    """One row of a programme's amount table: from ``effective_from`` the standard is
    ``fen`` per ``program.period`` (``grade`` for complication grades 1–3 of 特扶)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="amounts")
    effective_from = models.DateField("执行日期")
    grade = models.CharField("等级", max_length=2, blank=True)
    fen = models.PositiveBigIntegerField("标准（分）")
    source = models.CharField("依据", max_length=200, blank=True)

    objects = CountyWideQuerySet.as_manager()

    class Meta:
        ordering = ["program", "grade", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "grade", "effective_from"], name="amount_program_grade_date_uniq"
            ),
        ]
        verbose_name = "补助标准"

    def __str__(self) -> str:
        return f"{self.program.code} {self.effective_from} {self.fen}"

    @property
    def yuan(self) -> str:
        return f"{self.fen // 100}" + (f".{self.fen % 100:02d}" if self.fen % 100 else "")


class Application(models.Model):
    """An application (申报) for one programme (domain.md §2.6 items 0103/0104/0108).

    ``person`` is the subject (a parent; for the childcare subsidy the child), ``partner`` the
    spouse (or the guardian who applies for a child). ``declared`` holds what the register does
    not (disability grade, complication grade, certificate numbers), backed by documents.
    ``step`` indexes ``program.steps``: the level now reviewing."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit_code = models.CharField("管理地代码", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("申报年度")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    step = models.PositiveSmallIntegerField("审核步骤", default=0)
    declared = models.JSONField("申报信息", default=dict, blank=True)
    village_opinion = models.CharField("村（居）评议意见", max_length=300, blank=True)
    filed_on = models.DateField("受理日期")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decision = models.ForeignKey(
        "Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grade = models.CharField("待遇等级", max_length=2, blank=True)
    certificate_no = models.CharField("证书编号", max_length=24, blank=True, db_index=True)
    approved_on = models.DateField("批准日期", null=True, blank=True)
    eligible_from = models.DateField("享受起始日期", null=True, blank=True)
    closed_on = models.DateField("注销/归档日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=Q(status__in=["submitted", "returned", "passed", "notice", "approved"]),
                name="application_one_open_per_program",
            ),
        ]
        indexes = [
            models.Index(fields=["unit_code", "status"], name="benefit_app_unit_status"),
            # The 全覆盖 list asks, for each listed person and programme, for an application.
            models.Index(fields=["person", "program"], name="benefit_app_person_program"),
        ]
        verbose_name = "利益导向申请"

    def __str__(self) -> str:
        return f"{self.program.code} #{self.pk}"

    @property
    def level(self) -> str:
        """The review level now acting ('' once past the last step)."""
        steps = self.program.steps
        return steps[self.step] if self.step < len(steps) else ""

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level else ""

    @property
    def is_last_step(self) -> bool:
        return self.step >= len(self.program.steps) - 1


class Decision(models.Model):
    """One eligibility decision: programme, rule version, as-of day, verdict, and the inputs
    and trace it used (``renkou.common.rules``), so an audit can replay it."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions"
    )
    unit_code = models.CharField(max_length=12, db_index=True)
    as_of = models.DateField("判定日期")
    verdict = models.CharField("结论", max_length=8)
    inputs = models.JSONField("输入事实")
    trace = models.JSONField("判定过程")
    purpose = models.CharField("用途", max_length=20)
    actor_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "资格判定"

    def __str__(self) -> str:
        return f"{self.program_id} {self.person_id} {self.verdict}"


class StepLog(models.Model):
    """The status history of an application: one row per transition, with the level, comment,
    actor and time (domain.md §2.6: each step records area, comments, approver, date)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="log")
    unit_code = models.CharField(max_length=12, db_index=True)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    level = models.CharField("层级", max_length=10, blank=True)
    comment = models.CharField("意见", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_unit = models.CharField("经办单位", max_length=12, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = "审核记录"

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level else ""

    @property
    def from_label(self) -> str:
        return Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return Status(self.to_status).label


class Document(models.Model):
    """An uploaded document (hukou book, certificates). The file sits under MEDIA_ROOT with a
    random name; ``ext`` is the sniffed kind (pdf/jpg/png), never the uploader's claim."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    unit_code = models.CharField(max_length=12, db_index=True)
    kind = models.CharField("材料类型", max_length=12, choices=DocumentKind.choices)
    stored = models.CharField(max_length=200)
    ext = models.CharField(max_length=4)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["application", "uploaded_at", "pk"]
        verbose_name = "申请材料"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}.{self.ext}"


class Notice(models.Model):
    """A public notice (公示) of one programme's list at one unit (village, township or county
    notice board): start and end dates (7 days by default), open until closed after its end."""

    class State(models.TextChoices):
        OPEN = "open", "公示中"
        CLOSED = "closed", "已结束"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="notices")
    unit_code = models.CharField("公示单位", max_length=12, db_index=True)
    level = models.CharField("审核层级", max_length=10, choices=Level.choices)
    title = models.CharField("标题", max_length=200)
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束")
    contact = models.CharField("监督电话/信箱", max_length=100, blank=True)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField(null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = "公示"

    def __str__(self) -> str:
        return self.title

    def has_ended(self, today: date) -> bool:
        """The notice period is over: the day after ``ends_on`` at the earliest."""
        return today > self.ends_on


class NoticeEntry(models.Model):
    """One application on a notice, at the review step it was listed for."""

    class Outcome(models.TextChoices):
        LISTED = "listed", "公示中"
        OBJECTED = "objected", "有异议，重新审核"
        PASSED = "passed", "公示无异议"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="notice_entries"
    )
    unit_code = models.CharField(max_length=12, db_index=True)
    step = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.LISTED)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["notice", "pk"]
        verbose_name = "公示名单"

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.application_id}"


class Objection(models.Model):
    """An objection (异议) received during a notice; it reopens the application's review at the
    step it was listed for. The content may name people: encrypted at rest."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="objections"
    )
    unit_code = models.CharField(max_length=12, db_index=True)
    received_on = models.DateField("收到日期")
    channel = models.CharField("来源", max_length=50, blank=True)
    content = EncryptedTextField("异议内容")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = "公示异议"

    def __str__(self) -> str:
        return f"异议 {self.pk}"


# --- beneficiaries, annual re-confirmation, payments (issue 6 items 5–6) -----------------------


class PaymentQuerySet(ScopedQuerySet):
    """Beneficiaries, rolls, lines and ledger rows: read by workers with person access and by the
    county's finance staff (``benefits.pay``, who has no register access otherwise), within
    their subtree."""

    def reads_persons(self, user: Any) -> bool:
        return super().reads_persons(user) or bool(user.has_perm("benefits.pay"))


class Beneficiary(models.Model):
    """An entitlement (享受对象) of one person under one programme: from a finalised application,
    with its period (``starts_on`` – ``ends_on``), grade and the 一卡通 account the finance
    bureau pays into (encrypted at rest, blind index for the bank result match, masked on
    screen, in full only in the bank file). Amounts come from the amount table by date."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="beneficiaries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="beneficiary"
    )
    unit_code = models.CharField("管理地代码", max_length=12, db_index=True)
    grade = models.CharField("待遇等级", max_length=2, blank=True)
    starts_on = models.DateField("享受起始日期")
    ends_on = models.DateField("享受截止日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=BeneficiaryStatus.choices, default=BeneficiaryStatus.ACTIVE
    )
    exit_reason = models.CharField(
        "停止原因", max_length=12, choices=ExitReason.choices, blank=True
    )
    account = EncryptedTextField("一卡通账号", blank=True)
    account_index = BlindIndexField("账号索引", blank=True)
    account_bank = models.CharField("开户机构", max_length=50, blank=True)
    account_updated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["unit_code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=Q(status="active"),
                name="beneficiary_one_active_per_program",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"], name="beneficiary_program_status")]
        verbose_name = "享受对象"

    def __str__(self) -> str:
        return f"{self.program_id}:{self.person_id}"


class Reconfirmation(models.Model):
    """One year's re-confirmation (年审) of a unit subtree: a change list built from the register
    (``draft``), each change accepted or rejected with a reason, then applied at once."""

    class State(models.TextChoices):
        DRAFT = "draft", "待确认"
        APPLIED = "applied", "已生效"

    unit_code = models.CharField("单位", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    as_of = models.DateField("核对日期")
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.DRAFT)
    summary = models.JSONField("汇总", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = UnitRowQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit_code", "year"], name="reconfirmation_unit_year")
        ]
        verbose_name = "年审"

    def __str__(self) -> str:
        return f"{self.year} 年审"


class Change(models.Model):
    """One proposed change of a re-confirmation, with the year's amount it implies (fen)."""

    reconfirmation = models.ForeignKey(
        Reconfirmation, on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField("变动类型", max_length=12, choices=ChangeKind.choices)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    unit_code = models.CharField(max_length=12, db_index=True)
    effective_on = models.DateField("生效日期", null=True, blank=True)
    year_fen = models.BigIntegerField("本年度应发（分）", default=0)
    detail = models.CharField("说明", max_length=300, blank=True)
    decision = models.CharField(
        "确认", max_length=8, choices=ChangeDecision.choices, default=ChangeDecision.PENDING
    )
    reason = models.CharField("理由", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["reconfirmation", "kind", "unit_code", "pk"]
        verbose_name = "年审变动"

    def __str__(self) -> str:
        return f"{self.reconfirmation_id}:{self.kind}:{self.person_id}"


class PaymentRoll(models.Model):
    """A payment roll (发放清册) of one programme and period (a calendar year ``2026`` or half
    ``2026H1``) for the county's finance "一卡通" channel. Totals are fixed when it is locked."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="rolls")
    period = models.CharField("发放期间", max_length=7)
    starts_on = models.DateField()
    ends_on = models.DateField()
    unit_code = models.CharField("单位", max_length=12, db_index=True)
    state = models.CharField(
        "状态", max_length=9, choices=RollState.choices, default=RollState.DRAFT
    )
    line_count = models.PositiveIntegerField("人数", default=0)
    total_fen = models.BigIntegerField("应发合计（分）", default=0)
    paid_fen = models.BigIntegerField("成功（分）", default=0)
    failed_fen = models.BigIntegerField("失败（分）", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "program", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "period", "unit_code"], name="roll_program_period_unit"
            )
        ]
        verbose_name = "发放清册"

    def __str__(self) -> str:
        return f"{self.program.name} {self.period}"

    @property
    def pending_fen(self) -> int:
        return self.total_fen - self.paid_fen - self.failed_fen


class PaymentLine(models.Model):
    """One person's line on a roll: the amount due for ``period`` (a carried-over line keeps the
    period of the failed line it pays), the account snapshot taken at lock, the bank result."""

    roll = models.ForeignKey(PaymentRoll, on_delete=models.PROTECT, related_name="lines")
    serial = models.PositiveIntegerField("序号")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="lines")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit_code = models.CharField(max_length=12, db_index=True)
    period = models.CharField("所属期间", max_length=7)
    fen = models.BigIntegerField("金额（分）")
    account = EncryptedTextField("一卡通账号", blank=True)
    account_index = BlindIndexField("账号索引", blank=True)
    status = models.CharField(
        "状态", max_length=9, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    carried_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="carried_to"
    )
    result_on = models.DateField("结果日期", null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["roll", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["roll", "serial"], name="line_roll_serial"),
            models.UniqueConstraint(fields=["roll", "beneficiary", "period"], name="line_once"),
        ]
        verbose_name = "发放明细"

    def __str__(self) -> str:
        return f"{self.roll_id}#{self.serial}"


class ResultImport(models.Model):
    """One imported bank result file of a roll (its hash makes a re-import a no-op)."""

    roll = models.ForeignKey(PaymentRoll, on_delete=models.PROTECT, related_name="imports")
    unit_code = models.CharField(max_length=12, db_index=True)
    file_hash = models.CharField(max_length=64)
    file_name = models.CharField("文件名", max_length=200)
    rows = models.PositiveIntegerField("行数")
    paid = models.PositiveIntegerField("成功")
    failed = models.PositiveIntegerField("失败")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["roll", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roll", "file_hash"], name="result_import_once")
        ]
        verbose_name = "银行结果导入"

    def __str__(self) -> str:
        return self.file_name


class LedgerEntry(models.Model):
    """The beneficiary ledger (台账): one row per payment the bank confirmed, written in the
    same transaction as the result; the reconciliation checks paid lines = ledger rows."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="ledger")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    roll = models.ForeignKey(PaymentRoll, on_delete=models.PROTECT, related_name="ledger")
    line = models.OneToOneField(PaymentLine, on_delete=models.PROTECT, related_name="ledger")
    unit_code = models.CharField(max_length=12, db_index=True)
    period = models.CharField("所属期间", max_length=7)
    year = models.PositiveSmallIntegerField("所属年度", db_index=True)
    fen = models.BigIntegerField("金额（分）")
    paid_on = models.DateField("发放日期")
    carried = models.BooleanField("补发", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["beneficiary", "paid_on", "pk"]
        verbose_name = "发放台账"

    def __str__(self) -> str:
        return f"{self.beneficiary_id} {self.period} {self.fen}"


class Screening(models.Model):
    """One person's verdict for one programme of the 全覆盖 list, kept current (issue 11 item
    3): written in the same transaction as every register write that changes a fact the rule
    reads (``renkou.benefits.receivers``), by the daily refresh for the verdicts the calendar
    changes (``valid_until``: a birthday, a rule version coming into force, a person entering
    the age window), and from scratch by ``screening.rebuild``. A row exists for every person
    inside a programme's age window who is in the register; the list shows the rows that pass
    or wait for documents (待核实). The row keeps the fact values the rule read (``inputs``,
    as a ``Decision`` does): ``trace()`` replays the rule on them, condition by condition,
    without the register (the full trace would be five times the size).

    Applications and entitlements are not stored here: the list leaves out, when it is read,
    anyone with an open or approved application or an entitlement in force."""

    class Verdict(models.TextChoices):
        PASS = "pass", "符合"
        UNKNOWN = "unknown", "待核实"
        FAIL = "fail", "不符合"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    unit_code = models.CharField("管理地代码", max_length=12)
    verdict = models.CharField("判定", max_length=8, choices=Verdict.choices)
    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="+")
    inputs = models.JSONField("判定所用事实", default=dict, blank=True)  # empty when failed
    as_of = models.DateField("判定日期")
    valid_until = models.DateField("到期重判日期", null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "program"], name="screening_once"),
        ]
        indexes = [
            # The list's order: page 1 of a county reads ten rows, not the whole list; with the
            # verdict in it, counting and paging never read the table's rows.
            models.Index(
                fields=["unit_code", "person", "program", "verdict"], name="screening_list_idx"
            ),
            models.Index(fields=["valid_until"], name="screening_due_idx"),
        ]
        verbose_name = "全覆盖判定"

    def __str__(self) -> str:
        return f"{self.person_id} {self.program_id} {self.verdict}"

    def trace(self) -> dict[str, Any]:
        """The rule's trace on the stored fact values (each condition, value, outcome)."""
        return rules.replay(self.version.conditions, self.inputs).trace


class ScreeningRun(models.Model):
    """One refresh or rebuild of the 全覆盖 table. The daily run holds one row per day (unique),
    so two chains of the self-scheduling task never both run; the last finished run's day is
    where the next refresh starts counting the people who entered an age window."""

    class Trigger(models.TextChoices):
        DAILY = "daily", "每日任务"
        REBUILD = "rebuild", "重建"
        RULE = "rule", "规则生效"

    day = models.DateField("日期")
    trigger = models.CharField("触发方式", max_length=10, choices=Trigger.choices)
    prefix = models.CharField("单位", max_length=12, blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    seconds = models.FloatField("耗时（秒）", null=True, blank=True)
    persons = models.PositiveIntegerField("重判人数", default=0)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["day"], condition=Q(trigger="daily"), name="screening_one_daily_run"
            )
        ]
        verbose_name = "全覆盖名单更新记录"

    def __str__(self) -> str:
        return f"{self.day} {self.trigger}"
