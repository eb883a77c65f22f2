"""System pages: the home page per role and the administrators' pages (三员 and 个人中心).

Each view: policy decorator → validate → scoped fetch → one service call → render or redirect.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts import approvals
from renkou.accounts import services as account_services
from renkou.accounts.constants import Perm, Role
from renkou.accounts.forms import ReasonForm, UserForm
from renkou.accounts.models import LoginLog, User
from renkou.common import dates, vault
from renkou.common.actors import Actor
from renkou.common.htmx import render_page
from renkou.common.models import DictType, JobProgress
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm, signed_in
from renkou.geo import selectors as geo_selectors
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.people import selectors as people_selectors
from renkou.reports.dashboard_views import dashboard_context
from renkou.supervision import selectors as supervision_selectors
from renkou.system import audit_labels, selectors, services
from renkou.system.forms import (
    AuditFilterForm,
    DictItemForm,
    DictTypeForm,
    LoginLogFilterForm,
    styled,
)
from renkou.system.menu import shortcuts_for
from renkou.system.tasks import verified_intact
from renkou.todo.selectors import counts_for as todo_counts

STATUS_CHOICES = (("1", "正常"), ("0", "停用"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _params(request: HttpRequest, *names: str) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in names}


# --- 首页 -------------------------------------------------------------------------------


def _home_worker(user: User) -> dict[str, Any]:
    """The counts of the account's area that mean something at its level: townships and
    villages for a county account, villages and persons for a township, persons and
    households for a village."""
    units = Unit.objects.current().visible_to(user)
    level = user.unit.level if user.unit else Level.COUNTY
    cards = []
    if level < Level.TOWNSHIP:
        cards.append(("乡镇（街道）", units.filter(level=Level.TOWNSHIP).count()))
    if level < Level.VILLAGE:
        cards.append(("村（居）", units.filter(level=Level.VILLAGE).count()))
    if level >= Level.TOWNSHIP and user.has_perm(Perm.VIEW_PERSON):
        cards.append(("在册人员", people_selectors.persons_visible(user).present().count()))
    if level == Level.VILLAGE and user.has_perm(Perm.VIEW_PERSON):
        cards.append(("家庭户", people_selectors.households_visible(user).count()))
    context: dict[str, Any] = {"area_cards": cards}
    if user.has_perm(Perm.VIEW_PERSON):  # the services due in the account's area (服务信息引导)
        context["todo"] = todo_counts(user, dates.today())
    if user.has_perm(Perm.INSPECT):  # the inspector's visits and notices (督查)
        context["inspector"] = supervision_selectors.inspector_home(user, dates.today())
    return context


def _home_sys(user: User) -> dict[str, Any]:
    users = User.objects.visible_to(user)
    return {
        "user_count": users.count(),
        "active_users": users.filter(is_active=True).count(),
        "dict_count": DictType.objects.count(),
    }


def _home_sec(user: User) -> dict[str, Any]:
    return {
        "online": selectors.sessions(user).count(),
        "locked": len(selectors.locked_usernames()),
        "to_decide": selectors.requests_to_decide(user).count(),
    }


def _home_audit(user: User) -> dict[str, Any]:
    """Counts, and every grant, activation and account change of the last 30 days at the top
    (issue 19 item 2: the auditor sees what the other two administrators did to accounts)."""
    changes, change_count = selectors.account_changes()
    changes = list(changes)
    for row in changes:
        row.action_label = audit_labels.action_shown(row.action)
    return {
        "audit_today": selectors.audit_rows_today(),
        "audit_total": selectors.audit_total(),
        "account_changes": changes,
        "account_change_count": change_count,
        "to_decide": selectors.requests_to_decide(user).count(),
        **_verification(),
    }


def _verification() -> dict[str, Any]:
    job = selectors.last_verification()
    return {
        "verification": job,
        "verifying": job is not None and job.status in UNFINISHED,
        "intact": job is not None and verified_intact(job),
    }


HOME_PANELS = {Role.SYS_ADMIN: _home_sys, Role.SEC_ADMIN: _home_sec, Role.AUDIT_ADMIN: _home_audit}
# County officers and leaders land on the indicator dashboard (issue 4 item 6).
DASHBOARD_ROLES = frozenset({Role.COUNTY_OFFICER, Role.LEADER})


@signed_in
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """One home page, its content by role; counts and links only, never a person."""
    user = request.user
    panel = HOME_PANELS.get(user.role)
    if panel:
        context = panel(user)
    elif user.role in DASHBOARD_ROLES:
        context = dashboard_context(request)
    else:
        context = _home_worker(user)
    context["recent_logins"] = LoginLog.objects.filter(user=user).order_by("-ts")[:5]
    context["shortcuts"] = shortcuts_for(user)
    template = "system/home_admin.html" if panel else "system/home.html"
    return render(request, template, context)


# --- 用户管理 ----------------------------------------------------------------------------


def _unit_option(unit: Unit) -> str:
    """Indented by level in code order, so the drop-down reads as the tree (village names
    repeat across townships, hence the code)."""
    indent = "\u3000" * max(0, unit.level - Level.COUNTY)  # ideographic space
    return f"{indent}{unit.name}（{unit.code}）"


def _user_form(request: HttpRequest, **kwargs: Any) -> UserForm:
    units = Unit.objects.current().visible_to(request.user).order_by("code")
    form = styled(UserForm(request.POST or None, units=units, **kwargs))
    form.fields["unit"].label_from_instance = _unit_option
    if form.editing is not None and form.editing.pk == request.user.pk:
        # An administrator cannot demote, move or disable the account in use (no lock-out).
        for name in ("role", "unit", "is_active"):
            form.fields[name].disabled = True
            form.fields[name].help_text = "不能修改自己账号的角色、单位或状态"
    return form


@require_perm(Perm.MANAGE_USER)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    params = _params(request, "q", "role", "status", "parent")
    page = paginate(request, selectors.users(request.user, **params))
    locked = selectors.locked_usernames([u.username for u in page])
    context = {
        "page": page,
        "params": params,
        "roles": Role.choices,
        "statuses": STATUS_CHOICES,
        "tree": geo_selectors.unit_tree(request.user),
        "locked": locked,
        "pending": selectors.pending_request_targets(list(page)),
        "pending_count": selectors.account_requests(request.user, status="pending").count(),
    }
    return render_page(request, "system/user_list.html", context, partial="results")


@require_perm(Perm.MANAGE_USER)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    """新增用户 files a request: the account exists once a security administrator approves it,
    and its activation code goes to that approver (the creator never sees a credential)."""
    form = _user_form(request)
    del form.fields["is_active"]  # a new account is active; disable it later if needed
    form.fields["reason"].required = True
    if request.method == "POST" and form.is_valid():
        try:
            approvals.account_create_request(actor=Actor.of(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, FILED)
            return redirect("system:request_list")
    return render(request, "system/user_form.html", {"form": form, "title": "新增用户"})


FILED = "申请已提交，待安全管理员审批；批准后由安全管理员把一次性激活码交给本人。"


@require_perm(Perm.MANAGE_USER)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(User, request.user, pk=pk)
    initial = {
        "username": target.username,
        "full_name": target.full_name,
        "role": target.role,
        "unit": target.unit_id,
        "is_active": target.is_active,
        "mfa_required": target.mfa_required,
    }
    form = _user_form(request, initial=initial, editing=target)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "username"}
        try:
            filed = approvals.account_update(actor=Actor.of(request), user=target, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if filed is not None:
                messages.success(request, f"用户 {target.username} 的变更{FILED[2:]}")
                return redirect("system:request_list")
            messages.success(request, f"用户 {target.username} 已保存。")
            return redirect("system:user_list")
    context = {"form": form, "title": "修改用户", "target": target}
    return render(request, "system/user_form.html", context)


@require_perm(Perm.MANAGE_USER)
@require_http_methods(["GET", "POST"])
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    """重置密码 files a request; on approval the old password stops working and the person
    sets a new one with an activation code given to the approver."""
    target = get_visible_or_404(User, request.user, pk=pk)
    form = styled(ReasonForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            approvals.account_reset_request(
                actor=Actor.of(request), user=target, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"用户 {target.username} 的重置密码{FILED[2:]}")
            return redirect("system:request_list")
    return render(request, "system/user_reset.html", {"form": form, "target": target})


@require_perm(Perm.MANAGE_USER)
@require_POST
def user_kill_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(User, request.user, pk=pk)
    count = account_services.sessions_kill(
        user=target, actor=Actor.of(request), except_key=request.session.session_key
    )
    messages.success(request, f"已强制退出用户 {target.username} 的 {count} 个登录。")
    return redirect("system:user_list")


@require_perm(Perm.MANAGE_USER)
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(User, request.user, pk=pk)
    services.account_unlock(actor=Actor.of(request), username=target.username, user_id=target.pk)
    messages.success(request, f"用户 {target.username} 已解锁，可以重新登录。")
    return redirect("system:user_list")


# --- 字典管理 ----------------------------------------------------------------------------


@require_perm(Perm.MANAGE_DICT)
@require_GET
def dict_list(request: HttpRequest) -> HttpResponse:
    params = _params(request, "q", "status")
    context = {
        "page": paginate(request, selectors.dict_types(**params)),
        "params": params,
        "statuses": STATUS_CHOICES,
    }
    return render_page(request, "system/dict_list.html", context, partial="results")


@require_perm(Perm.MANAGE_DICT)
@require_http_methods(["GET", "POST"])
def dicttype_create(request: HttpRequest) -> HttpResponse:
    form = styled(DictTypeForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        dict_type = services.dict_type_create(actor=Actor.of(request), **form.cleaned_data)
        messages.success(request, f"字典类型 {dict_type.name} 已新增。")
        return redirect("system:dictitem_list", pk=dict_type.pk)
    return render(request, "system/dicttype_form.html", {"form": form, "title": "新增字典类型"})


@require_perm(Perm.MANAGE_DICT)
@require_http_methods(["GET", "POST"])
def dicttype_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dict_type = selectors.dict_type(pk)
    initial = {f: getattr(dict_type, f) for f in ("code", "name", "source", "is_active", "remark")}
    form = styled(DictTypeForm(request.POST or None, initial=initial, editing=dict_type))
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        services.dict_type_update(actor=Actor.of(request), dict_type=dict_type, **values)
        messages.success(request, f"字典类型 {dict_type.name} 已保存。")
        return redirect("system:dict_list")
    context = {"form": form, "title": "修改字典类型", "dict_type": dict_type}
    return render(request, "system/dicttype_form.html", context)


@require_perm(Perm.MANAGE_DICT)
@require_GET
def dictitem_list(request: HttpRequest, pk: int) -> HttpResponse:
    dict_type = selectors.dict_type(pk)
    params = _params(request, "q", "status")
    page = paginate(request, selectors.dict_items(dict_type, **params))
    context = {"dict_type": dict_type, "page": page, "params": params, "statuses": STATUS_CHOICES}
    return render_page(request, "system/dictitem_list.html", context, partial="results")


@require_perm(Perm.MANAGE_DICT)
@require_http_methods(["GET", "POST"])
def dictitem_create(request: HttpRequest, pk: int) -> HttpResponse:
    dict_type = selectors.dict_type(pk)
    form = styled(DictItemForm(request.POST or None, dict_type=dict_type))
    if request.method == "POST" and form.is_valid():
        try:
            services.dict_item_create(
                actor=Actor.of(request), dict_type=dict_type, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error("aliases", exc.message_dict["aliases"])
        else:
            messages.success(request, "字典数据已新增。")
            return redirect("system:dictitem_list", pk=dict_type.pk)
    context = {"form": form, "title": "新增字典数据", "dict_type": dict_type}
    return render(request, "system/dictitem_form.html", context)


@require_perm(Perm.MANAGE_DICT)
@require_http_methods(["GET", "POST"])
def dictitem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.dict_item(pk)
    names = ("value", "label", "sort", "tag", "is_default", "is_active", "remark")
    initial = {n: getattr(item, n) for n in names} | {"aliases": "、".join(item.aliases)}
    form = styled(
        DictItemForm(request.POST or None, initial=initial, dict_type=item.dict_type, editing=item)
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "value"}
        try:
            services.dict_item_update(actor=Actor.of(request), item=item, **values)
        except ValidationError as exc:
            form.add_error("aliases", exc.message_dict["aliases"])
        else:
            messages.success(request, "字典数据已保存。")
            return redirect("system:dictitem_list", pk=item.dict_type_id)
    context = {
        "form": form,
        "title": "修改字典数据",
        "dict_type": item.dict_type,
        "item": item,
        "history": selectors.dict_item_history(item),
    }
    return render(request, "system/dictitem_form.html", context)


@require_perm(Perm.MANAGE_DICT)
@require_POST
def dictitem_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.dict_item(pk)
    active = request.POST.get("active") == "1"
    services.dict_item_set_active(actor=Actor.of(request), item=item, active=active)
    messages.success(request, f"字典数据“{item.label}”已{'启用' if active else '停用'}。")
    return redirect("system:dictitem_list", pk=item.dict_type_id)


# --- 审计日志 ----------------------------------------------------------------------------


@require_perm(Perm.VIEW_AUDIT_LOG)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    form = styled(AuditFilterForm(request.GET or None), small=True)
    filters = form.filters()
    page = paginate(request, selectors.audit_entries(filters))
    for row in page:
        row.action_shown = audit_labels.action_shown(row.action)
        row.object_shown = audit_labels.object_shown(row.object_type, row.object_id)
        row.summary_shown = audit_labels.summary_shown(row.summary)
    context = {"form": form, "filters": filters, "page": page}
    return render_page(request, "system/audit_list.html", context, partial="results")


@require_perm(Perm.VIEW_AUDIT_LOG)
@require_http_methods(["GET", "POST"])
def audit_verify(request: HttpRequest) -> HttpResponse:
    """POST: walk the hash chain on the worker (``manage.py verify_audit`` for the audit
    administrator); GET: the verdict panel of the home page, which polls it while it runs."""
    if request.method == "POST":
        services.audit_verify_start(actor=Actor.of(request))
        messages.success(request, "已开始校验审计日志，结果显示在下方。")
        return redirect("home")
    return render(request, "system/_audit_verify.html", _verification())


@require_perm(Perm.VIEW_AUDIT_LOG)
@require_POST
def audit_export(request: HttpRequest) -> HttpResponse:
    filters = AuditFilterForm(request.POST).filters()
    services.audit_export_start(actor=Actor.of(request), filters=filters)
    messages.success(request, "导出任务已提交，完成后可在“后台任务”中下载。")
    return redirect("system:job_list")


# --- 登录日志 / 在线用户 --------------------------------------------------------------------


@require_perm(Perm.VIEW_LOGIN_LOG)
@require_GET
def loginlog_list(request: HttpRequest) -> HttpResponse:
    form = styled(LoginLogFilterForm(request.GET or None), small=True)
    page = paginate(request, selectors.login_logs(form.filters()))
    can_unlock = request.user.has_perm(Perm.MANAGE_SECURITY)
    locked = selectors.locked_usernames([r.username for r in page]) if can_unlock else set()
    context = {
        "form": form,
        "page": page,
        "locked": locked,
        "can_unlock": can_unlock,
        "locked_result": LoginLog.Result.LOCKED,
    }
    return render_page(request, "system/loginlog_list.html", context, partial="results")


@require_perm(Perm.MANAGE_SECURITY)
@require_POST
def loginlog_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.login_entry(pk)
    username = entry.user.username if entry.user else entry.username  # the log may mask it
    services.account_unlock(actor=Actor.of(request), username=username, user_id=entry.user_id)
    messages.success(request, f"账号 {username} 已解锁。")
    return redirect("system:loginlog_list")


@require_perm(Perm.MANAGE_SECURITY)
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    context = {"page": paginate(request, selectors.sessions(request.user))}
    return render_page(request, "system/session_list.html", context, partial="results")


@require_perm(Perm.MANAGE_SECURITY)
@require_POST
def session_kill(request: HttpRequest, pk: int) -> HttpResponse:
    """强退 one row: that session only; the account's other sessions go on."""
    session = selectors.session(request.user, pk)
    if session.session_key == request.session.session_key:
        messages.warning(request, "不能强退当前正在使用的会话，请用“退出登录”。")
        return redirect("system:session_list")
    account_services.session_kill(session=session, actor=Actor.of(request))
    messages.success(request, f"已强制退出 {session.user.username} 的这个登录（{session.ip}）。")
    return redirect("system:session_list")


