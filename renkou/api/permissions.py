"""API permission classes: deny by default; each endpoint names the permission it needs."""

from typing import Any

from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from renkou.common import audit


class DenyAll(BasePermission):
    """The default: an endpoint that declares nothing is closed."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return False


def _session_gates_passed(request: Any) -> bool:
    """A browser session counts as signed in only past the pages' gates (SessionPolicyMiddleware):
    the TOTP step for accounts that must use two-factor, and a forced password change. API
    tokens are issued by the server's operator (``manage.py api_token``) and pass as they are."""
    if not isinstance(request.successful_authenticator, SessionAuthentication):
        return True
    user = request.user
    if user.needs_mfa and not user.is_verified():
        return False
    return not (user.must_change_password or user.password_expired())


class SignedIn(BasePermission):
    """Any signed-in account past the two-factor and password gates (the API schema)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated) and _session_gates_passed(request)


class RolePermission(BasePermission):
    """Allows a signed-in, active account whose role grants ``view.required_perm``.

    A browser session of an account that must use two-factor counts only after the TOTP step,
    so the API is no way around it.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated or not _session_gates_passed(request):
            return False
        allowed = user.has_perm(view.required_perm)
        if not allowed:
            audit.record(
                actor=user,
                ip=getattr(request._request, "client_ip", ""),
                action="authz.denied",
                object_type="api",
                object_id=view.__class__.__name__,
                result="denied",
            )
        return allowed
