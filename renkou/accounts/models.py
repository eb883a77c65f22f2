"""Staff accounts, their password history, the login log and the online sessions."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from renkou.accounts.constants import COUNTY_WIDE_ROLES, ROLE_PERMISSIONS, Perm, Role
from renkou.geo.constants import PREFIX_LENGTH, Level
from renkou.geo.models import Unit
from renkou.geo.scope import ScopedQuerySet


class UserQuerySet(ScopedQuerySet):
    scope_field = "unit__prefix"
    personal = False


class StaffManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
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

    objects = StaffManager()

    class Meta:
        ordering = ["username"]
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def unit_code(self) -> str:
        return self.unit.code if self.unit_id else ""

    @property
    def scope_prefix(self) -> str | None:
        """The code prefix of the subtree this account sees; None = no data scope."""
        if not self.is_active or not self.unit_id or not self.role:
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
