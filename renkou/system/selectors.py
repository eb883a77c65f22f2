"""Reads for the administrators' pages, always scoped to the caller where the rows have a unit.

Audit and login-log rows carry no unit of their own: only the county-wide 三员 read them
(accounts.constants), so those selectors filter by the search form alone.
"""

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from renkou.accounts.constants import Role
from renkou.accounts.models import AccountRequest, LoginLog, User, UserSession
from renkou.common.models import AuditEntry, AuditHead, DictItem, DictType, JobProgress
from renkou.system import audit_labels

HAN = re.compile(r"[\u4e00-\u9fff]")


def _day_start(text: str) -> datetime:
    return timezone.make_aware(datetime.combine(date.fromisoformat(text), time.min))


def _date_range(rows: QuerySet, field: str, filters: dict[str, Any]) -> QuerySet:
    if filters.get("date_from"):
        rows = rows.filter(**{f"{field}__gte": _day_start(filters["date_from"])})
    if filters.get("date_to"):
        end = _day_start(filters["date_to"]) + timedelta(days=1)
        rows = rows.filter(**{f"{field}__lt": end})
    return rows


def role_label() -> Case:
    """The role's Chinese name as a column (audit rows keep the role code as it was)."""
    whens = [When(role=value, then=Value(label)) for value, label in Role.choices]
    return Case(*whens, default="role", output_field=CharField())


def users(
    actor: Any, *, q: str = "", role: str = "", status: str = "", parent: str = ""
) -> QuerySet:
    rows = User.objects.visible_to(actor).select_related("unit").order_by("username")
    if q:
        rows = rows.filter(Q(username__icontains=q) | Q(full_name__contains=q))
    if role:
        rows = rows.filter(role=role)
    if status in {"1", "0"}:
        rows = rows.filter(is_active=status == "1")
    if parent:
        rows = rows.filter(unit__prefix__startswith=parent)
    return rows


def locked_usernames(usernames: list[str] | None = None) -> set[str]:
    """User names django-axes currently locks out (failure limit reached within the cool-off)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )
    if usernames is not None:
        rows = rows.filter(username__in=usernames)
    return set(rows.values_list("username", flat=True))


def dict_types(*, q: str = "", status: str = "") -> QuerySet:
    rows = DictType.objects.annotate(item_count=Count("items")).order_by("code")
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__contains=q))
    if status in {"1", "0"}:
        rows = rows.filter(is_active=status == "1")
    return rows


def dict_type(pk: int) -> DictType:
    """One dictionary type or 404. Dictionaries are county-wide reference data with no unit:
    the view's permission (``common.manage_dict``) is the whole policy."""
    return get_object_or_404(DictType, pk=pk)


def dict_item(pk: int) -> DictItem:
    """One dictionary entry (with its type) or 404; county-wide, as ``dict_type``."""
    return get_object_or_404(DictItem.objects.select_related("dict_type"), pk=pk)


def alias_clashes(dict_type: DictType, aliases: list[str], item: DictItem | None) -> list[str]:
    """The aliases an import could not map to one item: another item's value, label or
    alias in this type (issue 13 item 6)."""
    others = DictItem.objects.filter(dict_type=dict_type)
    if item is not None:
        others = others.exclude(pk=item.pk)
    taken: dict[str, str] = {}
    for value, label, known in others.values_list("value", "label", "aliases"):
        for word in (value, label, *known):
            taken.setdefault(word, label)
    return [f"“{a}”已是“{taken[a]}”的键值、标签或别名" for a in aliases if a in taken]


HISTORY_KINDS = {"+": "新增", "~": "修改", "-": "删除"}
BASELINE = "初始数据"  # change reason of the version kept before a seeded item's first change
HISTORY_FIELDS = ("label", "aliases", "sort", "tag", "is_default", "is_active", "remark")


def dict_item_history(item: DictItem) -> list[dict[str, Any]]:
    """Every version of a dictionary item, newest first: when, who, and each changed field
    with its old and new value (reference data, no personal data)."""
    records = list(
        item.history.select_related("history_user").order_by("history_date", "history_id")  # type: ignore[attr-defined]  # added by simple_history
    )
    rows, previous = [], None
    for record in records:
        changes = []
        for name in HISTORY_FIELDS if previous is not None else ():
            old, new = getattr(previous, name), getattr(record, name)
            if old != new:
                changes.append({"field": _verbose(name), "old": _shown(old), "new": _shown(new)})
        user = record.history_user
        rows.append(
            {
                "when": record.history_date,
                "who": (user.full_name or user.username) if user else "系统",
                "kind": "初始值"
                if record.history_change_reason == BASELINE
                else HISTORY_KINDS.get(record.history_type, ""),
                "changes": changes,
            }
        )
        previous = record
    return rows[::-1]


def _verbose(name: str) -> str:
    return str(DictItem._meta.get_field(name).verbose_name)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（无）"
    return str(value) if value not in (None, "") else "（空）"


def dict_items(dict_type: DictType, *, q: str = "", status: str = "") -> QuerySet:
    rows = DictItem.objects.filter(dict_type=dict_type).order_by("sort", "value")
    if q:
        rows = rows.filter(Q(value__startswith=q) | Q(label__contains=q))
    if status in {"1", "0"}:
        rows = rows.filter(is_active=status == "1")
    return rows


