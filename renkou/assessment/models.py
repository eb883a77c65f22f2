"""Yearly service task quotas (任务指标, domain.md §8 target-management responsibility system).

A quota gives one unit (the county or a township) a target for one service measure of
``assessment.measures`` in one FP year: a percentage of a population from the register for a
rate (80 % of pre-pregnancy target couples, 30 % of married WCBA) or a number of person-times for
a count (1,500 blue-oxygen treatments). ``veto`` marks a one-vote-veto item (一票否决): missing it
fails the unit's whole assessment, so pages warn in red while the forecast falls short. Set by
county officers (``assessment.manage_quota``); every change is in the audit log and the history.
"""

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from renkou.geo.models import ServicePoint
from renkou.geo.scope import ScopedQuerySet, UnitRowQuerySet


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


# --- target-responsibility assessment (目标管理责任制, domain.md §7–8, issue 14) ----------------


COUNTY_LEN = 6


class SchemeQuerySet(ScopedQuerySet[Any]):
    """Schemes hold targets and points, no person: visible to every role with a data scope
    within the scheme's county — a township officer reads the county's scheme of its township
    (its letter), so the match is on the county part of the caller's prefix."""

    personal = False

    def visible_to(self, user: Any) -> "SchemeQuerySet":
        prefix = getattr(user, "scope_prefix", None) if user.is_authenticated else None
        if prefix is None:
            return self.none()
        if len(prefix) >= COUNTY_LEN:
            prefix = prefix[:COUNTY_LEN]
        return self.filter(**{f"{self.scope_field}__startswith": prefix})


class SnapshotQuerySet(SchemeQuerySet):
    scope_field = "scheme__unit_code"


class Scheme(models.Model):
    """One year's assessment scheme (考核方案) of a county: the county's letters to its
    townships (``level`` township) or the county's own self-check plan (``level`` county, e.g.
    the 国优 plan). A draft is edited freely; publishing locks it (no item changes) and gives it
    its version number among the published schemes of that year and level; letters are issued
    from a published scheme only. A change after publishing is a new draft copied from it."""

    class Level(models.TextChoices):
        TOWNSHIP = "township", "县对乡镇（责任书）"
        COUNTY = "county", "县级自查（如国优创建）"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    unit_code = models.CharField("县代码", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("考核对象", max_length=10, choices=Level.choices)
    name = models.CharField("方案名称", max_length=100)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveSmallIntegerField("版本", null=True, blank=True)
    notice = models.CharField(
        "提示", max_length=200, blank=True, help_text="如：重构模板，请对照省级文件核实"
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="复制自",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="修改人",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = SchemeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-year", "level", "-version", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_code", "year", "level", "version"],
                name="scheme_version_once",
            ),
        ]
        verbose_name = "考核方案"

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def label(self) -> str:
        if self.is_draft:
            return f"{self.year}年度 {self.name}（草稿）"
        return f"{self.year}年度 {self.name}（第{self.version}版）"


class SchemeItem(models.Model):
    """One item of a scheme (考核指标): its group, points, where its value comes from
    (``source`` kind and ``code``: an indicator, a service quota, a benefit figure, a
    supervision result, or a manual entry), its target with direction, and its scoring
    ``rule`` (structured data checked by ``assessment.scoring.check_rule``: the rule type and
    its parameters, the optional veto condition and effect). A target scores units and staff,
    never an individual person's childbearing."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="items", verbose_name="方案"
    )
    number = models.PositiveSmallIntegerField("序号")
    group = models.CharField("类别", max_length=40)
    name = models.CharField("考核内容", max_length=200)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    source = models.CharField("数据来源", max_length=20)
    code = models.CharField("来源指标", max_length=40, blank=True)
    target = models.DecimalField("目标值", max_digits=10, decimal_places=2, null=True, blank=True)
    direction = models.CharField(
        "方向", max_length=2, choices=[("ge", "不低于"), ("le", "不高于")], default="ge"
    )
    rule = models.JSONField("评分规则", default=dict)
    standard = models.CharField("评分标准说明", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="scheme_item_number_once"),
        ]
        verbose_name = "考核指标"

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class ManualScore(models.Model):
    """An assessor's entry for a manual item of one unit (人工评分): the value (points, or a
    measured value such as satisfaction %, scored by the item's rule), with the reason and
    optional evidence (PDF/JPEG/PNG, stored as the benefit documents are). A new entry for the
    same item and unit replaces the old one; the history keeps every version."""

    item = models.ForeignKey(
        SchemeItem, on_delete=models.CASCADE, related_name="manual", verbose_name="考核指标"
    )
    unit_code = models.CharField("单位代码", max_length=12, db_index=True)
    value = models.DecimalField("评定值", max_digits=10, decimal_places=2)
    reason = models.CharField("评分依据", max_length=300)
    evidence = models.CharField("佐证材料", max_length=80, blank=True)
    evidence_ext = models.CharField("材料类型", max_length=8, blank=True)
    evidence_sha256 = models.CharField("材料摘要", max_length=64, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="评分人",
    )
    entered_at = models.DateTimeField("评分时间", auto_now=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["entered_at"])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "unit_code"], name="manual_score_once"),
        ]
        verbose_name = "人工评分"

    def __str__(self) -> str:
        return f"{self.unit_code} {self.item_id} {self.value}"


class Deduction(models.Model):
    """Points taken off one unit's total in a scheme (扣分), with the reason and, optionally,
    the item it concerns. Withdrawing a deduction keeps the row (``withdrawn_reason``)."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="deductions", verbose_name="方案"
    )
    unit_code = models.CharField("单位代码", max_length=12, db_index=True)
    item = models.ForeignKey(
        SchemeItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="相关指标",
    )
    points = models.DecimalField("扣分", max_digits=6, decimal_places=2)
    reason = models.CharField("扣分原因", max_length=300)
    withdrawn_reason = models.CharField("撤销原因", max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="录入人",
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["entered_at"])

    class Meta:
        ordering = ["entered_at", "pk"]
        verbose_name = "扣分"

    def __str__(self) -> str:
        return f"{self.unit_code} −{self.points}"


