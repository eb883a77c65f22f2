"""Writes about staff accounts: sign-in records, passwords, accounts and their sessions."""

import hashlib
import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from renkou.accounts.constants import Role
from renkou.accounts.models import LoginLog, PasswordHistory, SessionEnd, User, UserSession
from renkou.accounts.passwords import min_age_message, profile, too_soon
from renkou.common import audit
from renkou.common.actors import Actor
from renkou.common.logging import scrub
from renkou.geo.models import Unit

ADDRESS_WINDOW = timedelta(minutes=15)
_FAILURES = (LoginLog.Result.FAILURE, LoginLog.Result.MFA_FAILURE)


def _agent(request: HttpRequest) -> str:
    agent: str = request.META.get("HTTP_USER_AGENT", "")
    return agent[:200]


def login_record(
    request: HttpRequest, *, username: str, result: str, user: User | None = None
) -> LoginLog:
    """Write the login-log row and its audit row (sign-ins and failures are audited)."""
    entry = LoginLog.objects.create(
        username=scrub(username)[:150],
        user=user,
        ip=request.client_ip,  # type: ignore[attr-defined]  # set by ClientAddressMiddleware
        user_agent=_agent(request),
        result=result,
    )
    ok = result in (LoginLog.Result.SUCCESS, LoginLog.Result.LOGOUT)
    audit.record(
        actor=user,
        username=username,
        ip=request.client_ip,  # type: ignore[attr-defined]  # set by ClientAddressMiddleware
        action=f"auth.{result}",
        object_type="accounts.user",
        object_id=user.pk if user else "",
        result="ok" if ok else "failed",
    )
    return entry


def address_locked(ip: str) -> bool:
    """Per-address limit across user names (credential stuffing): N failures in 15 minutes."""
    since = timezone.now() - ADDRESS_WINDOW
    failures = LoginLog.objects.filter(ip=ip, ts__gte=since, result__in=_FAILURES).count()
    return failures >= settings.RENKOU_ADDRESS_FAILURE_LIMIT


def session_start(request: HttpRequest, user: User) -> None:
    now = timezone.now()
    request.session["renkou_auth_at"] = now.timestamp()
    request.session["renkou_seen_at"] = now.timestamp()
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip": request.client_ip,  # type: ignore[attr-defined]  # as above
            "user_agent": _agent(request),
            "created_at": now,
            "last_seen": now,
        },
    )


SEEN_GRANULARITY = 15  # seconds: activity is recorded at most this often


def session_touch(request: HttpRequest) -> None:
    """Mark the session active. The session is re-saved at most every 15 seconds and the
    online-sessions row at most once a minute, so a busy page does not write on every request
    (the idle timeout is then exact to within 15 seconds)."""
    now = timezone.now()
    last = request.session.get("renkou_seen_at", 0)
    if now.timestamp() - last < SEEN_GRANULARITY:
        return
    request.session["renkou_seen_at"] = now.timestamp()
    if now.timestamp() - last > 60 and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).update(last_seen=now)


def session_digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", "ignore")).hexdigest()


def _end(keys: list[str], reason: str) -> None:
    """Delete the sessions and remember why, for the message at the person's next request."""
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    now = timezone.now()
    ends = [SessionEnd(key_hash=session_digest(k), reason=reason, ended_at=now) for k in keys]
    SessionEnd.objects.bulk_create(ends, ignore_conflicts=True)


def sessions_kill(
    *,
    user: User,
    actor: Actor,
    except_key: str | None = None,
    reason: str = SessionEnd.Reason.FORCED,
) -> int:
    """End every session of ``user`` (强退), except optionally the caller's own."""
    rows = UserSession.objects.filter(user=user)
    if except_key:
        rows = rows.exclude(session_key=except_key)
    keys = list(rows.values_list("session_key", flat=True))
    with transaction.atomic():
        _end(keys, reason)
        audit.record(
            actor=actor.user,
            ip=actor.ip,
            action="session.kill",
            object_type="accounts.user",
            object_id=user.pk,
            row_count=len(keys),
            summary=f"scope=all reason={reason}",
        )
    return len(keys)


