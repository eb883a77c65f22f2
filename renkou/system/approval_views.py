"""授权申请 (the system administrator's requests) and 账号审批 (the security administrator's
decisions): account changes that need a second administrator (renkou.accounts.approvals)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from renkou.accounts import approvals
from renkou.accounts.constants import Perm
from renkou.accounts.forms import DecisionForm
from renkou.accounts.models import AccountRequest
from renkou.common.actors import Actor
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.scope import get_visible_or_404
from renkou.system import selectors

STATUSES = AccountRequest.Status.choices


@require_perm(Perm.MANAGE_USER)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "").strip()
    page = paginate(request, selectors.account_requests(request.user, status=status))
    context = {"page": page, "status": status, "statuses": STATUSES}
    return render_page(request, "system/request_list.html", context, partial="results")


@require_perm(Perm.MANAGE_USER)
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    filed = get_visible_or_404(AccountRequest, request.user, pk=pk)
    try:
        approvals.request_cancel(actor=Actor.of(request), request=filed)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已撤回对 {filed.username} 的申请。")
    return redirect("system:request_list")


@require_perm(Perm.APPROVE_ACCOUNT)
@require_GET
def approval_list(request: HttpRequest) -> HttpResponse:
    context = {
        "pending": selectors.requests_to_decide(request.user),
        "page": paginate(
            request, selectors.account_requests(request.user).exclude(status="pending")
        ),
    }
    return render_page(request, "system/approval_list.html", context, partial="results")


def _decidable(request: HttpRequest, pk: int) -> AccountRequest:
    """A pending request the caller may decide; any other is 404 like a missing one."""
    return get_visible_or_404(selectors.requests_to_decide(request.user), request.user, pk=pk)


@require_perm(Perm.APPROVE_ACCOUNT)
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve; a new account or a reset shows its activation code on this response only."""
    filed = _decidable(request, pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        decided, code = approvals.request_approve(actor=Actor.of(request), request=filed, note=note)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("system:approval_list")
    if not code:
        messages.success(request, f"已批准：{decided.username} {decided.changes}。")
        return redirect("system:approval_list")
    context = {"decided": decided, "code": code, "account": decided.target}
    return render(request, "system/activation_code.html", context)


@require_perm(Perm.APPROVE_ACCOUNT)
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    filed = _decidable(request, pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        approvals.request_reject(actor=Actor.of(request), request=filed, note=note)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已驳回对 {filed.username} 的申请。")
    return redirect("system:approval_list")
