"""Account changes that need a second administrator (三员 by construction, issue 19 item 2).

No single administrator can give any account — one he created included — access to people's
data or the audit log:

- the system administrator *files* every new account, every password reset, every change that
  gives an account a role reading person data or the audit log (``GRANT_ROLES``: a new role, a
  new unit, or switching such an account back on), and every change to another of the three
  administrators' accounts; everything else (a name, switching an account off, taking a right
  away) he makes alone;
- a security administrator *approves* (or rejects) it — never one who filed it or whom it is
  about. A change to a security administrator's account may also be approved by the audit
  administrator, so that a county with one security administrator is not stuck;
- a new account and a reset password end in an activation code, shown once to the approver
  (``renkou.accounts.activation``): the person sets the password and binds the TOTP app, so
  the administrator who asked never holds a usable credential;
- each step writes an ``account.*`` audit row, which the audit administrator sees highlighted
  on the home page.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from renkou.accounts import activation, services
from renkou.accounts.constants import ADMIN_ROLES, GRANT_ROLES, Perm, Role
from renkou.accounts.models import AccountRequest, SessionEnd, User
from renkou.common import audit
from renkou.common.actors import Actor
from renkou.geo.models import Unit

Status = AccountRequest.Status
Kind = AccountRequest.Kind
_ROLE_NAMES = dict(Role.choices)


def _record(actor: Actor, action: str, request: AccountRequest, **extra: Any) -> None:
    summary = (
        f"kind={request.kind} target={request.target_id or '-'} role={request.role} "
        f"unit={request.unit_code}"
    )
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action=action,
        object_type="accounts.accountrequest",
        object_id=request.pk,
        summary=summary,
        **extra,
    )


def _file(actor: Actor, request: AccountRequest) -> AccountRequest:
    request.requested_by = actor.user
    request.unit_code = request.unit.code
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:
        raise ValidationError("该账号已有一项待审批的申请，请等审批完成或先撤回。") from exc
    _record(actor, "account.request", request, reason=request.reason)
    return request


# --- filing -----------------------------------------------------------------------------------


@transaction.atomic
def account_create_request(
    *,
    actor: Actor,
    username: str,
    role: str,
    unit: Unit,
    reason: str,
    full_name: str = "",
    mfa_required: bool = False,
) -> AccountRequest:
    """A new account, created only when approved (no half-made account waits meanwhile)."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("该用户名已被使用")
    request = AccountRequest(
        kind=Kind.CREATE,
        username=username,
        full_name=full_name,
        role=Role(role),
        unit=unit,
        mfa_required=mfa_required,
        changes=f"新账号：{_ROLE_NAMES[role]}，{unit.name}",
        reason=reason,
    )
    return _file(actor, request)


def _differences(user: User, values: dict[str, Any]) -> list[str]:
    words = []
    if values["role"] != user.role:
        words.append(f"角色 {_ROLE_NAMES.get(user.role, '—')}→{_ROLE_NAMES[values['role']]}")
    if values["unit"].pk != user.unit_id:
        old = user.unit.name if user.unit is not None else "—"
        words.append(f"单位 {old}→{values['unit'].name}")
    if values["full_name"] != user.full_name:
        words.append("姓名")
    if values["is_active"] != user.is_active:
        words.append("启用" if values["is_active"] else "停用")
    if values["mfa_required"] != user.mfa_required:
        words.append("强制双因素" + ("开" if values["mfa_required"] else "关"))
    return words


def needs_second_administrator(actor: Any, user: User, values: dict[str, Any]) -> bool:
    """Does this change need approval? Any change to another administrator's account (or one
    that makes an account an administrator), and any change that gives access to person data
    or the audit log: a new such role, a new unit for one, switching one back on."""
    if user.pk != actor.pk and (user.role in ADMIN_ROLES or values["role"] in ADMIN_ROLES):
        return True
    if values["role"] not in GRANT_ROLES or not values["is_active"]:
        return False
    moved = values["role"] != user.role or values["unit"].pk != user.unit_id
    return moved or not user.is_active


@transaction.atomic
def account_update(
    *,
    actor: Actor,
    user: User,
    role: str,
    unit: Unit,
    full_name: str,
    is_active: bool,
    mfa_required: bool,
    reason: str = "",
) -> AccountRequest | None:
    """Apply a change the system administrator may make alone; file anything else for
    approval (returns the request, or None when applied)."""
    values: dict[str, Any] = {
        "role": role,
        "unit": unit,
        "full_name": full_name,
        "is_active": is_active,
        "mfa_required": mfa_required,
    }
    if user.pk == actor.user.pk and (role != user.role or unit.pk != user.unit_id or not is_active):
        raise ValidationError("不能修改自己账号的角色、单位或状态。")
    changes = _differences(user, values)
    if not changes:
        return None
    if not needs_second_administrator(actor.user, user, values):
        services.user_update(actor=actor, user=user, **values)
        return None
    if not reason.strip():
        raise ValidationError("这项变更须经安全管理员审批，请填写申请事由。")
    request = AccountRequest(
        kind=Kind.UPDATE,
        target=user,
        username=user.username,
        role=Role(role),
        unit=unit,
        full_name=full_name,
        is_active=is_active,
        mfa_required=mfa_required,
        changes="；".join(changes)[:300],
        reason=reason,
    )
    return _file(actor, request)


