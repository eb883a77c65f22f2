"""Sign-in, sign-out, two-factor and own-password pages."""

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from renkou.accounts import activation, services
from renkou.accounts.forms import (
    ActivationForm,
    ActivationStartForm,
    LoginForm,
    PasswordChangeForm,
    TokenForm,
)
from renkou.accounts.models import LoginLog, SessionEnd
from renkou.accounts.passwords import min_age_message, too_soon
from renkou.accounts.requests import SignedInRequest
from renkou.common.actors import Actor
from renkou.common.middleware import ClientRequest
from renkou.common.permissions import public, signed_in

LOCK_MESSAGE = "登录失败次数过多，账号或来源地址已被锁定 15 分钟，请稍后再试或联系安全管理员解锁。"
BAD_CREDENTIALS = "用户名或密码错误"


def lockout_response(
    request: HttpRequest, credentials: Any, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this when a user name is locked out."""
    form = LoginForm(initial={"username": (credentials or {}).get("username", "")})
    return render(request, "accounts/login.html", {"form": form, "error": LOCK_MESSAGE}, status=429)


@public
@require_http_methods(["GET", "POST"])
def login_view(request: ClientRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if services.address_locked(request.client_ip):
            services.login_record(request, username=username, result=LoginLog.Result.ADDRESS_LOCKED)
            return render(
                request, "accounts/login.html", {"form": form, "error": LOCK_MESSAGE}, status=429
            )
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            locked = getattr(request, "axes_locked_out", False)
            result = LoginLog.Result.LOCKED if locked else LoginLog.Result.FAILURE
            services.login_record(request, username=username, result=result)
            error = LOCK_MESSAGE if locked else BAD_CREDENTIALS
            return render(
                request,
                "accounts/login.html",
                {"form": form, "error": error},
                status=429 if locked else 200,
            )
        login(request, user)
        services.session_start(request, user)
        services.login_record(request, username=username, user=user, result=LoginLog.Result.SUCCESS)
        target = request.POST.get("next") or request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(target, {request.get_host()}):
            return redirect(target)
        return redirect("home")
    context = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "accounts/login.html", context)


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.login_record(
            request,
            username=request.user.username,
            user=request.user,
            result=LoginLog.Result.LOGOUT,
        )
        services.session_end(request)
    logout(request)
    return redirect("accounts:login")


def manual_key(key: bytes) -> str:
    """The key as authenticator apps take it when typed: Base32 (RFC 4648, as in the QR code's
    otpauth URL), without padding, in groups of 4 for reading aloud or copying by eye."""
    text = base64.b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _device(request: HttpRequest) -> TOTPDevice:
    """The confirmed TOTP device, or an unsaved one for enrolment whose key is kept in the
    session, so that merely viewing the page writes nothing (GETs never change state)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is not None:
        return device
    key = request.session.get("renkou_totp_key") or random_hex(20)
    request.session["renkou_totp_key"] = key
    return TOTPDevice(user=request.user, name="手机验证器", key=key, confirmed=False)


@signed_in
@require_http_methods(["GET", "POST"])
def mfa_view(request: SignedInRequest) -> HttpResponse:
    """Enrol (QR code) or verify a TOTP code; required roles cannot pass without it."""
    device = _device(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if not device.confirmed:
                device.confirmed = True
                device.save()
                request.session.pop("renkou_totp_key", None)
            otp_login(request, device)
            return redirect("home")
        services.login_record(
            request,
            username=request.user.username,
            user=request.user,
            result=LoginLog.Result.MFA_FAILURE,
        )
        form.add_error("token", "动态口令不正确或已使用过，请等待下一个口令")
    context: dict[str, Any] = {"form": form, "enrolling": not device.confirmed}
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, micro=False).svg_inline(scale=4)
        context["secret"] = manual_key(device.bin_key)
    return render(request, "accounts/mfa.html", context)


@signed_in
@require_http_methods(["GET", "POST"])
def password_view(request: SignedInRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        actor = Actor.of(request)
        services.password_set(user=user, raw=form.cleaned_data["new_password"], actor=actor)
        old_key = request.session.session_key
        services.sessions_kill(
            user=user, actor=actor, except_key=old_key, reason=SessionEnd.Reason.PASSWORD
        )
        update_session_auth_hash(request, user)  # cycles the session key
        services.session_rekey(request, old_key=old_key)
        messages.success(request, "密码已修改，其他设备上的登录已退出。")
        return redirect("home")
    reason = ""
    if user.must_change_password:
        reason = "这是管理员设置的初始密码，请先修改密码。"
    elif user.password_expired():
        reason = "密码已超过有效期，请修改密码。"
    elif too_soon(user):
        reason = min_age_message(user)
    return render(request, "accounts/password.html", {"form": form, "reason": reason})


# --- activation (issue 19 item 2) --------------------------------------------------------------

ACTIVATION_KEY = "renkou_activation"
ACTIVATION_TOTP_KEY = "renkou_activation_totp"


@public
@require_http_methods(["GET", "POST"])
def activate_start(request: HttpRequest) -> HttpResponse:
    """激活账号, step 1: the user name and the activation code the approver handed over."""
    form = ActivationStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            code = activation.code_check(request, **form.cleaned_data)
        except activation.ActivationRefused as refused:
            form.add_error(None, str(refused))
        else:
            request.session[ACTIVATION_KEY] = code.pk
            request.session[ACTIVATION_TOTP_KEY] = random_hex(20)
            return redirect("accounts:activate_set")
    return render(request, "accounts/activate_start.html", {"form": form})


def _activation_code(request: HttpRequest) -> Any:
    pk = request.session.get(ACTIVATION_KEY)
    if not isinstance(pk, int):
        return None
    now = timezone.now()
    return (
        activation.ActivationCode.objects.select_related("user")
        .filter(pk=pk, used_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )


@public
@require_http_methods(["GET", "POST"])
def activate_set(request: HttpRequest) -> HttpResponse:
    """激活账号, step 2: the new password and, where two-factor is required, the authenticator;
    on success the account is signed in."""
    code = _activation_code(request)
    if code is None:
        messages.info(request, "请先输入用户名和激活码。")
        return redirect("accounts:activate")
    user, key = code.user, request.session.get(ACTIVATION_TOTP_KEY) or random_hex(20)
    form = ActivationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, device = activation.activate(
                request,
                code_id=code.pk,
                password=data["new_password"],
                totp_key=key,
                token=data.get("token", ""),
            )
        except (activation.ActivationRefused, ValidationError) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            return _signed_in_after_activation(request, user, device)
    context: dict[str, Any] = {"form": form, "account": user, "mfa": user.needs_mfa}
    if user.needs_mfa:
        pending = TOTPDevice(user=user, name="手机验证器", key=key)
        context["qr_svg"] = segno.make(pending.config_url, micro=False).svg_inline(scale=4)
        context["secret"] = manual_key(pending.bin_key)
    return render(request, "accounts/activate_set.html", context)


def _signed_in_after_activation(
    request: HttpRequest, user: Any, device: TOTPDevice | None
) -> HttpResponse:
    for name in (ACTIVATION_KEY, ACTIVATION_TOTP_KEY):
        request.session.pop(name, None)
    login(request, user, backend="renkou.accounts.backends.RoleBackend")
    services.session_start(request, user)
    if device is not None:
        otp_login(request, device)
    services.login_record(
        request, username=user.username, user=user, result=LoginLog.Result.ACTIVATED
    )
    messages.success(request, "账号已激活，今后请用新密码登录。")
    return redirect("home")