@require_perm(Perm.MANAGE_SECURITY)
@require_POST
def session_kill_user(request: HttpRequest, pk: int) -> HttpResponse:
    """强退 every session of the account (``pk`` is the user), except the caller's own."""
    target = get_visible_or_404(User, request.user, pk=pk)
    count = account_services.sessions_kill(
        user=target, actor=Actor.of(request), except_key=request.session.session_key
    )
    messages.success(request, f"已强制退出 {target.username} 的全部 {count} 个登录。")
    return redirect("system:session_list")


# --- 后台任务 ----------------------------------------------------------------------------

UNFINISHED = (JobProgress.Status.QUEUED, JobProgress.Status.RUNNING)


@require_perm(Perm.VIEW_JOBS)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.jobs(request.user))
    polling = any(job.status in UNFINISHED for job in page)
    context = {"page": page, "polling": polling}
    return render_page(request, "system/job_list.html", context, partial="results")


DOWNLOAD_TYPES = {".xlsx": XLSX, ".pdf": "application/pdf", ".csv": "text/csv; charset=utf-8"}


@require_perm(Perm.VIEW_JOBS)
@require_GET
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The result file of one's own finished job; anyone else's job is 404 (and audited)."""
    job, path = services.job_download(actor=Actor.of(request), pk=pk)
    name = f"{job.title}-{job.pk}{path.suffix}"
    context = vault.media_context(job.result_file)
    kind = DOWNLOAD_TYPES.get(path.suffix, "application/octet-stream")
    return vault.download(path, context=context, filename=name, content_type=kind)