@transaction.atomic
def account_reset_request(*, actor: Actor, user: User, reason: str) -> AccountRequest:
    """A password reset: on approval the old password stops working and the person sets a new
    one (and binds the authenticator again) with an activation code."""
    if user.pk == actor.user.pk:
        raise ValidationError("不能为自己申请重置密码，请通过“修改密码”修改。")
    request = AccountRequest(
        kind=Kind.RESET,
        target=user,
        username=user.username,
        role=user.role,
        unit=user.unit,
        full_name=user.full_name,
        is_active=user.is_active,
        mfa_required=user.mfa_required,
        changes="重置密码（本人用激活码设置新密码并重新绑定手机验证器）",
        reason=reason,
    )
    return _file(actor, request)


# --- deciding ---------------------------------------------------------------------------------


def may_decide(actor: Any, request: AccountRequest) -> bool:
    """A second administrator: holds the approval right, neither filed the request nor is its
    subject; the audit administrator only for a security administrator's account."""
    if not actor.has_perm(Perm.APPROVE_ACCOUNT):
        return False
    if actor.pk in (request.requested_by_id, request.target_id):
        return False
    if actor.role == Role.SEC_ADMIN:
        return True
    target_role = request.target.role if request.target is not None else None
    return actor.role == Role.AUDIT_ADMIN and target_role == Role.SEC_ADMIN


def _locked(request: AccountRequest, actor: Actor) -> AccountRequest:
    locked: AccountRequest = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != Status.PENDING:
        raise ValidationError("该申请已处理过了。")
    if not may_decide(actor.user, locked):
        raise PermissionDenied
    return locked


def _decided(request: AccountRequest, actor: Actor, status: str, note: str = "") -> None:
    request.status, request.decided_by = status, actor.user
    request.decided_at, request.decision_note = timezone.now(), note[:200]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "target"])


def _apply(request: AccountRequest, actor: Actor) -> User:
    if request.kind == Kind.CREATE:
        if User.objects.filter(username__iexact=request.username).exists():
            raise ValidationError("该用户名已被使用，不能再新增。")
        user: User = User(
            username=request.username,
            role=request.role,
            unit=request.unit,
            full_name=request.full_name,
            mfa_required=request.mfa_required,
            must_change_password=True,
        )
        user.set_unusable_password()
        user.save()
        audit.record(
            actor=actor.user,
            ip=actor.ip,
            action="user.create",
            object_type="accounts.user",
            object_id=user.pk,
            summary=f"role={user.role} unit={request.unit_code} request={request.pk}",
        )
        request.target = user
        return user
    user = User.objects.select_for_update().get(pk=request.target_id)
    if request.kind == Kind.UPDATE:
        services.user_update(
            actor=actor,
            user=user,
            role=request.role,
            unit=request.unit,
            full_name=request.full_name,
            is_active=request.is_active,
            mfa_required=request.mfa_required,
        )
        return user
    user.set_unusable_password()
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    services.sessions_kill(user=user, actor=actor, reason=SessionEnd.Reason.RESET)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="password.reset",
        object_type="accounts.user",
        object_id=user.pk,
        summary=f"request={request.pk}",
    )
    return user


@transaction.atomic
def request_approve(
    *, actor: Actor, request: AccountRequest, note: str = ""
) -> tuple[AccountRequest, str]:
    """Approve and carry out the request; returns it and, for a new account or a reset, the
    activation code (to show once to the approver; '' otherwise)."""
    locked = _locked(request, actor)
    user = _apply(locked, actor)
    _decided(locked, actor, Status.APPROVED, note)
    _record(actor, "account.approve", locked, reason=note)
    code = ""
    if locked.kind in (Kind.CREATE, Kind.RESET):
        code = activation.code_issue(user=user, actor=actor, request=locked)
    return locked, code


@transaction.atomic
def request_reject(*, actor: Actor, request: AccountRequest, note: str) -> AccountRequest:
    if not note.strip():
        raise ValidationError("请填写驳回理由。")
    locked = _locked(request, actor)
    _decided(locked, actor, Status.REJECTED, note)
    _record(actor, "account.reject", locked, reason=note)
    return locked


@transaction.atomic
def request_cancel(*, actor: Actor, request: AccountRequest) -> AccountRequest:
    locked: AccountRequest = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != Status.PENDING:
        raise ValidationError("该申请已处理过了。")
    if locked.requested_by_id != actor.user.pk:
        raise PermissionDenied
    _decided(locked, actor, Status.CANCELLED)
    _record(actor, "account.cancel", locked)
    return locked
