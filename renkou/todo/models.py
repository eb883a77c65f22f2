"""Reminder rules (data a county edits) and the to-do items a refresh materialises from them
(服务信息引导, domain.md §2.5; docs/todo.md).

A ``ReminderRule`` names a population from the registry in ``renkou.todo.populations`` (who),
the codes that narrow it (which contraception methods, pregnancy outcomes or follow-up kinds),
the schedule (offsets from the anchor date and an optional repeat while the population still
holds), the lead, grace and expiry days, what closes an item, and which roles see its items.
Rules are county-wide configuration, not personal data: every edit bumps ``version``, is kept
by django-simple-history and writes an audit row.

A ``TodoItem`` is one occurrence for one person: the anchor record it hangs on (an episode, a
pregnancy, the card of a year, a pre-pregnancy follow-up), its due date and window, and its
status. It is derived data: ``renkou.todo.services.refresh`` creates and updates items from the
register and the service records and never needs a person to edit one. ``unit_code`` is the
woman's managing unit, the scoping column of ``visible_to``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from renkou.geo.scope import CountyWideQuerySet
from renkou.people.models import PersonalQuerySet
from renkou.todo.constants import ROLE_NAMES, VISIT_REASON_NAMES, VISIT_REASONS, Population, Status

OFFSETS_HELP = "自起算日起，如 1m,3m,6m,12m（d 天、m 月、y 年）"
REPEAT_HELP = "人群仍符合时每隔多久再提醒一次，如 12m；为空不重复"


class ReminderRule(models.Model):
    """One reminder rule (服务提醒规则). Schedule fields are validated by ``forms.RuleForm`` and
    ``services.rule_save`` (offsets increase; a visit reason for the populations closed by a
    visit)."""

    code = models.SlugField("规则代码", max_length=40, unique=True)
    name = models.CharField("规则名称", max_length=60)
    active = models.BooleanField("启用", default=True)
    population = models.CharField("适用人群", max_length=24, choices=Population.choices)
    codes = models.CharField(
        "方法/结局/随访类型代码",
        max_length=60,
        blank=True,
        help_text="多个代码用逗号分隔；为空表示不限",
    )
    visit_reason = models.CharField(
        "办结随访类型", max_length=16, choices=VISIT_REASONS, blank=True
    )
    offsets = models.CharField("到期间隔", max_length=80, help_text=OFFSETS_HELP)
    repeat = models.CharField("此后重复间隔", max_length=10, blank=True, help_text=REPEAT_HELP)
    lead_days = models.PositiveSmallIntegerField("提前显示天数", default=14)
    grace_days = models.PositiveSmallIntegerField("逾期宽限天数", default=0)
    expire_days = models.PositiveIntegerField(
        "过期天数", default=90, help_text="超过到期日多少天未办理即过期"
    )
    roles = models.CharField(
        "可见角色", max_length=120, default="village_admin,township_officer,technician"
    )
    basis = models.CharField("依据", max_length=200, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )

    objects = CountyWideQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["population", "code"]
        verbose_name = "服务提醒规则"
        verbose_name_plural = "服务提醒规则"

    def __str__(self) -> str:
        return self.name

    @property
    def code_list(self) -> list[str]:
        return [c.strip() for c in self.codes.replace("，", ",").split(",") if c.strip()]

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]

    @property
    def role_names(self) -> str:
        return "、".join(ROLE_NAMES.get(r, r) for r in self.role_list)

    @property
    def visit_reason_name(self) -> str:
        return VISIT_REASON_NAMES.get(self.visit_reason, "")


class TodoItem(models.Model):
    """One reminder for one person (待办事项). ``closed_type``/``closed_id`` name the record
    that closed it (``programs.contraceptionvisit``, ``programs.rhcheck``,
    ``people.contraceptionepisode`` for an implant taken out, ``programs.couplefile`` for an exam,
    ``programs.followup``)."""

    rule = models.ForeignKey(ReminderRule, on_delete=models.PROTECT, related_name="items")
    rule_version = models.PositiveIntegerField("规则版本")
    # None for a unit's item (a dated task of renkou.supervision): unit_code is then the
    # responsible unit's.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    unit_code = models.CharField("管理地代码", max_length=12)
    anchor_type = models.CharField("起算记录类型", max_length=16)
    anchor_id = models.PositiveBigIntegerField("起算记录")
    due_on = models.DateField("到期日期")
    overdue_on = models.DateField("逾期起算")  # overdue from the day after
    ends_on = models.DateField("过期日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField("办理日期", null=True, blank=True)
    closed_type = models.CharField("办结记录类型", max_length=40, blank=True)
    closed_id = models.PositiveBigIntegerField("办结记录", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "anchor_type", "anchor_id", "due_on"], name="todo_item_once"
            )
        ]
        indexes = [
            models.Index(fields=["unit_code", "status", "due_on"], name="todo_unit_status_due"),
            models.Index(fields=["person", "status"], name="todo_person_status"),
            models.Index(fields=["rule", "status"], name="todo_rule_status"),
        ]
        verbose_name = "待办事项"
        verbose_name_plural = "待办事项"

    def __str__(self) -> str:
        return f"{self.rule_id} {self.person_id} {self.due_on}"


class RefreshRun(models.Model):
    """One refresh of the to-do lists: the daily job, a command run, or a rule edit. The daily
    job holds one row per day (the unique constraint), so two chains of the self-scheduling task
    can never both run: the second finds the day taken and stops."""

    class Trigger(models.TextChoices):
        DAILY = "daily", "每日任务"
        COMMAND = "command", "命令"
        RULE = "rule", "规则修改"

    day = models.DateField("日期")
    trigger = models.CharField("触发方式", max_length=10, choices=Trigger.choices)
    prefix = models.CharField("单位", max_length=12, blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    seconds = models.FloatField("耗时（秒）", null=True, blank=True)
    created = models.PositiveIntegerField("新增", default=0)
    changed = models.PositiveIntegerField("更新", default=0)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["day"], condition=Q(trigger="daily"), name="todo_one_daily_run"
            )
        ]
        verbose_name = "待办刷新记录"

    def __str__(self) -> str:
        return f"{self.day} {self.trigger}"
