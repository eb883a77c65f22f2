"""完整导出申请 pages (security.md CR8): a registrar asks, with a reason, for an export of the
person list's current filter with full ID numbers and phones; a second account of the same
unit or one above approves or rejects it; the requester then runs that export once.

Requests are fetched through the scoping chokepoint (``unit_code`` is the requester's unit),
so only staff of that unit and the units above reach one; the requester's own actions (the
export) answer 404 to everyone else. State changes are POST only and go through
``renkou.people.exports``; a refusal comes back as a message on the request's page.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.accounts.requests import SignedInRequest
from renkou.common.actors import Actor
from renkou.common.forms import BaseForm, error_text
from renkou.common.htmx import render_page
from renkou.common.models import JobProgress
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.constants import full_code
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.people import exports, selectors
from renkou.people.forms import PersonFilterForm
from renkou.people.models import ExportRequest

# Asking, deciding and using all need the registrar's export and unmask permissions.
FULL_EXPORT = (Perm.VIEW_PERSON, Perm.EXPORT_PERSON, Perm.UNMASK_PERSON)


class RequestForm(BaseForm):
    reason = forms.CharField(
        label="申请事由",
        max_length=300,
        help_text="写明用途和依据（如上级来文、专项工作），不要填写身份证号或电话。",
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


class DecisionForm(BaseForm):
    note = forms.CharField(
        label="审批意见",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )


def _named(page: "Page[Any]") -> "Page[Any]":
    """Each request on the page gets ``unit_name`` (the requester's unit) for display."""
    page.object_list = list(page.object_list)
    names = unit_names(r.unit_code for r in page.object_list)
    for row in page.object_list:
        row.unit_name = names.get(row.unit_code, row.unit_code)
    return page


def _conditions(filters: dict[str, str]) -> list[tuple[str, str]]:
    """The filter as (label, shown value) pairs, in the list's field order."""
    form = PersonFilterForm()
    shown = []
    for name, field in form.fields.items():
        value = filters.get(name, "")
        if not value:
            continue
        if name == "unit":
            shown.append(("单位范围", unit_names([value]).get(full_code(value), value)))
            continue
        choices = dict(getattr(field, "choices", ()))
        shown.append((str(field.label), str(choices.get(value, value))))
    return shown


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, error_text(exc))


