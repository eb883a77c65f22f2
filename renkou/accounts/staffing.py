"""包乡包村 (issue 14 item 7): staff assigned to townships and villages besides their own unit.

Writes (``staff_assignment_add``, ``staff_assignment_change``, ``staff_assignment_end``) check
the assignment's rules, lock the account's row so that two requests cannot both add the same
assignment, and audit in the same transaction; bad input changes nothing. Reads name staff
(accounts), never a person of the register. The assessment's score sheets and leaders' records
and the supervision's samples and inspection teams read them here: accounts sits below both
(tests/test_architecture.py).

Kept apart from ``services.py``/``selectors.py`` (the accounts' sign-in and approval code) as
one small concept with its reads and writes together, like ``approvals.py``.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from renkou.accounts.constants import AREA_ROLE_LEVEL, AREA_ROLE_STAFF, AreaRole, Perm, Role
from renkou.accounts.models import StaffAssignment, User
from renkou.common import audit
from renkou.common.actors import Actor
from renkou.geo.constants import Level, county_of, level_of
from renkou.geo.models import Unit
from renkou.geo.scope import prefix_range

ENDED_BEFORE_START = "终止日期不能早于起始日期"


def _label(role: str) -> str:
    return str(dict(AreaRole.choices).get(role, role))


def _role_names(roles: Iterable[str]) -> str:
    labels = dict(Role.choices)
    return "、".join(str(labels[r]) for r in Role.values if r in set(roles))


def _overlapping(
    rows: QuerySet[StaffAssignment], start: date, end: date | None
) -> QuerySet[StaffAssignment]:
    """Rows in force at some day of [start, end] (end None: open)."""
    rows = rows.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
    return rows if end is None else rows.filter(starts_on__lte=end)


def _check(
    user: Any, unit: Unit | None, role: str, starts_on: date, ends_on: date | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if role not in AreaRole.values:
        return {"role": "请选择包联职责"}
    if unit is None or unit.level != AREA_ROLE_LEVEL[role]:
        errors["unit_code"] = "包乡领导、包乡干部应选择乡镇，包村技术员应选择村（居）"
    allowed = AREA_ROLE_STAFF[role]
    if user is None or not user.is_active or user.role not in allowed:
        errors["user"] = f"{_label(role)}应为在用的{_role_names(allowed)}账号"
    elif unit is not None and county_of(user.unit_code) != county_of(unit.code):
        errors["user"] = "只能安排本县的工作人员"
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = f"{ENDED_BEFORE_START}（{starts_on:%Y-%m-%d}）"
    return errors


def _in_scope(actor: Actor, unit_code: str) -> None:
    if actor.user is None:
        return
    if not actor.user.has_perm(Perm.MANAGE_TASK):
        raise PermissionDenied("您没有此项操作的权限")
    prefix = getattr(actor.user, "scope_prefix", None)
    if prefix is None or not unit_code.startswith(prefix):
        raise PermissionDenied("该单位不在您的管辖范围内")


@transaction.atomic
def staff_assignment_add(
    *,
    actor: Actor,
    user: Any,
    unit_code: str,
    role: str,
    starts_on: date,
    ends_on: date | None = None,
    note: str = "",
) -> StaffAssignment:
    """Assign ``user`` to the unit as ``role`` from ``starts_on``: a township for a leader or
    officer, a village for a technician; the staff roles of ``AREA_ROLE_STAFF``; not twice to
    the same unit as the same role for overlapping dates."""
    _in_scope(actor, unit_code)
    unit = Unit.objects.current().filter(code=unit_code).first()
    if user is not None:
        user = (
            User.objects.select_for_update(of=("self",))
            .filter(pk=user.pk)
            .select_related("unit")
            .first()
        )
    errors = _check(user, unit, role, starts_on, ends_on)
    if not errors:
        same = StaffAssignment.objects.filter(user=user, unit_code=unit_code, role=role)
        if _overlapping(same, starts_on, ends_on).exists():
            errors["user"] = (
                f"{user}在此期间已是{unit.name if unit else ''}的{_label(role)}，不能重复安排"
            )
    if errors:
        raise ValidationError(errors)
    row = StaffAssignment.objects.create(
        user=user,
        unit_code=unit_code,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip(),
        created_by=actor.user if getattr(actor.user, "is_authenticated", False) else None,
    )
    audit.record_for(
        actor,
        "accounts.staff_assignment_add",
        row,
        summary=f"user={row.user_id} unit={unit_code} role={role}",
    )
    return row


@transaction.atomic
def staff_assignment_end(
    *, actor: Actor, assignment: StaffAssignment, ends_on: date
) -> StaffAssignment:
    """End an open assignment on ``ends_on`` (not before it started)."""
    row: StaffAssignment = StaffAssignment.objects.select_for_update().get(pk=assignment.pk)
    _in_scope(actor, row.unit_code)
    if row.ends_on is not None:
        raise ValidationError(f"该包联已于{row.ends_on:%Y-%m-%d}终止")
    if ends_on < row.starts_on:
        raise ValidationError({"ends_on": f"{ENDED_BEFORE_START}（{row.starts_on:%Y-%m-%d}）"})
    row.ends_on = ends_on
    row.save(update_fields=["ends_on"])
    audit.record_for(actor, "accounts.staff_assignment_end", row, summary=f"ends_on={ends_on}")
    return row


def roles_for(assignment: StaffAssignment) -> list[tuple[str, str]]:
    """The assignment labels its row may take: those of its unit's level that its account's
    role may hold (a township's leader can become its officer, never a village's technician)."""
    level, role = level_of(assignment.unit_code), assignment.user.role
    return [
        (value, str(label))
        for value, label in AreaRole.choices
        if AREA_ROLE_LEVEL[value] == level and role in AREA_ROLE_STAFF[value]
    ]


@transaction.atomic
def staff_assignment_change(
    *, actor: Actor, assignment: StaffAssignment, role: str, starts_on: date, note: str = ""
) -> StaffAssignment:
    """Change an open assignment's role, start date or note; the person and the unit stay (a
    different person or unit is a new assignment, and ending this one keeps the record). An
    ended assignment is history and is not changed. The same rules as adding: the role fits
    the unit's level and the account, no overlapping duplicate of the same person, unit and
    role. Locks the account's row first, as adding does, so the two cannot race."""
    User.objects.select_for_update(of=("self",)).filter(pk=assignment.user_id).first()
    row: StaffAssignment = (
        StaffAssignment.objects.select_for_update().filter(pk=assignment.pk).get()
    )
    _in_scope(actor, row.unit_code)
    if row.ends_on is not None:
        raise ValidationError(f"该包联已于{row.ends_on:%Y-%m-%d}终止，不能修改")
    user = User.objects.select_related("unit").get(pk=row.user_id)
    unit = Unit.objects.current().filter(code=row.unit_code).first()
    errors = _check(user, unit, role, starts_on, None)
    if not errors:
        same = StaffAssignment.objects.filter(user=user, unit_code=row.unit_code, role=role)
        if _overlapping(same.exclude(pk=row.pk), starts_on, None).exists():
            errors["role"] = (
                f"{user}在此期间已是{unit.name if unit else ''}的{_label(role)}，不能重复安排"
            )
    if errors:
        raise ValidationError(errors)
    changed = {
        name: value
        for name, value in (("role", role), ("starts_on", starts_on), ("note", note.strip()))
        if getattr(row, name) != value
    }
    if not changed:
        return row
    for name, value in changed.items():
        setattr(row, name, value)
    row.save(update_fields=list(changed))
    summary = " ".join(f"{name}={value}" for name, value in changed.items() if name != "note")
    audit.record_for(
        actor,
        "accounts.staff_assignment_change",
        row,
        summary=(summary + (" note" if "note" in changed else "")).strip(),
    )
    return row


