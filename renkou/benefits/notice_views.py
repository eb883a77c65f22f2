"""Public notices (公示): the list, publishing an approved list for a unit, the printable notice
with its objection form, closing after the end date, and the .xlsx export (audited)."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.benefits import amounts, selectors, services
from renkou.benefits.forms import NoticeForm, ObjectionForm
from renkou.benefits.models import Application, Notice, Program
from renkou.benefits.rule_views import apply_errors
from renkou.common import audit, crypto, dates, xlsx
from renkou.common.actors import Actor
from renkou.common.forms import error_text
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    ("序号", 6, False),
    ("姓名", 12, True),
    ("性别", 6, True),
    ("身份证号", 22, True),
    ("所在村（居）", 16, True),
    ("项目", 30, True),
    ("标准（元）", 12, True),
)


def _rows(notice: Notice) -> list[dict]:
    """The listed people with masked ID numbers and their villages (for print and export)."""
    entries = list(notice.entries.select_related("application__person").order_by("unit_code", "pk"))
    names = unit_names(e.unit_code for e in entries)
    standard = amounts.amount_on(notice.program, notice.starts_on)
    out = []
    for n, entry in enumerate(entries, 1):
        person = entry.application.person
        out.append(
            {
                "n": n,
                "entry": entry,
                "app": entry.application,
                "name": person.name,
                "sex": "男" if person.sex == "1" else "女",
                "id_masked": crypto.mask(person.id_number),
                "unit": names.get(entry.unit_code, entry.unit_code),
                "standard": amounts.yuan(standard.fen) if standard else "",
            }
        )
    return out


@require_perm(Perm.VIEW_PERSON)
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.notices(request.user))
    names = unit_names(n.unit_code for n in page.object_list)
    for notice in page.object_list:
        notice.unit_name = names.get(notice.unit_code, "")  # type: ignore[attr-defined]  # display value for the template
    context = {
        "page": page,
        "today": dates.today(),
        "can_review": request.user.has_perm(Perm.REVIEW_BENEFIT),
    }
    return render(request, "benefits/notice_list.html", context)


@require_perm(Perm.REVIEW_BENEFIT)
@require_http_methods(["GET", "POST"])
def notice_create(request: HttpRequest) -> HttpResponse:
    """张榜公示: the approved list of one programme at the caller's level, for a unit of the
    caller's subtree (a village board, the township, the county)."""
    programs = list(Program.objects.filter(is_active=True))
    units = list(Unit.objects.current().visible_to(request.user).order_by("code"))
    today = dates.today()
    form = NoticeForm(
        request.POST or None,
        programs=programs,
        units=units,
        initial={"starts_on": today, "unit": request.user.unit_code},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        program = next(p for p in programs if p.code == data["program"])
        try:
            notice = services.notice_publish(
                actor=Actor.of(request),
                program=program,
                unit_code=data["unit"],
                starts_on=data["starts_on"],
                days=data["days"],
                contact=data["contact"],
                today=today,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "无权办理")
        else:
            messages.success(request, f"已发布公示，{notice.starts_on} 至 {notice.ends_on}。")
            return redirect("benefits:notice_detail", pk=notice.pk)
    return render(request, "benefits/notice_form.html", {"form": form})


@require_perm(Perm.VIEW_PERSON)
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice as printed for the board, with the objection form for reviewers."""
    notice = get_visible_or_404(Notice.objects.select_related("program"), request.user, pk=pk)
    today = dates.today()
    audit.record_request(
        request, action="benefits.view", object_type="benefits.notice", object_id=notice.pk
    )
    context = {
        "notice": notice,
        "rows": _rows(notice),
        "today": today,
        "ended": notice.has_ended(today),
        "unit_name": unit_names([notice.unit_code]).get(notice.unit_code, ""),
        "reviewer": services.reviewer_name(notice.unit_code, notice.level),
        "objections": notice.objections.select_related("application__person"),
        "can_review": request.user.has_perm(Perm.REVIEW_BENEFIT),
        "objection_form": ObjectionForm(initial={"received_on": today}),
    }
    return render(request, "benefits/notice_detail.html", context)


@require_perm(Perm.REVIEW_BENEFIT)
@require_POST
def notice_objection(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(Notice, request.user, pk=pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.warning(request, "请填写异议的收到日期和内容")
        return redirect("benefits:notice_detail", pk=notice.pk)
    data = form.cleaned_data
    app = get_visible_or_404(Application, request.user, pk=data["application"])
    try:
        services.objection_record(
            actor=Actor.of(request),
            notice=notice,
            application=app,
            received_on=data["received_on"],
            content=data["content"],
            channel=data["channel"],
            today=dates.today(),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc))
    else:
        messages.success(request, "异议已登记，该申请退回本级重新审核。")
    return redirect("benefits:notice_detail", pk=notice.pk)


@require_perm(Perm.REVIEW_BENEFIT)
@require_POST
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(Notice, request.user, pk=pk)
    try:
        moved = services.notice_close(actor=Actor.of(request), notice=notice, today=dates.today())
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc))
    else:
        messages.success(request, f"公示已结束，{moved} 人进入下一步。")
    return redirect("benefits:notice_detail", pk=notice.pk)


@require_perm(Perm.VIEW_PERSON)
@require_GET
def notice_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice list as .xlsx (ID numbers masked as on the board), audited."""
    notice = get_visible_or_404(Notice.objects.select_related("program"), request.user, pk=pk)
    rows = _rows(notice)
    buffer = io.BytesIO()
    workbook, sheet, text = xlsx.open_sheet(buffer, "公示名单", COLUMNS)
    for i, row in enumerate(rows, 1):
        xlsx.write_row(
            sheet,
            i,
            [
                row["n"],
                row["name"],
                row["sex"],
                row["id_masked"],
                row["unit"],
                notice.program.name,
                row["standard"],
            ],
            text,
        )
    workbook.close()
    audit.record_request(
        request,
        action="benefits.notice_export",
        object_type="benefits.notice",
        object_id=notice.pk,
        row_count=len(rows),
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"公示名单-{notice.program.name}-{notice.starts_on:%Y%m%d}-{notice.pk}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