@transaction.atomic
def session_kill(*, session: UserSession, actor: Actor) -> None:
    """End one session (强退 on one row of 在线用户); the account's other sessions go on."""
    _end([session.session_key], SessionEnd.Reason.FORCED)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="session.kill",
        object_type="accounts.user",
        object_id=session.user_id,
        row_count=1,
        summary=f"scope=one session={session.pk}",
    )


def session_end_reason(key: str) -> str:
    """The message for a session someone else ended (once: the record is removed)."""
    digest = session_digest(key)
    row = SessionEnd.objects.filter(key_hash=digest).first()
    if row is None:
        return ""
    SessionEnd.objects.filter(pk=row.pk).delete()
    return row.get_reason_display()


def session_rekey(request: HttpRequest, *, old_key: str | None) -> None:
    """Follow a cycled session key, so the session stays listed and can still be ended."""
    if old_key and request.session.session_key:
        UserSession.objects.filter(session_key=old_key).update(
            session_key=request.session.session_key
        )


def session_end(request: HttpRequest) -> None:
    if request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def password_set(*, user: User, raw: str, actor: Actor, initial: bool = False) -> None:
    """Validate against the profile, keep the old hash in the history, store the new one.

    ``initial`` marks a password set by an administrator: the user must change it at the
    next sign-in (mlps 强制修改初始密码). The account's own change waits for the profile's
    minimum age (``passwords.too_soon``).
    """
    own = actor.user is not None and getattr(actor.user, "pk", None) == user.pk
    if own and not initial and user.pk and too_soon(user):
        raise ValidationError(min_age_message(user), code="password_min_age")
    password_validation.validate_password(raw, user)
    with transaction.atomic():
        if user.pk and user.has_usable_password():
            PasswordHistory.objects.create(user=user, password=user.password)
            keep = profile().history or 5
            stale = user.password_history.values_list("pk", flat=True)[keep:]
            PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        user.set_password(raw)
        user.password_changed_at = timezone.now()
        user.must_change_password = initial
        user.save()
        audit.record(
            actor=actor.user,
            ip=actor.ip,
            action="password.reset" if initial else "password.change",
            object_type="accounts.user",
            object_id=user.pk,
        )


def generate_password(length: int = 14) -> str:
    """A random password that satisfies both profiles (all four classes)."""
    alphabet = string.ascii_letters + string.digits + "!@#%^*-_+="
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    role: str,
    unit: Unit,
    full_name: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account with an initial password that must be changed at first sign-in."""
    user = User(username=username, role=Role(role), unit=unit, full_name=full_name)
    raw = password or generate_password()
    user.set_unusable_password()
    user.save()
    password_set(user=user, raw=raw, actor=actor, initial=True)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="user.create",
        object_type="accounts.user",
        object_id=user.pk,
        summary=f"role={role} unit={unit.code}",
    )
    return user, raw


@transaction.atomic
def user_update(
    *,
    actor: Actor,
    user: User,
    role: str,
    unit: Unit,
    full_name: str,
    is_active: bool,
    mfa_required: bool,
) -> User:
    changed = []
    for name, value in (
        ("role", role),
        ("unit", unit),
        ("full_name", full_name),
        ("is_active", is_active),
        ("mfa_required", mfa_required),
    ):
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    if changed:
        user.save()
        audit.record(
            actor=actor.user,
            ip=actor.ip,
            action="user.update",
            object_type="accounts.user",
            object_id=user.pk,
            summary="changed=" + ",".join(changed),
        )
    if "is_active" in changed and not is_active or "role" in changed or "unit" in changed:
        # A disabled account, or one whose rights changed, signs in again (security.md SE2).
        sessions_kill(user=user, actor=actor, reason=SessionEnd.Reason.ACCOUNT)
    return user