# --- reads -------------------------------------------------------------------------------------


def assignments_visible(user: Any) -> QuerySet[StaffAssignment]:
    """The assignments to units of the user's subtree (staff names, no person's data)."""
    rows: QuerySet[StaffAssignment] = StaffAssignment.objects.visible_to(user)
    return rows.select_related("user")


def current(rows: QuerySet[StaffAssignment], on: date) -> QuerySet[StaffAssignment]:
    """The rows in force on ``on``."""
    return _overlapping(rows, on, on)


def assignable_staff(user: Any) -> list[Any]:
    """The active staff accounts of the user's county that may hold some assignment."""
    county = county_of(getattr(user, "scope_prefix", None) or "")
    roles = set().union(*AREA_ROLE_STAFF.values())
    rows = User.objects.filter(is_active=True, role__in=roles, unit__code__startswith=county)
    return list(rows.select_related("unit").order_by("role", "username"))


def _names(rows: Iterable[StaffAssignment]) -> list[str]:
    seen: list[str] = []
    for row in rows:
        name = str(row.user)
        if name not in seen:
            seen.append(name)
    return seen


def township_staff(code: str, start: date, end: date) -> dict[str, list[str]]:
    """The staff of a township in force at some day of [start, end], by assignment label:
    包乡领导 and 包乡干部 of the township, 包村技术员 of its villages. Unscoped: the caller has
    fetched the township through the scoping chokepoint."""
    prefix = code[:9]
    rows = _overlapping(
        StaffAssignment.objects.filter(**prefix_range("unit_code", prefix)), start, end
    ).select_related("user")
    found: dict[str, list[str]] = {}
    for role in AreaRole:
        found[str(role.label)] = _names(r for r in rows if r.role == role)
    return found