def _action_q(text: str) -> Q:
    """操作 as typed: Chinese words match the actions' names (下载 finds every download), other
    text the start of the code (``person.``), as before."""
    if not HAN.search(text):
        return Q(action__startswith=text)
    actions = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
    return Q(action__in=audit_labels.matching_actions(text, list(actions)))


def last_verification() -> JobProgress | None:
    """The latest 校验 of the audit chain, whoever of the audit administrators ran it."""
    return JobProgress.objects.filter(kind="audit_verify").order_by("-created_at", "-pk").first()


def audit_entries(filters: dict[str, Any]) -> QuerySet:
    """Audit rows, newest first, by the JSON filter dict of ``AuditFilterForm.filters()``."""
    rows = _date_range(AuditEntry.objects.all(), "ts", filters)
    if filters.get("username"):
        rows = rows.filter(username__icontains=filters["username"])
    if filters.get("action"):
        rows = rows.filter(_action_q(filters["action"]))
    if filters.get("result"):
        rows = rows.filter(result=filters["result"])
    if filters.get("object_type"):
        rows = rows.filter(object_type__startswith=filters["object_type"])
    return rows.annotate(role_label=role_label()).order_by("-seq")


def login_logs(filters: dict[str, Any]) -> QuerySet:
    rows = _date_range(LoginLog.objects.all(), "ts", filters)
    if filters.get("username"):
        rows = rows.filter(username__icontains=filters["username"])
    if filters.get("ip"):
        rows = rows.filter(ip__startswith=filters["ip"])
    if filters.get("result"):
        rows = rows.filter(result=filters["result"])
    return rows.order_by("-ts", "-pk")


def login_entry(pk: int) -> LoginLog:
    """One login-log row (with its account) or 404: the log is county-wide, read only by the
    security administrator (``accounts.manage_security``), so it has no unit to scope by."""
    return get_object_or_404(LoginLog.objects.select_related("user"), pk=pk)


def sessions(actor: Any) -> QuerySet:
    """Live sessions only: the Django session still exists and is inside the idle timeout
    (a closed browser leaves its row behind until the session expires)."""
    now = timezone.now()
    idle_since = now - timedelta(minutes=settings.RENKOU_IDLE_TIMEOUT_MINUTES)
    live = Session.objects.filter(expire_date__gt=now).values("session_key")
    rows = UserSession.objects.filter(
        user__in=User.objects.visible_to(actor), session_key__in=live, last_seen__gte=idle_since
    )
    return rows.select_related("user", "user__unit").order_by("-last_seen")


def session(actor: Any, pk: int) -> UserSession:
    """One live session of an account ``actor`` may see (404 otherwise)."""
    return get_object_or_404(sessions(actor), pk=pk)


def jobs(actor: Any) -> QuerySet:
    """The caller's own background jobs (nobody sees another account's jobs or files)."""
    return JobProgress.objects.filter(owner_id=actor.pk).order_by("-created_at", "-pk")


def audit_rows_today() -> int:
    return AuditEntry.objects.filter(ts__gte=_day_start(timezone.localdate().isoformat())).count()


def audit_total() -> int:
    """Rows in the audit trail, from the chain head (no table scan)."""
    head = AuditHead.objects.first()
    return head.seq if head else 0


def account_requests(actor: Any, *, status: str = "") -> QuerySet:
    """授权申请 of the caller's county (the three administrators are county-wide)."""
    rows = AccountRequest.objects.visible_to(actor).select_related(
        "unit", "target", "requested_by", "decided_by"
    )
    if status in AccountRequest.Status.values:
        rows = rows.filter(status=status)
    return rows.order_by("-requested_at", "-pk")


def requests_to_decide(actor: Any) -> QuerySet:
    """Pending requests the caller may approve: never one they filed or one about their own
    account; the audit administrator only those about a security administrator's account
    (``renkou.accounts.approvals.may_decide``)."""
    rows = account_requests(actor, status=AccountRequest.Status.PENDING)
    rows = rows.exclude(requested_by=actor).exclude(target=actor)
    if actor.role == Role.SEC_ADMIN:
        return rows
    if actor.role == Role.AUDIT_ADMIN:
        return rows.filter(target__role=Role.SEC_ADMIN)
    return rows.none()


def pending_request_targets(users: list[Any]) -> set[int]:
    """Which of these accounts have a request waiting (the 待审批 badge)."""
    rows = AccountRequest.objects.filter(
        target__in=users, status=AccountRequest.Status.PENDING
    ).values_list("target_id", flat=True)
    return set(rows)


# Audit actions the audit administrator's home page highlights: grants, activations and
# changes to accounts (issue 19 item 2).
ACCOUNT_ACTIONS = (
    "account.request",
    "account.approve",
    "account.reject",
    "account.cancel",
    "account.code_issue",
    "account.activate",
    "user.create",
    "user.update",
    "password.reset",
)


def account_changes(days: int = 30, limit: int = 10) -> tuple[QuerySet, int]:
    """The newest account changes of the last ``days`` days, and how many there were."""
    since = timezone.now() - timedelta(days=days)
    rows = AuditEntry.objects.filter(ts__gte=since, action__in=ACCOUNT_ACTIONS)
    rows = rows.annotate(role_label=role_label()).order_by("-seq")
    return rows[:limit], rows.count()
