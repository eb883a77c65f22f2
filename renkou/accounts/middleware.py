"""Session policy on every request: idle and absolute timeouts, required two-factor sign-in,
and the forced change of an initial or expired password (等保 身份鉴别 a, b, d)."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from renkou.accounts import services
from renkou.accounts.models import LoginLog

# Pages a signed-in user may reach before finishing two-factor or a forced password change.
_MFA_PATHS = ("accounts:mfa", "accounts:logout")
_PASSWORD_PATHS = ("accounts:password", "accounts:logout")


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if not user.is_authenticated:
            ended = _ended_by_someone_else(request)
            return _signed_out(request, ended) if ended else self.get_response(request)
        timeout = self._timed_out(request)
        if timeout:
            services.login_record(
                request, username=user.username, user=user, result=LoginLog.Result.TIMEOUT
            )
            services.session_end(request)
            logout(request)
            return _signed_out(request, timeout)
        services.session_touch(request)
        gate = self._gate(request)
        return gate if gate is not None else self.get_response(request)

    @staticmethod
    def _timed_out(request: HttpRequest) -> str:
        """The sign-out notice when a timeout has passed, else ''."""
        now = timezone.now().timestamp()
        seen = request.session.get("renkou_seen_at", now)
        started = request.session.get("renkou_auth_at", now)
        idle = settings.RENKOU_IDLE_TIMEOUT_MINUTES * 60
        absolute = settings.RENKOU_ABSOLUTE_TIMEOUT_HOURS * 3600
        if now - started > absolute:
            hours = settings.RENKOU_ABSOLUTE_TIMEOUT_HOURS
            return f"本次登录已超过 {hours} 小时，为安全起见已自动退出，请重新登录。"
        if now - seen > idle:
            minutes = settings.RENKOU_IDLE_TIMEOUT_MINUTES
            return f"{minutes} 分钟未操作，已自动退出，请重新登录。"
        return ""

    @staticmethod
    def _gate(request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if request.path.startswith("/api/"):
            return None  # the API answers 401/403 itself; token clients have no session
        if user.needs_mfa and not user.is_verified():  # type: ignore[union-attr]  # signed in here
            return _only(request, _MFA_PATHS, "accounts:mfa")
        if user.must_change_password or user.password_expired():  # type: ignore[union-attr]  # as above
            return _only(request, _PASSWORD_PATHS, "accounts:password")
        return None


def _ended_by_someone_else(request: HttpRequest) -> str:
    """The reason, when the browser still presents a session that an administrator, an
    account change or a password change elsewhere ended (shown once)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if not key or len(key) > 64 or request.method not in ("GET", "HEAD"):
        return ""
    return services.session_end_reason(key)


def _signed_out(request: HttpRequest, notice: str) -> HttpResponse:
    """Redirect to the sign-in page with a notice. MessageMiddleware runs after this one and
    is skipped by the early return, so the message is stored here (calling messages.info
    would raise MessageFailure, a 500 for every timed-out user). An htmx request gets the
    redirect as ``HX-Redirect``, so the whole page goes to the sign-in form, not a fragment."""
    target = reverse(settings.LOGIN_URL)
    if getattr(request, "htmx", False) or request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
    else:
        response = redirect(target)
    storage = default_storage(request)
    storage.add(messages.WARNING, notice)
    storage.update(response)
    return response


def _only(request: HttpRequest, allowed: tuple[str, ...], target: str) -> HttpResponse | None:
    if any(request.path == reverse(name) for name in allowed):
        return None
    return redirect(target)