def township_leaders(county: str, start: date, end: date) -> dict[str, list[str]]:
    """Every township's 包乡领导 in force at some day of [start, end]: 12-digit code → names."""
    rows = _overlapping(
        StaffAssignment.objects.filter(
            role=AreaRole.TOWNSHIP_LEADER, **prefix_range("unit_code", county[:6])
        ),
        start,
        end,
    ).select_related("user")
    found: dict[str, list[str]] = {}
    for row in rows:
        names = found.setdefault(row.unit_code, [])
        if str(row.user) not in names:
            names.append(str(row.user))
    return found


def village_staff(codes: Iterable[str], on: date) -> dict[str, list[str]]:
    """The 包村技术员 in force on ``on`` of each village of ``codes`` (12-digit)."""
    wanted = sorted({c[:12] for c in codes})
    rows = _overlapping(
        StaffAssignment.objects.filter(role=AreaRole.VILLAGE_TECHNICIAN, unit_code__in=wanted),
        on,
        on,
    ).select_related("user")
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row.unit_code, []).append(str(row.user))
    return found


def area_conflicts(
    users: Sequence[Any], township: str, start: date, end: date
) -> list[StaffAssignment]:
    """回避: the assignments of ``users`` to the township (or a village in it) in force at some
    day of [start, end], for refusing them as its inspectors."""
    rows = StaffAssignment.objects.filter(
        user__in=[u.pk for u in users], **prefix_range("unit_code", township[:9])
    )
    return list(_overlapping(rows, start, end).select_related("user"))


def townships_and_villages(user: Any) -> list[tuple[str, str]]:
    """The townships and villages of the user's subtree, as choices ("乡镇 / 村")."""
    prefix = getattr(user, "scope_prefix", None) or ""
    rows = (
        Unit.objects.current()
        .visible_to(user)
        .filter(level__in=[Level.TOWNSHIP, Level.VILLAGE], prefix__startswith=prefix)
        .order_by("code")
    )
    names: dict[str, str] = {}
    choices = []
    for unit in rows:
        if unit.level == Level.TOWNSHIP:
            names[unit.prefix] = unit.name
            choices.append((unit.code, unit.name))
        else:
            choices.append((unit.code, f"{names.get(unit.prefix[:9], '')} / {unit.name}"))
    return choices
