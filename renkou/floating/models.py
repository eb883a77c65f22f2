"""The floating-population registers (流动人口, domain.md §2.7; issue 16 items 1 and 2).

A ``FloatingRecord`` is one stay away from, or at, a person's 户籍地: an inflow (流入) of a person
living here with hukou elsewhere, or an outflow (流出) of a person of this register living
elsewhere. The person is the register's (``people.Person``), whose ``flow``/``flow_place``
columns and the flow events (``renkou.events``) stay the source of the population scopes; this
record adds what the township works with: where from or to, why, dates, residence, employer,
contact (encrypted, masked on screen), expected and actual return.

A ``Certificate`` is the 流动人口婚育证明 (electronic marriage-and-childbearing certificate) an
inflow person shows at the township of residence, and its verification (查验). Both rows carry
the managing unit's code (``unit_code``) so the one scoping chokepoint covers them.
"""

from datetime import date

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from renkou.common.fields import BlindIndexField, EncryptedTextField
from renkou.floating.constants import (
    CheckResult,
    Direction,
    MatchState,
    MessageKind,
    MessageStatus,
    MessageWay,
)
from renkou.people.models import Person, PersonalQuerySet


class FloatingRecord(models.Model):
    """One inflow or outflow stay of a register person."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="floating_records")
    unit_code = models.CharField("管理单位代码", max_length=12, db_index=True)
    direction = models.CharField("流动类型", max_length=3, choices=Direction.choices)
    place_code = models.CharField("来源地/去向地区划代码", max_length=12, blank=True)
    place_text = models.CharField("来源地/去向地", max_length=100, blank=True)
    reason = models.CharField("流动原因", max_length=2)
    left_on = models.DateField("离开户籍地日期", null=True, blank=True)
    arrived_on = models.DateField("流入/流出日期")
    residence = models.CharField("居住地址", max_length=200, blank=True)
    employer = models.CharField("工作单位", max_length=100, blank=True)
    contact = EncryptedTextField("联系电话", blank=True)
    expected_return = models.DateField("预计返回日期", null=True, blank=True)
    returned_on = models.DateField("实际返回日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["unit_code", "-arrived_on", "-id"]
        indexes = [
            models.Index(fields=["unit_code", "direction"], name="floating_unit_dir_idx"),
        ]
        verbose_name = "流动人口登记"
        verbose_name_plural = "流动人口登记"

    def __str__(self) -> str:
        return f"{self.get_direction_display()}登记 {self.pk}"

    @property
    def place(self) -> str:
        return self.place_text or self.place_code

    @property
    def is_current(self) -> bool:
        return self.returned_on is None


class Certificate(models.Model):
    """婚育证明 shown by an inflow person, and its verification with the 户籍地 (查验)."""

    record = models.ForeignKey(
        FloatingRecord, on_delete=models.PROTECT, related_name="certificates"
    )
    unit_code = models.CharField("管理单位代码", max_length=12, db_index=True)
    number = models.CharField("证明编号", max_length=40)
    authority = models.CharField("发证机关", max_length=100)
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至")
    result = models.CharField(
        "核验结果", max_length=10, choices=CheckResult.choices, blank=True, default=""
    )
    checked_on = models.DateField("核验日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])
    scope_person = "record__person"  # a grant names persons by the record's person

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "婚育证明"
        verbose_name_plural = "婚育证明"

    def __str__(self) -> str:
        return f"婚育证明 {self.pk}"

    @property
    def checked(self) -> bool:
        return self.checked_on is not None and bool(self.result)


class Message(models.Model):
    """A 协查 request or a notice needing a reply, exchanged with another jurisdiction: incoming
    (the other side asks, this unit replies) or outgoing (this unit asks, the reply comes back).
    Due ``URGENT_DAYS`` or ``NORMAL_DAYS`` after it was sent or received; overdue on the to-do
    list of the unit that owes the answer until the reply is recorded. It may name the stay it
    is about (``record``); the subject itself is described only as the request needs it.

    The subject may be identified by the ID number (encrypted, with the register's blind index
    so it is matched without decrypting: ``people.services.id_index``) and/or by name and birth
    date; ``person`` is the local register person it was tied to (by the index, by the record,
    or confirmed by an officer from the name-and-birth-date candidates), ``match`` says how."""

    unit_code = models.CharField("办理单位代码", max_length=12, db_index=True)
    way = models.CharField("收发", max_length=3, choices=MessageWay.choices)
    kind = models.CharField("类别", max_length=10, choices=MessageKind.choices)
    urgent = models.BooleanField("紧急（现孕等）", default=False)
    counterpart = models.CharField("对方地区/单位", max_length=100)
    record = models.ForeignKey(
        FloatingRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name="所涉流动人口登记",
    )
    subject = models.CharField("协查对象（简述）", max_length=100)
    subject_name = models.CharField("协查对象姓名", max_length=50, blank=True)
    subject_birth_date = models.DateField("协查对象出生日期", null=True, blank=True)
    subject_id_number = EncryptedTextField("协查对象身份证号", blank=True)
    subject_id_index = BlindIndexField("协查对象号码索引", blank=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="floating_messages",
        verbose_name="关联本地人员",
    )
    match = models.CharField(
        "匹配方式", max_length=10, choices=MatchState.choices, blank=True, default=""
    )
    question = models.TextField("协查事项")
    dated_on = models.DateField("发出/收到日期")
    due_on = models.DateField("反馈时限")
    reply = models.TextField("反馈内容", blank=True)
    replied_on = models.DateField("反馈日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=MessageStatus.choices, default=MessageStatus.OPEN
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])
    scope_person = "person"  # a grant names persons by the linked person (set from the record)

    class Meta:
        ordering = ["status", "due_on", "-id"]
        verbose_name = "协查函件"
        verbose_name_plural = "协查函件"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    def is_overdue(self, day: date) -> bool:
        return self.status == MessageStatus.OPEN and self.due_on < day
