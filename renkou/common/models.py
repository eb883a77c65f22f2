"""Shared records with no domain meaning: the audit trail, the dictionary, job progress."""

from django.db import models
from simple_history.models import HistoricalRecords


class AuditEntry(models.Model):
    """One append-only row of the audit trail (等保 安全审计; security.md AD1–AD3).

    Who (user id, user name, role, unit code as they were at the time — copied, not linked,
    so that later edits of the account cannot rewrite history), when, from where, what, the
    result and a reason when one was asked. ``seq`` is gap-free and ``hash`` chains every row
    to the one before with an HMAC keyed outside the database, so ``verify_audit`` finds any
    edited, inserted or deleted row. Never holds names, ID numbers, phones or health details.
    """

    class Result(models.TextChoices):
        OK = "ok", "成功"
        DENIED = "denied", "拒绝"
        FAILED = "failed", "失败"

    seq = models.BigIntegerField("序号", unique=True)
    ts = models.DateTimeField("时间", db_index=True)
    user_id = models.BigIntegerField("用户ID", null=True, blank=True)
    username = models.CharField("用户名", max_length=150, blank=True)
    role = models.CharField("角色", max_length=32, blank=True)
    unit_code = models.CharField("单位代码", max_length=12, blank=True, db_index=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    action = models.CharField("操作", max_length=48, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=500, blank=True)
    row_count = models.IntegerField("行数", null=True, blank=True)
    result = models.CharField("结果", max_length=8, choices=Result.choices, default=Result.OK)
    reason = models.CharField("事由", max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        permissions = [("view_audit_log", "查看审计日志")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.username}"


class AuditHead(models.Model):
    """The chain head: the last sequence number and hash. Writers lock this single row, so
    concurrent writers serialise and the chain never forks; a deleted tail is detectable
    because the head still remembers the last row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class DictType(models.Model):
    """A code list (字典类型), e.g. ``sex`` 性别, maintained by the county without a developer."""

    code = models.SlugField("字典类型", max_length=64, unique=True)
    name = models.CharField("字典名称", max_length=100)
    source = models.CharField("依据标准", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    remark = models.CharField("备注", max_length=500, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "字典类型"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DictItem(models.Model):
    """One code of a code list (字典数据). A disabled item drops out of pickers but old rows
    still show its label (greyed), unlike RuoYi which then shows the raw code.

    ``aliases`` are the other ways people write the label (简称、旧称、常见写法: 身份证 for
    居民身份证, 藏 for 藏族): imports map them to the code and say so in a note (issue 13
    item 6). Within a type an alias is unique and never another item's value or label
    (checked by ``renkou.system.services``). Every version is kept (``history``).
    """

    class Tag(models.TextChoices):
        DEFAULT = "secondary", "默认"
        PRIMARY = "primary", "主要"
        SUCCESS = "success", "成功"
        INFO = "info", "信息"
        WARNING = "warning", "警告"
        DANGER = "danger", "危险"

    dict_type = models.ForeignKey(DictType, on_delete=models.CASCADE, related_name="items")
    value = models.CharField("字典键值", max_length=32)
    label = models.CharField("字典标签", max_length=100)
    sort = models.PositiveIntegerField("排序", default=0)
    tag = models.CharField("标签样式", max_length=16, choices=Tag.choices, default=Tag.DEFAULT)
    is_default = models.BooleanField("默认", default=False)
    is_active = models.BooleanField("启用", default=True)
    remark = models.CharField("备注", max_length=500, blank=True)
    aliases = models.JSONField("别名", default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["dict_type", "sort", "value"]
        constraints = [
            models.UniqueConstraint(fields=["dict_type", "value"], name="dictitem_type_value_uniq")
        ]
        verbose_name = "字典数据"

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


class JobProgress(models.Model):
    """Progress of one background job (import, export, report build), polled by the jobs page.

    ``django.tasks`` has no progress API, so the task updates this row; ``task_id`` links it to
    the worker's own result row.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    kind = models.CharField("任务类型", max_length=64)
    title = models.CharField("任务名称", max_length=200)
    owner_id = models.BigIntegerField("发起人ID", null=True)
    unit_code = models.CharField("单位代码", max_length=12, db_index=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    message = models.CharField("结果说明", max_length=500, blank=True)
    result_file = models.CharField("结果文件", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "后台任务"

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(self.done * 100 / self.total))


class SiteNote(models.Model):
    """Facts about this installation shown to every user, e.g. that the register holds
    synthetic demo data (key ``synthetic_data``)."""

    key = models.SlugField(max_length=64, unique=True)
    value = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "系统提示"

    def __str__(self) -> str:
        return self.key


class PurgeRun(models.Model):
    """One run of the stored-file retention purge (``manage.py purge_files`` or the daily job).
    The daily job holds one row per day, so two chains of the self-scheduling task never both
    run (as the to-do refresh does)."""

    class Trigger(models.TextChoices):
        DAILY = "daily", "每日任务"
        COMMAND = "command", "命令"

    day = models.DateField("日期")
    trigger = models.CharField("触发方式", max_length=10, choices=Trigger.choices)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    removed = models.PositiveIntegerField("删除文件", default=0)
    tightened = models.PositiveIntegerField("收紧权限", default=0)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["day"], condition=models.Q(trigger="daily"), name="one_daily_purge"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.trigger}"
