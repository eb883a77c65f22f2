"""Staff accounts, their password history, the login log and the online sessions."""

from datetime import date, timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from renkou.accounts import grants
from renkou.accounts.constants import (
    COUNTY_WIDE_ROLES,
    GRANTED_PERSON_ROLES,
    ROLE_PERMISSIONS,
    AreaRole,
    Perm,
    Role,
)
from renkou.common import dates
from renkou.geo.constants import PREFIX_LENGTH, Level
from renkou.geo.models import Unit
from renkou.geo.scope import PersonGrant, ScopedQuerySet, UnitRowQuerySet


class UserQuerySet(ScopedQuerySet["User"]):
    scope_field = "unit__prefix"
    personal = False


class StaffManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # the plugin types only a module-level from_queryset
    pass


class User(AbstractUser):
    """A member of staff: one role, one unit; sees that unit's subtree (RuoYi 本部门及以下)."""

    role = models.CharField("角色", max_length=24, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="staff", null=True)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    must_change_password = models.BooleanField("须修改初始密码", default=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    mfa_required = models.BooleanField(
        "强制双因素", default=False, help_text="角色不要求时，也可对单个账号强制双因素认证"
    )

    objects: ClassVar[StaffManager] = StaffManager()
    # (day, grants) of the last ``person_grants`` call: one grant lookup per request (the user
    # object lives for one request), and a new one when the day changes.
    _grants_cache: tuple[date, tuple[PersonGrant, ...]] | None = None

    class Meta:
        ordering = ["username"]
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def unit_code(self) -> str:
        return self.unit.code if self.unit is not None else ""

    @property
    def scope_prefix(self) -> str | None:
        """The code prefix of the subtree this account sees; None = no data scope."""
        if not self.is_active or self.unit is None or not self.role:
            return None
        if self.role in COUNTY_WIDE_ROLES:
            return self.unit.code[: PREFIX_LENGTH[Level.COUNTY]]
        return self.unit.prefix

    @property
    def permissions(self) -> frozenset[str]:
        return ROLE_PERMISSIONS.get(self.role, frozenset()) if self.is_active else frozenset()

    @property
    def reads_person_data(self) -> bool:
        return Perm.VIEW_PERSON in self.permissions

    @property
    def person_pages_open(self) -> bool:
        """Whether pages of people's data lead anywhere today: the permission, and for a role
        in ``GRANTED_PERSON_ROLES`` a grant today. Outside a visit the inspector's person lists
        are empty, so neither the menu nor an aggregate page (its module's links, the name
        lists behind a count) offers them, and its small counts are suppressed as for an
        account without person access."""
        return self.has_perm(Perm.VIEW_PERSON) and self.person_grants() != ()

    def person_grants(self) -> tuple[PersonGrant, ...] | None:
        """None: people's data in the unit's subtree (``scope_prefix``). A tuple: only what the
        grants name, for a role in ``GRANTED_PERSON_ROLES`` (empty: no person at all)."""
        if self.role not in GRANTED_PERSON_ROLES:
            return None
        today = dates.today()
        if self._grants_cache is None or self._grants_cache[0] != today:
            self._grants_cache = (today, grants.collect(self, today))
        return self._grants_cache[1]

    @property
    def needs_mfa(self) -> bool:
        return self.mfa_required or self.role in settings.RENKOU_MFA_REQUIRED_ROLES

    def password_expired(self) -> bool:
        from renkou.accounts.passwords import profile

        days = profile().expiry_days
        if not days or self.password_changed_at is None:
            return False
        return timezone.now() - self.password_changed_at > timedelta(days=days)


class PasswordHistory(models.Model):
    """Hashes of earlier passwords, so the last N cannot be reused (mlps profile)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class LoginLog(models.Model):
    """登录日志: every sign-in, failure, lockout, two-factor failure and sign-out."""

    class Result(models.TextChoices):
        SUCCESS = "success", "登录成功"
        FAILURE = "failure", "密码错误或用户不存在"
        LOCKED = "locked", "账号锁定"
        ADDRESS_LOCKED = "addr_locked", "来源地址锁定"
        MFA_FAILURE = "mfa_failure", "动态口令错误"
        LOGOUT = "logout", "退出"
        TIMEOUT = "timeout", "超时退出"
        FORCED = "forced", "被强制退出"
        ACTIVATION_FAILURE = "act_failure", "激活码错误"
        ACTIVATED = "activated", "激活账号"

    ts = models.DateTimeField("时间", default=timezone.now, db_index=True)
    username = models.CharField("登录名", max_length=150, db_index=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    ip = models.CharField("地址", max_length=45, db_index=True)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)
    result = models.CharField("结果", max_length=12, choices=Result.choices)

    class Meta:
        ordering = ["-ts"]
        verbose_name = "登录日志"

    def __str__(self) -> str:
        return f"{self.username} {self.result}"


class UserSession(models.Model):
    """在线用户: one row per signed-in session, for the list and forced logout (强退)."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    ip = models.CharField("地址", max_length=45)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)
    created_at = models.DateTimeField("登录时间", default=timezone.now)
    last_seen = models.DateTimeField("最后活动", default=timezone.now)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = "在线会话"

    def __str__(self) -> str:
        return f"{self.user_id} {self.ip}"


class SessionEnd(models.Model):
    """Why a session was ended by someone else (强退, an account change, a password change), so
    that the person's next request lands on the sign-in page with the reason rather than a bare
    form. Keyed by the SHA-256 of the dead session's key; read once, then removed; rows older
    than the absolute timeout are swept by the daily retention job."""

    class Reason(models.TextChoices):
        FORCED = "forced", "您已被管理员强制下线，请重新登录。如有疑问请联系安全管理员。"
        ACCOUNT = "account", "管理员停用了您的账号或更改了其角色、单位，本次登录已结束。"
        PASSWORD = "password", "您的密码已在其他地方修改，本次登录已结束，请用新密码登录。"
        RESET = "reset", "您的密码已被重置，请用安全管理员给您的激活码重新激活账号。"

    key_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    ended_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "会话结束原因"

    def __str__(self) -> str:
        return f"{self.reason} @ {self.ended_at:%Y-%m-%d %H:%M}"


class AccountRequest(models.Model):
    """账号授权申请: a change to an account that one administrator may not make alone (三员 by
    construction, issue 19 item 2; 等保 访问控制 d, GB/T 35273 7.1 c).

    The system administrator files it; a security administrator approves or rejects it (for a
    security administrator's own account, another security administrator or the audit
    administrator). A new account and a password reset end in a one-time activation code shown
    to the approver only, so the administrator who asked never holds a usable credential.
    ``unit_code`` is the unit the account has or will have, the scope of the request.
    """

    class Kind(models.TextChoices):
        CREATE = "create", "新增账号"
        UPDATE = "update", "修改账号"
        RESET = "reset", "重置密码"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        CANCELLED = "cancelled", "已撤回"

    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    target = models.ForeignKey(
        User,
        verbose_name="账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account_requests",
    )
    # The values asked for (a new account's, or an edited account's after the change).
    username = models.CharField("用户名", max_length=150)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("启用", default=True)
    mfa_required = models.BooleanField("强制双因素", default=False)
    unit_code = models.CharField("单位代码", max_length=12, db_index=True)
    changes = models.CharField("变更内容", max_length=300, blank=True)
    reason = models.CharField("申请事由", max_length=200)
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    objects = UnitRowQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "账号授权申请"
        constraints = [
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_account",
            ),
            models.UniqueConstraint(
                fields=["username"],
                condition=models.Q(status="pending", kind="create"),
                name="one_pending_creation_per_username",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"


class ActivationCode(models.Model):
    """一次性激活码: how an account gets its first password and its TOTP device, after creation
    or a password reset. Shown once to the approver (or printed by ``manage.py
    activation_code``), kept only as a SHA-256 hash, valid for 24 hours and for one use; a new
    code for the account voids the earlier ones."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    request = models.ForeignKey(
        AccountRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="codes"
    )
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "激活码"

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class StaffAssignment(models.Model):
    """包乡包村: a member of staff assigned to a township (包乡领导, 包乡干部) or a village
    (包村技术员) besides the unit the account belongs to, from a date until it is ended (issue
    14 item 7). A row about a unit, not a person of the register: every account with a data
    scope reads those of its subtree (leaders included). The score sheets name the township's
    staff; the inspections show each sampled village's staff and keep an inspector away from
    the area assigned to it (回避). Written by ``renkou.accounts.staffing`` only."""

    user = models.ForeignKey(
        User, verbose_name="人员", on_delete=models.PROTECT, related_name="area_assignments"
    )
    unit_code = models.CharField("联系单位代码", max_length=12, db_index=True)
    role = models.CharField("包联职责", max_length=20, choices=AreaRole.choices)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("终止日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitRowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit_code", "role", "starts_on", "id"]
        verbose_name = "包乡包村"
        verbose_name_plural = "包乡包村"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit_code", "role"],
                condition=models.Q(ends_on__isnull=True),
                name="accounts_one_open_area_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.unit_code} {self.user_id}"

    def active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)
