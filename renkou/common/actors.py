"""Who acts, and the one error of a lost update: the two things every service shares.

Every service that writes takes a keyword-only ``actor: Actor`` (house style): the signed-in
user and the client address the middleware found, as the audit row needs them. A command or a
background job acts as ``Actor(user)`` or ``Actor(None)`` (the system).
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

# The one wording of a lost update, on every page that refuses one (409).
CONFLICT = "{what}已被他人修改，请刷新后重试"


class ConflictError(Exception):
    """Somebody else saved the record after it was opened (optimistic lock, security.md RL1)."""


def check_version(current: int, expected: int | None, what: str) -> None:
    """Refuse a write whose form was opened at another ``version`` of the row (a missing
    version is refused too): the caller holds the row locked, so the check and the write that
    bumps the version cannot interleave with another writer's."""
    if expected != current:
        raise ConflictError(CONFLICT.format(what=what))


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where, as the audit row needs it."""

    user: Any
    ip: str = ""

    @classmethod
    def of(cls, request: Any) -> "Actor":
        """The signed-in user of ``request`` and the client address the middleware found."""
        return cls(request.user, getattr(request, "client_ip", ""))

    @property
    def account(self) -> Any:
        """The signed-in account, or None for a command or an anonymous visitor (the value of
        an ``entered_by`` or a history row's user)."""
        return self.user if getattr(self.user, "is_authenticated", False) else None


NO_PERMISSION = "您没有此项操作的权限"
OUT_OF_SCOPE = "该单位不在您的管辖范围内"


def require(actor: Actor, perm: str) -> None:
    """Refuse an account without ``perm`` (a command, ``user`` None, may do anything)."""
    if actor.user is not None and not actor.user.has_perm(perm):
        raise PermissionDenied(NO_PERMISSION)


def require_in_scope(actor: Actor, unit_code: str, refusal: str = OUT_OF_SCOPE) -> None:
    """Refuse an account whose unit subtree does not hold ``unit_code`` (a command may)."""
    if actor.user is None:
        return
    prefix = getattr(actor.user, "scope_prefix", None)
    if prefix is None or not unit_code.startswith(prefix):
        raise PermissionDenied(refusal)