class ScoreSnapshot(models.Model):
    """The year's scores frozen (定格): every unit's sheet of a published scheme as computed on
    ``as_of``, stored as data, so later corrections of the register do not change them. A
    re-score is a new version with its reason; earlier versions stay."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="snapshots", verbose_name="方案"
    )
    version = models.PositiveSmallIntegerField("版本")
    as_of = models.DateField("计分日期")
    reason = models.CharField("说明", max_length=300)
    data = models.JSONField("评分结果")
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="定格人",
    )
    frozen_at = models.DateTimeField("定格时间", auto_now_add=True)

    objects = SnapshotQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "version"], name="snapshot_version_once"),
        ]
        verbose_name = "年度考核结果定格"

    def __str__(self) -> str:
        return f"{self.scheme_id} v{self.version}"


class Letter(models.Model):
    """A responsibility letter (目标管理责任书) of a published township scheme to one township:
    the county's wording, the scheme's items with the township's targets (the item's target, or
    the township's own ``TownshipTarget`` with its reason), the signatories and the date; the
    township acknowledges it in the system (who, when, the township's signatory)."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="letters", verbose_name="方案"
    )
    unit_code = models.CharField("乡镇代码", max_length=12, db_index=True)
    wording = models.TextField("责任书正文")
    county_signatory = models.CharField("甲方签字人", max_length=40)
    township_signatory = models.CharField("乙方签字人", max_length=40, blank=True)
    issued_on = models.DateField("签订日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="下达人",
    )
    acknowledged_at = models.DateTimeField("乡镇确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "unit_code"], name="letter_once"),
        ]
        verbose_name = "目标管理责任书"

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.unit_code}"

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class TownshipTarget(models.Model):
    """A township's own target for one item of a scheme (乡镇目标调整), set with the reason while
    the scheme is a draft; its letter states it and its score sheet scores against it."""

    item = models.ForeignKey(
        SchemeItem,
        on_delete=models.CASCADE,
        related_name="township_targets",
        verbose_name="考核指标",
    )
    unit_code = models.CharField("乡镇代码", max_length=12, db_index=True)
    target = models.DecimalField("目标值", max_digits=10, decimal_places=2)
    reason = models.CharField("调整理由", max_length=300)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="调整人",
    )

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["item__number", "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "unit_code"], name="township_target_once"),
        ]
        verbose_name = "乡镇目标调整"

    def __str__(self) -> str:
        return f"{self.unit_code} {self.item_id} {self.target}"


class CountyFigure(models.Model):
    """A figure of another county (or city) of the prefecture for one FP year (地区各县市对比),
    entered or imported by this county's officers from the prefecture's bulletin: its total in
    the prefecture's assessment (``measure`` ``total``) or a statistics indicator. This county's
    own figure is never entered: it is read from the system (its frozen or live score sheet, the
    one indicator definition)."""

    unit_code = models.CharField("本县代码", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    county_name = models.CharField("县（市）", max_length=40)
    measure = models.CharField("指标", max_length=40)
    value = models.DecimalField("数值", max_digits=10, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="录入人",
    )
    entered_at = models.DateTimeField("录入时间", auto_now=True)

    objects = SchemeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["entered_at"])

    class Meta:
        ordering = ["-year", "measure", "county_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_code", "year", "county_name", "measure"],
                name="county_figure_once",
            ),
        ]
        verbose_name = "地区各县市对比数据"

    def __str__(self) -> str:
        return f"{self.year} {self.county_name} {self.measure} {self.value}"


class ResponsibilityEntry(models.Model):
    """领导责任档案: a dated entry the county records in a township's leader-responsibility
    record (调研, 督导, 约谈, 表彰; issue 14 item 7), beside the year's 包乡领导 and the township's
    assessment result. About a township and its leaders' work, never a person of the register:
    leaders read it."""

    class Kind(models.TextChoices):
        SURVEY = "survey", "调研"
        GUIDANCE = "guidance", "督导"
        INTERVIEW = "interview", "约谈"
        COMMENDATION = "commend", "表彰"

    unit_code = models.CharField("乡镇代码", max_length=12, db_index=True)
    on = models.DateField("日期")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    note = models.CharField("内容", max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="录入人",
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit_code", "-on", "-id"]
        verbose_name = "领导责任档案记录"
        verbose_name_plural = "领导责任档案记录"

    def __str__(self) -> str:
        return f"{self.unit_code} {self.on} {self.get_kind_display()}"