@require_perm(*FULL_EXPORT)
@require_http_methods(["GET", "POST"])
def export_request_create(request: HttpRequest) -> HttpResponse:
    """申请完整导出 of the filter the list carried here (GET) and posts back (hidden inputs)."""
    data = request.POST if request.method == "POST" else request.GET
    filter_form = PersonFilterForm(data or None)
    flt = filter_form.filter()
    refused = filter_form.number_refused or "id_number" in data
    form = RequestForm(request.POST or None)
    if request.method == "POST" and not refused and form.is_valid():
        try:
            grant = exports.export_request_create(
                actor=Actor.of(request),
                filters=filter_form.params(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "已提交完整导出申请，请等待本单位或上级单位的其他人员审批。")
            return redirect("people:export_request_detail", pk=grant.pk)
    rows = selectors.person_list(request.user, flt, today=timezone.localdate())
    context = {
        "form": form,
        "params": filter_form.params(),
        "refused": refused,
        "conditions": _conditions(filter_form.params()),
        "count": rows.count(),
        "refused_message": exports.NUMBER_REFUSED,
        "hours": exports.GRANT_HOURS,
    }
    return render(request, "people/export_request_form.html", context)


@require_perm(*FULL_EXPORT)
@require_GET
def export_request_list(request: SignedInRequest) -> HttpResponse:
    """我的完整导出申请: the caller's requests, newest first, with the export button."""
    rows = ExportRequest.objects.visible_to(request.user).filter(requester=request.user)
    page = _named(paginate(request, rows.select_related("approver")))
    context = {"page": page}
    return render_page(request, "people/export_request_list.html", context, partial="results")


@require_perm(*FULL_EXPORT)
@require_GET
def export_approval_list(request: SignedInRequest) -> HttpResponse:
    """导出审批: other accounts' requests from the caller's unit and the units below."""
    status = request.GET.get("status", ExportRequest.Status.PENDING)
    rows = ExportRequest.objects.visible_to(request.user).exclude(requester=request.user)
    if status in ExportRequest.Status.values:
        rows = rows.filter(status=status)
    page = _named(paginate(request, rows.select_related("requester", "approver")))
    context = {"page": page, "status": status, "statuses": ExportRequest.Status.choices}
    return render_page(request, "people/export_approval_list.html", context, partial="results")


@require_perm(*FULL_EXPORT)
@require_GET
def export_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rows = ExportRequest.objects.select_related("requester", "approver")
    grant = get_visible_or_404(rows, request.user, pk=pk)
    mine = grant.requester_id == request.user.pk
    pending = grant.status == ExportRequest.Status.PENDING
    count = None
    if pending or grant.is_usable:
        flt = selectors.PersonFilter(**grant.filters)
        count = selectors.person_list(request.user, flt, today=timezone.localdate()).count()
    context = {
        "grant": grant,
        "mine": mine,
        "conditions": _conditions(grant.filters),
        "count": count,
        "can_decide": pending and not mine,
        "form": DecisionForm(),
        "can_use": mine and grant.is_usable,
        "hours": exports.GRANT_HOURS,
        "unit_name": unit_names([grant.unit_code]).get(grant.unit_code, ""),
    }
    return render(request, "people/export_request_detail.html", context)


def _decide(request: HttpRequest, pk: int, service: Any, done: str) -> HttpResponse:
    grant = get_visible_or_404(ExportRequest, request.user, pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        service(actor=Actor.of(request), pk=grant.pk, note=note)
    except ValidationError as exc:
        _error(request, exc)
        return redirect("people:export_request_detail", pk=grant.pk)
    messages.success(request, done)
    return redirect("people:export_approval_list")


@require_perm(*FULL_EXPORT)
@require_POST
def export_request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    done = f"已批准，申请人可在 {exports.GRANT_HOURS} 小时内导出一次。"
    return _decide(request, pk, exports.export_request_approve, done)


@require_perm(*FULL_EXPORT)
@require_POST
def export_request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, exports.export_request_reject, "已驳回该申请。")


@require_perm(*FULL_EXPORT)
@require_POST
def export_request_use(request: HttpRequest, pk: int) -> HttpResponseBase:
    """导出 with full numbers, once, from the caller's own approved request."""
    # Another account's request in scope is refused by the service: 404, audited.
    grant = get_visible_or_404(ExportRequest, request.user, pk=pk)
    today = timezone.localdate()
    try:
        result = exports.export_full(actor=Actor.of(request), pk=grant.pk, today=today)
    except ValidationError as exc:
        _error(request, exc)
        return redirect("people:export_request_detail", pk=grant.pk)
    if isinstance(result, JobProgress):
        messages.success(request, "导出人数较多，已转为后台任务，完成后请在“后台任务”中下载。")
        return redirect("system:job_list")
    buffer, _count = result
    name = f"人员名单-完整号码-{today:%Y%m%d}.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name)


urlpatterns = [
    path("persons/export/requests/", export_request_list, name="export_request_list"),
    path("persons/export/requests/new/", export_request_create, name="export_request_create"),
    path("persons/export/requests/<int:pk>/", export_request_detail, name="export_request_detail"),
    path(
        "persons/export/requests/<int:pk>/approve/",
        export_request_approve,
        name="export_request_approve",
    ),
    path(
        "persons/export/requests/<int:pk>/reject/",
        export_request_reject,
        name="export_request_reject",
    ),
    path("persons/export/requests/<int:pk>/export/", export_request_use, name="export_request_use"),
    path("persons/export/approvals/", export_approval_list, name="export_approval_list"),
]
