"""One-time activation codes: how a new account, or one whose password was reset, gets its
password and its TOTP device from the person it belongs to (issue 19 item 2).

An administrator never sees a usable credential: the code goes to the approver (or to the
server's operator, ``manage.py activation_code``), who hands it to the person; the person sets
the password and binds the authenticator app on ``/accounts/activate/``. A code is 16 characters
from a 32-letter alphabet without look-alikes (80 bits), kept as a SHA-256 hash, valid for 24
hours and once; a new code voids the account's earlier ones. Wrong codes count towards the same
per-address lockout as wrong passwords, and five for one user name in 15 minutes lock that name.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from renkou.accounts import services
from renkou.accounts.models import AccountRequest, ActivationCode, LoginLog, SessionEnd, User

__all__ = ["ActivationCode", "ActivationRefused", "activate", "code_check", "code_issue"]
from renkou.common import audit
from renkou.common.actors import Actor

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
LENGTH = 16
VALID_FOR = timedelta(hours=24)
NAME_FAILURE_LIMIT = 5


class ActivationRefused(Exception):
    """The activation cannot go ahead; the message is for the person activating."""


def normalise(text: str) -> str:
    return "".join(c for c in (text or "").upper() if c.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("ascii", "ignore")).hexdigest()


def _readable(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def code_issue(
    *, user: User, actor: Actor, request: AccountRequest | None = None, via: str = ""
) -> str:
    """A new code for ``user`` (earlier unused ones are voided); returned once, never stored."""
    now = timezone.now()
    ActivationCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    ActivationCode.objects.create(
        user=user,
        code_hash=_digest(code),
        request=request,
        issued_by=actor.user if getattr(actor.user, "pk", None) else None,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    audit.record(
        actor=actor.user,
        username=via,
        ip=actor.ip,
        action="account.code_issue",
        object_type="accounts.user",
        object_id=user.pk,
        summary=f"request={request.pk if request else '-'} via={via or 'web'}",
    )
    return _readable(code)


def pending_code(user: User) -> ActivationCode | None:
    """The account's live code, if one is waiting to be used (for the 待激活 badge)."""
    now = timezone.now()
    return user.activation_codes.filter(used_at__isnull=True, expires_at__gt=now).first()


def _name_locked(username: str) -> bool:
    since = timezone.now() - services.ADDRESS_WINDOW
    failures = LoginLog.objects.filter(
        username__iexact=username, ts__gte=since, result=LoginLog.Result.ACTIVATION_FAILURE
    ).count()
    return failures >= NAME_FAILURE_LIMIT


def code_check(request: Any, *, username: str, code: str) -> ActivationCode:
    """The live code matching ``username`` and ``code``, or ``ActivationRefused`` (logged as a
    failure, so that guessing runs into the lockouts)."""
    if services.address_locked(request.client_ip) or _name_locked(username):
        raise ActivationRefused("尝试次数过多，请 15 分钟后再试，或联系安全管理员。")
    now = timezone.now()
    found = (
        ActivationCode.objects.select_related("user")
        .filter(
            code_hash=_digest(code),
            user__username__iexact=username,
            user__is_active=True,
            used_at__isnull=True,
            expires_at__gt=now,
        )
        .first()
    )
    if found is None:
        services.login_record(request, username=username, result=LoginLog.Result.ACTIVATION_FAILURE)
        raise ActivationRefused("用户名或激活码不正确，或激活码已使用、已过期（有效期 24 小时）。")
    return found


def totp_matches(key_hex: str, token: str) -> int | None:
    """The time step the six-digit ``token`` belongs to under ``key_hex`` (±1 step), or None."""
    try:
        value = int(token.strip())
    except ValueError:
        return None
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6)
    return totp.t() if totp.verify(value, tolerance=1) else None


@transaction.atomic
def activate(
    request: Any, *, code_id: int, password: str, totp_key: str = "", token: str = ""
) -> tuple[User, TOTPDevice | None]:
    """Set the password (the profile's rules apply) and, for an account that must use
    two-factor, bind the authenticator whose code ``token`` proves the key; use up the code and
    end any session the account still had. All or nothing."""
    code = (
        ActivationCode.objects.select_for_update()
        .select_related("user")
        .filter(pk=code_id, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if code is None or not code.user.is_active:
        raise ActivationRefused("激活码已使用或已过期，请联系系统管理员重新申请。")
    user = code.user
    device = None
    if user.needs_mfa:
        step = totp_matches(totp_key, token) if totp_key else None
        if step is None:
            raise ActivationRefused(
                "动态口令不正确：请确认手机验证器已添加本账号，并输入当前显示的 6 位数字。"
            )
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name="手机验证器", key=totp_key, confirmed=True, last_t=step
        )
    user.must_change_password = True  # the forced path: exempt from the minimum age
    actor = Actor(user, request.client_ip)
    services.password_set(user=user, raw=password, actor=actor)
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
    services.sessions_kill(user=user, actor=actor, reason=SessionEnd.Reason.PASSWORD)
    audit.record(
        actor=user,
        ip=request.client_ip,
        action="account.activate",
        object_type="accounts.user",
        object_id=user.pk,
        summary=f"mfa={'yes' if device else 'no'}",
    )
    return user, device


OPERATOR = "manage.py activation_code"


@transaction.atomic
def operator_issue(
    *, username: str, role: str = "", unit: Any = None, full_name: str = ""
) -> tuple[User, str]:
    """The server operator's path (``manage.py activation_code``): the first administrators of
    a new installation, or an account no second administrator can reach. With ``role`` and
    ``unit`` the account is created; an existing one loses its password and sessions, as on an
    approved reset. Audited under the command's name."""
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        if not role or unit is None:
            raise ActivationRefused(f"没有账号 {username}；新建账号请同时给出 --role 和 --unit")
        user = User(username=username, role=role, unit=unit, full_name=full_name)
        user.set_unusable_password()
        user.save()
        audit.record(
            actor=None,
            username=OPERATOR,
            action="user.create",
            object_type="accounts.user",
            object_id=user.pk,
            summary=f"role={role} unit={unit.code}",
        )
    elif role or unit is not None:
        raise ActivationRefused(f"账号 {user.username} 已存在；角色和单位请在“用户管理”中申请修改")
    else:
        user.set_unusable_password()
        audit.record(
            actor=None,
            username=OPERATOR,
            action="password.reset",
            object_type="accounts.user",
            object_id=user.pk,
        )
    user.must_change_password = True
    user.is_active = True
    user.save()
    services.sessions_kill(user=user, actor=Actor(None), reason=SessionEnd.Reason.RESET)
    return user, code_issue(user=user, actor=Actor(None), via=OPERATOR)
