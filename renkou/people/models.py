"""The whole-population register: households, persons, and the married woman of childbearing
age card with its children, contraception episodes and pregnancies (domain.md §2.2–2.5).

Every row carries ``unit_code``, the 12-digit code of the unit it belongs to (a person's
managing unit, 管理地), which is the scoping column of ``visible_to`` and the partition key if a
province ever shares one database. Sensitive values (ID numbers, phones, reproductive-health
notes) are encrypted at rest; exact search by ID goes through the keyed blind index.
No quota, permit, fine or compulsory-check field exists here (product.md).
"""

from datetime import date
from typing import Any, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from renkou.common import idnumber
from renkou.common.fields import BlindIndexField, EncryptedTextField
from renkou.geo.scope import ScopedQuerySet
from renkou.people.constants import CardCloseReason, CardStatus, Flow, IdStatus, Survival

M = TypeVar("M", bound=models.Model)

_ID_STATUS_OF_PROBLEM = {
    "id_check": IdStatus.CHECK,
    "id_birth_mismatch": IdStatus.BIRTH,
    "id_sex_mismatch": IdStatus.SEX,
}
_CHECKED_DOCS = frozenset({idnumber.DOC_RESIDENT_ID, idnumber.DOC_HUKOU_BOOK})
_STATUS_ORDER = (IdStatus.UNREADABLE, IdStatus.CHECK, IdStatus.BIRTH, IdStatus.SEX)


def id_status_of(id_type: str, number: str, birth_date: date | None, sex: str) -> str:
    """The ``IdStatus`` of a document number against the recorded birth date and sex."""
    if not number:
        return IdStatus.NONE
    if id_type not in _CHECKED_DOCS:
        return IdStatus.OTHER
    result = idnumber.validate(number)
    if result.info is None:
        return IdStatus.UNREADABLE
    if isinstance(birth_date, str):  # an unsaved instance built from form strings
        birth_date = date.fromisoformat(birth_date)
    codes = {p.code for p in result.problems}
    codes.update(p.code for p in idnumber.compare(result.info, birth_date=birth_date, sex=sex))
    found = {_ID_STATUS_OF_PROBLEM[c] for c in codes if c in _ID_STATUS_OF_PROBLEM}
    return ",".join(s for s in _STATUS_ORDER if s in found) or IdStatus.OK


class PersonalQuerySet(ScopedQuerySet[M]):
    """Rows about people: visible only to roles with person-level access, in their subtree."""

    personal = True


class PersonQuerySet(PersonalQuerySet["Person"]):
    def present(self) -> Self:
        return self.filter(exited_at__isnull=True)


