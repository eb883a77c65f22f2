"""The free pre-pregnancy eugenic exam (国家免费孕前优生健康检查, domain.md §2.9, §6).

The couple is the unit of service: one ``CoupleFile`` (技术服务家庭档案) per couple and planned
pregnancy, holding the eligibility confirmed at the township (服务通知单) and the couple's
informed consent; one ``Exam`` per spouse with its result rows (``ExamItem``), one
``RiskAssessment`` per exam, and the ``FollowUp`` items created when a pregnancy is recorded.

Every row carries ``unit_code``, the wife's managing unit (管理地) when the file was opened: the
scoping column of ``visible_to``. Results, findings, referrals and notes are sensitive health
data, encrypted at rest; what statistics count (the abnormal flag of an item, the risk category
and factor codes, the outcome code, dates) stays plain so that no figure needs decrypting. The
service is voluntary: no field here is a compulsory check, a quota on a person or a penalty.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from renkou.common.fields import EncryptedTextField
from renkou.geo.models import ServicePoint
from renkou.geo.scope import UnitRowQuerySet
from renkou.people.models import PersonalQuerySet
from renkou.programs.constants import (
    EXAM_ITEMS,
    CloseReason,
    Counselling,
    CoupleStatus,
    FollowUpKind,
    FollowUpMethod,
    RiskCategory,
    Spouse,
    VisitReason,
    VisitResult,
)

ITEM_CHOICES = [(i.code, f"{i.code}. {i.name}") for i in EXAM_ITEMS if i.recorded_as == "item"]


class CoupleFile(models.Model):
    """技术服务家庭档案: one couple and one planned pregnancy (domain.md §6 "one free exam per
    couple per parity"). A partial unique constraint backs the service rule: one file per wife,
    husband and planned-pregnancy sequence, except files withdrawn before any exam.

    The husband is a person of the register when he is in it; otherwise his name and his ID
    number (encrypted) are kept here. ``husband_key`` identifies him either way (``p<pk>`` or
    ``i<blind index of the ID number>``) for the constraint. ``examined_on`` is the earlier exam
    date of the two spouses, kept by the services: coverage counts the couple in that year.
    """

    file_no = models.CharField("档案编号", max_length=20, unique=True)
    unit_code = models.CharField("管理地代码", max_length=12, db_index=True)
    wife = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="prepregnancy_files",
        verbose_name="妻子",
    )
    husband = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="丈夫",
    )
    husband_name = models.CharField("丈夫姓名（非本县登记）", max_length=50, blank=True)
    husband_id_number = EncryptedTextField("丈夫身份证号（非本县登记）", blank=True)
    husband_key = models.CharField(max_length=70, editable=False)
    sequence = models.PositiveSmallIntegerField("计划怀孕孩次")
    status = models.CharField(
        "状态", max_length=10, choices=CoupleStatus.choices, default=CoupleStatus.FILED
    )
    opened_on = models.DateField("建档日期")
    consent_on = models.DateField("知情同意书签署日期")
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="知情同意登记人",
        null=True,
    )
    eligible_on = models.DateField("资格确认日期", null=True, blank=True)
    eligible_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="资格确认人",
    )
    notice_no = models.CharField("服务通知单编号", max_length=30, blank=True)
    examined_on = models.DateField("检查日期", null=True, blank=True)
    lmp_on = models.DateField("末次月经日期", null=True, blank=True)
    pregnancy_recorded_on = models.DateField("怀孕登记日期", null=True, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    close_reason = models.CharField(
        "结案原因", max_length=14, choices=CloseReason.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "husband_key"])

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wife", "husband_key", "sequence"],
                condition=~Q(status="withdrawn"),
                name="couple_one_file_per_pregnancy",
            ),
        ]
        indexes = [
            models.Index(fields=["unit_code", "examined_on"], name="couple_unit_exam_idx"),
            models.Index(fields=["unit_code", "status"], name="couple_unit_status_idx"),
        ]
        verbose_name = "孕前优生家庭档案"
        verbose_name_plural = "孕前优生家庭档案"

    def __str__(self) -> str:
        return self.file_no

    @property
    def husband_display(self) -> str:
        return self.husband.name if self.husband_id else self.husband_name

    @property
    def is_final(self) -> bool:
        return self.status in (CoupleStatus.CLOSED, CoupleStatus.WITHDRAWN)


class Exam(models.Model):
    """One spouse's exam at a designated service point (县计划生育服务中心 or a township station),
    at most one per spouse and file. Results are rows of ``ExamItem``."""

    couple = models.ForeignKey(CoupleFile, on_delete=models.PROTECT, related_name="exams")
    unit_code = models.CharField(max_length=12, db_index=True)
    spouse = models.CharField("受检者", max_length=8, choices=Spouse.choices)
    examined_on = models.DateField("检查日期")
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="+", verbose_name="检查机构"
    )
    examiner = models.CharField("检查医生", max_length=50)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["couple", "spouse"]
        constraints = [
            models.UniqueConstraint(fields=["couple", "spouse"], name="exam_one_per_spouse"),
        ]
        indexes = [models.Index(fields=["unit_code", "examined_on"], name="exam_unit_date_idx")]
        verbose_name = "孕前优生检查"
        verbose_name_plural = "孕前优生检查"

    def __str__(self) -> str:
        return f"{self.couple_id} {self.spouse}"


class ExamItem(models.Model):
    """One of the 19 items of one exam: the abnormal flag is plain (statistics count it), the
    result and the notes are encrypted."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="items")
    unit_code = models.CharField(max_length=12, db_index=True)
    item = models.PositiveSmallIntegerField("检查项目", choices=ITEM_CHOICES)
    abnormal = models.BooleanField("异常", default=False)
    result = EncryptedTextField("检查结果", blank=True)
    notes = EncryptedTextField("备注", blank=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["exam", "item"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "item"], name="exam_item_once"),
        ]
        verbose_name = "检查项目结果"

    def __str__(self) -> str:
        return f"{self.exam_id} #{self.item}"


