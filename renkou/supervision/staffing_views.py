"""Pages of 包乡包村 (issue 14 item 7): the county's staff assigned to townships (包乡领导,
包乡干部) and villages (包村技术员), listed by township with filters; county officers add,
change (role, start date, note) and end assignments (``supervision.manage_task``). Read by
every supervision role within its subtree (``supervision.view``): staff names, no person of
the register. The rules of an assignment live in ``renkou.accounts.staffing``."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts import staffing
from renkou.accounts.constants import Perm
from renkou.common import dates
from renkou.common.actors import Actor
from renkou.common.forms import error_text, styled
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.supervision import selectors
from renkou.supervision.forms import (
    StaffAssignmentForm,
    StaffChangeForm,
    StaffEndForm,
    StaffFilterForm,
)


def _filtered(request: HttpRequest, form: StaffFilterForm) -> Any:
    rows = staffing.assignments_visible(request.user).select_related("user__unit")
    if not form.is_valid():
        return rows
    data = form.cleaned_data
    if data["township"]:
        rows = rows.filter(unit_code__startswith=data["township"][:9])
    if data["role"]:
        rows = rows.filter(role=data["role"])
    if data["current"]:
        rows = staffing.current(rows, dates.today())
    return rows


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    """包乡包村: the assignments of the caller's subtree by township, filtered."""
    form = styled(
        StaffFilterForm(request.GET or None, townships=selectors.townships(request.user)),
        small=True,
    )
    page = paginate(request, _filtered(request, form))
    names = unit_names(r.unit_code for r in page.object_list)
    for row in page.object_list:
        row.unit_name = names.get(row.unit_code, row.unit_code)
    context = {
        "form": form,
        "page": page,
        "today": dates.today(),
        "can_manage": request.user.has_perm(Perm.MANAGE_TASK),
        "end_form": StaffEndForm(initial={"ends_on": dates.today()}),
    }
    return render(request, "supervision/staff_list.html", context)


@require_perm(Perm.MANAGE_TASK)
@require_http_methods(["GET", "POST"])
def staff_add(request: HttpRequest) -> HttpResponse:
    staff = {u.pk: u for u in staffing.assignable_staff(request.user)}
    form = styled(
        StaffAssignmentForm(
            request.POST or None,
            units=staffing.townships_and_villages(request.user),
            staff=[(pk, f"{u}（{u.get_role_display()}）") for pk, u in staff.items()],
            initial={"starts_on": dates.today()},
        )
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staffing.staff_assignment_add(
                actor=Actor.of(request),
                user=staff.get(data["user"]),
                unit_code=data["unit_code"],
                role=data["role"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "已安排包联")
            return redirect("supervision:staff_list")
    return render(request, "supervision/staff_form.html", {"form": form})


@require_perm(Perm.MANAGE_TASK)
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改包联: an open assignment's role, start date and note (not its person or unit), with
    its history; an ended one is history and is not changed."""
    rows = staffing.assignments_visible(request.user).select_related("user__unit")
    row = get_visible_or_404(rows, request.user, pk=pk)
    if row.ends_on is not None:
        messages.error(request, f"该包联已于{row.ends_on:%Y-%m-%d}终止，不能修改")
        return redirect("supervision:staff_list")
    initial = {"role": row.role, "starts_on": row.starts_on, "note": row.note}
    form = styled(
        StaffChangeForm(request.POST or None, roles=staffing.roles_for(row), initial=initial)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staffing.staff_assignment_change(
                actor=Actor.of(request),
                assignment=row,
                role=data["role"],
                starts_on=data["starts_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "包联已修改")
            return redirect("supervision:staff_list")
    context = {
        "form": form,
        "row": row,
        "unit_name": unit_names([row.unit_code]).get(row.unit_code, row.unit_code),
        "history": list(row.history.select_related("history_user").order_by("-history_date")),
    }
    return render(request, "supervision/staff_edit.html", context)


def _form_errors(form: StaffChangeForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@require_perm(Perm.MANAGE_TASK)
@require_POST
def staff_end(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(staffing.assignments_visible(request.user), request.user, pk=pk)
    form = StaffEndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写有效的终止日期")
        staffing.staff_assignment_end(
            actor=Actor.of(request), assignment=row, ends_on=form.cleaned_data["ends_on"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc, fallback="不能终止该包联"))
    else:
        messages.success(request, "已终止包联")
    return redirect("supervision:staff_list")