class Household(models.Model):
    """户: code = 12-digit village code + 2-digit group + 4-digit serial (domain.md §2.2)."""

    code = models.CharField("户编号", max_length=18, unique=True)
    unit_code = models.CharField("所属村（居）代码", max_length=12, db_index=True)
    group_no = models.CharField("组号", max_length=2)
    address = models.CharField("住址", max_length=200, blank=True)
    hukou_type = models.CharField("户口性质", max_length=2, blank=True)
    household_type = models.CharField("户别", max_length=2, default="1")
    police_no = models.CharField("公安户口编号", max_length=30, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["code"]
        verbose_name = "户"
        verbose_name_plural = "户"

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_code = self.code[:12]
        self.group_no = self.code[12:14]
        super().save(*args, **kwargs)


class Person(models.Model):
    """One person of the register (全员人口个案, domain.md §2.3).

    Birth date and sex are plain columns because statistics need them; the ID number is
    encrypted with a blind index for exact search; a failed check (check character, date,
    birth date or sex mismatch) may be kept only with ``id_override_reason``, which is audited
    and counted in data quality (domain.md §0.10); ``id_status`` keeps the outcome of that
    check in plain text on every save, so data quality counts it without decrypting.
    Exit is soft (``exited_at``) and restorable.
    """

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", null=True, blank=True
    )
    unit_code = models.CharField("管理地代码", max_length=12, db_index=True)
    name = models.CharField("姓名", max_length=50, db_index=True)
    name_key = models.CharField("姓名拼音", max_length=300, blank=True, db_index=True)
    id_type = models.CharField("证件类型", max_length=2, default="01")
    id_number = EncryptedTextField("公民身份号码", blank=True)
    id_index = BlindIndexField("号码索引", blank=True)
    id_override_reason = models.CharField("校验例外原因", max_length=200, blank=True)
    id_status = models.CharField("号码校验结果", max_length=40, blank=True, editable=False)
    sex = models.CharField("性别", max_length=1)
    birth_date = models.DateField("出生日期", db_index=True)
    ethnicity = models.CharField("民族", max_length=2, default="01")
    marital_status = models.CharField("婚姻状况", max_length=2, default="10")
    first_marriage_date = models.DateField("初婚日期", null=True, blank=True)
    education = models.CharField("文化程度", max_length=2, blank=True)
    hukou_type = models.CharField("户口性质", max_length=2, blank=True)
    relationship = models.CharField("与户主关系", max_length=2, blank=True)
    is_head = models.BooleanField("户主", default=False)
    registered_code = models.CharField("户籍地代码", max_length=12, db_index=True)
    residence_code = models.CharField("现居住地代码", max_length=12, db_index=True)
    residence_status = models.CharField("居住状况", max_length=2, default="1")
    flow = models.CharField("流动状态", max_length=3, choices=Flow.choices, blank=True)
    flow_place = models.CharField("流入来源/流出去向", max_length=100, blank=True)
    flow_reason = models.CharField("流动原因", max_length=2, blank=True)
    flow_date = models.DateField("流动日期", null=True, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    spouse = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="配偶",
    )
    father = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children_as_father",
        verbose_name="父亲",
    )
    mother = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children_as_mother",
        verbose_name="母亲",
    )
    exited_at = models.DateField("退出日期", null=True, blank=True)
    exit_reason = models.CharField("退出原因", max_length=2, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "name_key", "id_status"])
    scope_person = "pk"  # a grant names persons by this row's key (renkou.geo.scope)

    class Meta:
        ordering = ["unit_code", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(is_head=True, exited_at__isnull=True),
                name="person_one_head_per_household",
            ),
        ]
        indexes = [
            models.Index(fields=["unit_code", "exited_at"], name="person_unit_exit_idx"),
            # The register list's order over the persons present: a page is read from the index
            # in order, not sorted per request (issue 15 §3).
            models.Index(
                fields=["unit_code", "name", "id"],
                condition=Q(exited_at__isnull=True),
                name="person_list_present_idx",
            ),
        ]
        permissions = [("unmask_person", "查看完整身份证号和电话")]
        verbose_name = "人员"
        verbose_name_plural = "人员"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The ID status follows the number, birth date and sex on every save (bulk loads set
        # it themselves with ``id_status_of``).
        self.id_status = id_status_of(self.id_type, self.id_number, self.birth_date, self.sex)
        fields = kwargs.get("update_fields")
        if fields is not None and "id_status" not in fields:
            kwargs["update_fields"] = [*fields, "id_status"]
        super().save(*args, **kwargs)

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def is_present(self) -> bool:
        return self.exited_at is None


class WomanCard(models.Model):
    """育龄妇女信息卡 (domain.md §2.5): opens for every married woman aged 15–49 and closes at
    50, death, move-out or a change of marital status, by the daily job and on every change."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="card")
    unit_code = models.CharField("管理地代码", max_length=12, db_index=True)
    status = models.CharField(
        "状态", max_length=8, choices=CardStatus.choices, default=CardStatus.OPEN
    )
    opened_on = models.DateField("建卡日期")
    closed_on = models.DateField("注销日期", null=True, blank=True)
    close_reason = models.CharField(
        "注销原因", max_length=12, choices=CardCloseReason.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit_code", "person_id"]
        indexes = [models.Index(fields=["unit_code", "status"], name="card_unit_status_idx")]
        verbose_name = "育龄妇女信息卡"

    def __str__(self) -> str:
        return f"{self.person_id} {self.status}"


class Child(models.Model):
    """A child on the card: parity, kinship and survival decide benefits (domain.md §2.5)."""

    card = models.ForeignKey(WomanCard, on_delete=models.CASCADE, related_name="children")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit_code = models.CharField(max_length=12, db_index=True)
    parity = models.PositiveSmallIntegerField("孩次")
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1)
    birth_date = models.DateField("出生日期")
    id_number = EncryptedTextField("身份证号或出生医学证明编号", blank=True)
    kinship = models.CharField("亲缘关系", max_length=2, default="1")
    survival = models.CharField(
        "存活状况", max_length=6, choices=Survival.choices, default=Survival.ALIVE
    )
    death_date = models.DateField("死亡日期", null=True, blank=True)
    health = models.CharField("健康状况", max_length=2, default="1")
    policy_attribute = models.CharField("政策属性（统计用）", max_length=2, blank=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["card", "parity"]
        verbose_name = "子女"

    def __str__(self) -> str:
        return f"{self.name} ({self.parity})"


class ContraceptionEpisode(models.Model):
    """One contraception episode (domain.md §2.5). The method code stays plain because the
    statistics count it; where and why are reproductive-health details, encrypted."""

    card = models.ForeignKey(WomanCard, on_delete=models.CASCADE, related_name="episodes")
    unit_code = models.CharField(max_length=12, db_index=True)
    method = models.CharField("避孕方法", max_length=2)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    institution = EncryptedTextField("施术/服务机构", blank=True)
    institution_type = models.CharField("机构类型", max_length=2, blank=True)
    no_method_reason = EncryptedTextField("未避孕原因", blank=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()
    scope_person = "card__person"  # the woman of the card, for a grant (renkou.geo.scope)

    class Meta:
        ordering = ["card", "-start"]
        verbose_name = "避孕节育情况"

    def __str__(self) -> str:
        return f"{self.method} {self.start}"


class Pregnancy(models.Model):
    """孕情 and its outcome (domain.md §2.5); the outcome code is statistical, notes encrypted."""

    card = models.ForeignKey(WomanCard, on_delete=models.CASCADE, related_name="pregnancies")
    unit_code = models.CharField(max_length=12, db_index=True)
    detected_on = models.DateField("发现日期")
    weeks = models.PositiveSmallIntegerField("孕周", null=True, blank=True)
    outcome = models.CharField("妊娠结局", max_length=2, blank=True)
    outcome_date = models.DateField("结局日期", null=True, blank=True)
    fetuses = models.PositiveSmallIntegerField("胎儿数", default=1)
    notes = EncryptedTextField("备注", blank=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()
    scope_person = "card__person"  # the woman of the card, for a grant (renkou.geo.scope)

    class Meta:
        ordering = ["card", "-detected_on"]
        verbose_name = "孕情"

    def __str__(self) -> str:
        return f"{self.detected_on} {self.outcome}"


class ImportBatchBase(models.Model):
    """What every uploaded file of an import keeps (persons here, change events in
    ``renkou.events.models.EventImportBatch``): validated first (counts, error report), then
    committed in one mode (security.md §2 "Import: all-or-nothing vs per-row"). ``file_hash``
    (SHA-256) makes re-importing the same file a no-op: at most one batch per hash is ``done``,
    enforced by a partial unique constraint in each table (security.md IN4). The six counts are
    declared by each table with its own labels."""

    class Mode(models.TextChoices):
        ALL = "all", "全部正确才导入"
        ROWS = "rows", "只导入正确的行"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "校验中"
        VALIDATED = "validated", "已校验，待确认"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        REJECTED = "rejected", "未导入（有错误）"
        DUPLICATE = "duplicate", "重复文件（已导入过）"
        FAILED = "failed", "失败"

    file_hash = models.CharField(max_length=64, db_index=True)
    file_name = models.CharField("文件名", max_length=200)
    stored_file = models.CharField(max_length=300, blank=True)
    mode = models.CharField("导入方式", max_length=4, choices=Mode.choices, default=Mode.ALL)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    owner_id = models.BigIntegerField(null=True)
    unit_code = models.CharField(max_length=12, db_index=True)
    total = models.PositiveIntegerField("总行数", default=0)
    good = models.PositiveIntegerField("正确行数", default=0)
    bad = models.PositiveIntegerField("错误行数", default=0)
    error_report = models.CharField(max_length=300, blank=True)
    # The first errors (ID and phone values masked) for the preview page, and file-level
    # notes such as ignored columns; the full list is in the error report.
    errors_head = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_busy(self) -> bool:
        """Validation or commit still running: the batch page keeps polling."""
        return self.status in (self.Status.UPLOADED, self.Status.RUNNING)


class ImportBatch(ImportBatchBase):
    """One uploaded file of persons."""

    to_create = models.PositiveIntegerField("将新增", default=0)
    to_update = models.PositiveIntegerField("将更新", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("无变化", default=0)
    job = models.ForeignKey("common.JobProgress", on_delete=models.SET_NULL, null=True, blank=True)

    class Meta(ImportBatchBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["file_hash"], condition=Q(status="done"), name="import_batch_done_once"
            ),
        ]
        verbose_name = "导入批次"


class DuplicateCandidate(models.Model):
    """A pair that may be one person twice (duplicate queue, domain.md §3 logic checks)."""

    class Reason(models.TextChoices):
        SAME_ID = "same_id", "身份证号相同"
        SAME_NAME_BIRTH_MOTHER = "name_birth_mother", "姓名、出生日期、母亲相同"
        SAME_PINYIN_BIRTH = "pinyin_birth", "同乡镇姓名拼音与出生日期相同"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        MERGED = "merged", "已合并"
        DISTINCT = "distinct", "不是同一人"

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    unit_code = models.CharField(max_length=12, db_index=True)
    reason = models.CharField("疑似原因", max_length=20, choices=Reason.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by_id = models.BigIntegerField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-found_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second", "reason"], name="duplicate_pair_uniq"
            )
        ]
        verbose_name = "疑似重复人员"

    def __str__(self) -> str:
        return f"{self.first_id}~{self.second_id}"


class ExportRequest(models.Model):
    """完整导出申请: one export of the person list with full ID numbers and phones, asked for with
    a reason and approved by a second person (security.md CR8; GB/T 35273-2020 7.1 b, internal
    approval for bulk download).

    ``unit_code`` is the requester's unit, so the scoping chokepoint shows the request to the
    staff of that unit and of the units above it, who may approve it (never the requester: a
    check constraint backs the service rule). ``filters`` holds the person-list filter
    (``selectors.PersonFilter`` fields, with ``unit`` inside the requester's subtree) and never
    an ID number or phone. An approval holds for ``expires_at``; the export uses it once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        USED = "used", "已导出"
        EXPIRED = "expired", "已过期"

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    unit_code = models.CharField("申请单位代码", max_length=12, db_index=True)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    reason = models.CharField("申请事由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    note = models.CharField("审批意见", max_length=300, blank=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    used_at = models.DateTimeField("导出时间", null=True, blank=True)
    row_count = models.PositiveIntegerField("导出人数", null=True, blank=True)
    job = models.ForeignKey(
        "common.JobProgress", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver=F("requester")), name="export_request_second_person"
            ),
        ]
        verbose_name = "完整导出申请"
        verbose_name_plural = "完整导出申请"

    def __str__(self) -> str:
        return f"完整导出申请 {self.pk}"

    @property
    def is_usable(self) -> bool:
        """Approved and not yet expired: the requester may run the export (once)."""
        return self.status == self.Status.APPROVED and not self.is_overdue

    @property
    def is_overdue(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def shown_status(self) -> str:
        """The status as pages show it: an approval past its time reads 已过期 before the next
        POST records that (GET pages never write)."""
        if self.status == self.Status.APPROVED and self.is_overdue:
            return self.Status.EXPIRED.label
        return self.get_status_display()