class RiskAssessment(models.Model):
    """风险评估和咨询指导 (item 18) of one exam: general or high risk; a high-risk person has at
    least one factor from the ``preconception_risk`` dictionary (codes kept plain, comma-joined,
    so the detection rate and the factor mix are counted without decrypting). Counselling: the
    general population by phone (township staff), the high-risk population face to face at the
    service centre, with referral where needed (domain.md §6 [S8j])."""

    exam = models.OneToOneField(Exam, on_delete=models.CASCADE, related_name="assessment")
    unit_code = models.CharField(max_length=12, db_index=True)
    assessed_on = models.DateField("评估日期")
    category = models.CharField("评估结论", max_length=8, choices=RiskCategory.choices)
    factors = models.CharField("风险因素", max_length=100, blank=True)
    details = EncryptedTextField("风险因素说明", blank=True)
    counselled_on = models.DateField("咨询指导日期", null=True, blank=True)
    counselling = models.CharField(
        "咨询指导方式", max_length=6, choices=Counselling.choices, blank=True
    )
    counsellor = models.CharField("咨询指导人员", max_length=50, blank=True)
    referred = models.BooleanField("转诊", default=False)
    referral_to = EncryptedTextField("转诊机构", blank=True)
    referral_notes = EncryptedTextField("转诊说明", blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="评估人",
    )

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["exam"]
        verbose_name = "风险评估"

    def __str__(self) -> str:
        return f"{self.exam_id} {self.category}"

    @property
    def factor_codes(self) -> list[str]:
        return [code for code in self.factors.split(",") if code]


class FollowUp(models.Model):
    """A due follow-up (item 19), created when the wife's pregnancy is recorded: the early-
    pregnancy follow-up is due within 12 weeks of gestation, the outcome follow-up 6 weeks after
    the expected delivery. The outcome, birth defect, birth weight and preterm flag stay plain
    (statistical, as on the card's pregnancy); the notes are encrypted."""

    couple = models.ForeignKey(CoupleFile, on_delete=models.PROTECT, related_name="followups")
    unit_code = models.CharField(max_length=12, db_index=True)
    kind = models.CharField("随访类型", max_length=8, choices=FollowUpKind.choices)
    due_on = models.DateField("应随访日期")
    done_on = models.DateField("随访日期", null=True, blank=True)
    method = models.CharField("随访方式", max_length=6, choices=FollowUpMethod.choices, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="随访人",
    )
    weeks = models.PositiveSmallIntegerField("孕周", null=True, blank=True)
    outcome = models.CharField("妊娠结局", max_length=2, blank=True)
    outcome_on = models.DateField("结局日期", null=True, blank=True)
    birth_defect = models.BooleanField("出生缺陷", null=True, blank=True)
    birth_weight = models.PositiveIntegerField("出生体重（克）", null=True, blank=True)
    preterm = models.BooleanField("早产", null=True, blank=True)
    notes = EncryptedTextField("随访情况", blank=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["couple", "kind"], name="followup_one_per_kind"),
        ]
        indexes = [models.Index(fields=["unit_code", "due_on"], name="followup_unit_due_idx")]
        verbose_name = "随访"

    def __str__(self) -> str:
        return f"{self.couple_id} {self.kind} {self.due_on}"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class TargetPopulation(models.Model):
    """目标人群 of one township and FP year: the count computed from the register (never stored,
    so it cannot go stale) plus ``adjustment`` with its reason, set by the county. The target
    used is computed + adjustment (docs/prepregnancy.md)."""

    unit_code = models.CharField("乡镇代码", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    adjustment = models.IntegerField("人工调整", default=0)
    reason = models.CharField("调整原因", max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="调整人",
    )
    updated_at = models.DateTimeField("调整时间", auto_now=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["year", "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["unit_code", "year"], name="target_once_per_year"),
        ]
        verbose_name = "孕前优生目标人群"

    def __str__(self) -> str:
        return f"{self.unit_code} {self.year} {self.adjustment:+d}"


# --- reproductive-health services (issue 5 items 2–3; docs/rh-services.md) ---------------------


class ServiceQuerySet(PersonalQuerySet):
    """Service records of one woman (person): scoped by the managing unit at recording time."""

    def live(self) -> "ServiceQuerySet":
        """Records not voided (作废): the ones every count and list uses."""
        return self.filter(voided_at__isnull=True)


class ServiceRecord(models.Model):
    """What every service record holds: the person served, her managing unit (管理地) when it
    was recorded (the scoping column; it does not follow a later move, so a township keeps the
    person-times it served), who recorded it, an edit version (optimistic lock), and the void
    (作废) with its reason — a record entered by mistake is voided, never deleted, and drops out
    of every count."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="服务对象"
    )
    unit_code = models.CharField("管理地代码", max_length=12, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="录入人",
    )
    version = models.PositiveIntegerField(default=1)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="作废人",
    )
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class RHCheck(ServiceRecord):
    """生殖健康检查 (妇科检查) of a married woman of childbearing age at the county centre or a
    township station (domain.md §2.5): voluntary, with her consent recorded first. Findings are
    codes of the ``rh_finding`` dictionary, encrypted with the notes, advice and referral; the
    plain ``abnormal`` flag (any finding but 未见异常) and ``referred`` let tables count without
    decrypting. One row is one person-time (人次)."""

    checked_on = models.DateField("检查日期")
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="+", verbose_name="检查机构"
    )
    examiner = models.CharField("检查医生", max_length=50)
    consent_on = models.DateField("知情同意日期")
    findings = EncryptedTextField("检查发现（代码）")
    abnormal = models.BooleanField("有异常发现", default=False)
    finding_notes = EncryptedTextField("检查所见", blank=True)
    advice = EncryptedTextField("治疗建议", blank=True)
    referred = models.BooleanField("转诊", default=False)
    referral_to = EncryptedTextField("转诊机构及说明", blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["unit_code", "checked_on"], name="rhcheck_unit_date_idx")]
        verbose_name = "生殖健康检查"
        verbose_name_plural = "生殖健康检查"

    def __str__(self) -> str:
        return f"{self.person_id} {self.checked_on}"

    @property
    def finding_codes(self) -> list[str]:
        return [code for code in (self.findings or "").split(",") if code]


class Treatment(ServiceRecord):
    """妇科治疗 (e.g. 蓝氧治疗), one row per session (person-time): the kind is a plain code of the
    ``gyn_treatment`` dictionary (counted against the county's quota), the diagnosis and notes
    are encrypted; consent before treatment. ``rh_check`` is the check that found the need."""

    treated_on = models.DateField("治疗日期")
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="+", verbose_name="治疗机构"
    )
    kind = models.CharField("治疗方式", max_length=4, db_index=True)
    rh_check = models.ForeignKey(
        RHCheck,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="treatments",
        verbose_name="来自检查",
    )
    doctor = models.CharField("治疗医生", max_length=50)
    consent_on = models.DateField("知情同意日期")
    diagnosis = EncryptedTextField("诊断")
    notes = EncryptedTextField("治疗情况", blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-treated_on", "-id"]
        indexes = [
            models.Index(fields=["unit_code", "treated_on"], name="treat_unit_date_idx"),
            models.Index(fields=["service_point", "treated_on"], name="treat_point_date_idx"),
        ]
        verbose_name = "妇科治疗"
        verbose_name_plural = "妇科治疗"

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.treated_on}"


class ContraceptionVisit(ServiceRecord):
    """避孕节育随访 after an IUD insertion or removal, an implant, a sterilisation (the episode on
    the woman's card) or an induced abortion (the pregnancy on her card), on the clinical
    schedule of domain.md §2.5. The reason and the result code are plain (statistics), the
    notes encrypted."""

    episode = models.ForeignKey(
        "people.ContraceptionEpisode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="避孕节育情况",
    )
    pregnancy = models.ForeignKey(
        "people.Pregnancy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="孕情",
    )
    visited_on = models.DateField("随访日期")
    reason = models.CharField("随访原因", max_length=14, choices=VisitReason.choices)
    method = models.CharField("随访方式", max_length=6, choices=FollowUpMethod.choices)
    result = models.CharField("随访结果", max_length=14, choices=VisitResult.choices)
    visitor = models.CharField("随访人", max_length=50)
    notes = EncryptedTextField("随访情况", blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(episode__isnull=False, pregnancy__isnull=True)
                    | Q(episode__isnull=True, pregnancy__isnull=False)
                ),
                name="cvisit_episode_or_pregnancy",
            ),
        ]
        indexes = [models.Index(fields=["unit_code", "visited_on"], name="cvisit_unit_date_idx")]
        verbose_name = "避孕节育随访"
        verbose_name_plural = "避孕节育随访"

    def __str__(self) -> str:
        return f"{self.person_id} {self.reason} {self.visited_on}"


class Supply(ServiceRecord):
    """药具发放: free contraceptives given to a person (domain.md §2.5), by product code of the
    ``contraceptive_supply`` dictionary and quantity, at a service point or by the issuing
    unit's staff (``issuer_code``, the recording account's unit)."""

    issued_on = models.DateField("发放日期")
    product = models.CharField("药具品种", max_length=4)
    quantity = models.PositiveIntegerField("数量")
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发放机构",
    )
    issuer_code = models.CharField("发放单位代码", max_length=12)
    notes = EncryptedTextField("备注", blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["unit_code", "issued_on"], name="supply_unit_date_idx")]
        verbose_name = "药具发放"
        verbose_name_plural = "药具发放"

    def __str__(self) -> str:
        return f"{self.person_id} {self.product}×{self.quantity}"
