"""Pages of the inspections (督查): the plan of visits, each visit with its team, its sample
(drawn once, reproducibly; the seed is shown), the verification of each sampled record, the
findings with severity and proposed deduction, the rectification notices with the township's
response and the re-check. The inspector's home in the menu is the list of visits.

Visits, findings and notices are about units (``supervision.view``); the sampled records name
persons and are shown only to those who inspect (``supervision.inspect``), within their scope.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.benefits.documents import open_document
from renkou.common import audit, crypto, dates
from renkou.common.actors import Actor
from renkou.common.forms import error_text, styled
from renkou.common.permissions import require_perm
from renkou.geo.constants import county_of, full_code
from renkou.geo.scope import NOT_FOUND, get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.supervision import bulletins, inspections, selectors
from renkou.supervision.constants import InspectionStatus, RectStatus, SampleTopic
from renkou.supervision.forms import (
    BulletinForm,
    FindingForm,
    NoticeForm,
    PlanForm,
    RecheckForm,
    RespondForm,
    SampleForm,
    VerifyForm,
)
from renkou.supervision.models import (
    Bulletin,
    Finding,
    Inspection,
    Rectification,
    RectificationPhoto,
    Sample,
)
from renkou.supervision.views import CONTENT_TYPES


def _prefix(request: HttpRequest) -> str:
    user: Any = request.user
    return str(user.scope_prefix or "")


def _visit(request: HttpRequest, pk: int) -> Inspection:
    return get_visible_or_404(selectors.inspections_visible(request.user), request.user, pk=pk)


def _done(request: HttpRequest, call: Any, ok: str) -> bool:
    try:
        call()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc, fallback="不能执行此操作"))
        return False
    messages.success(request, ok)
    return True


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    """督查: the visits of the caller's units, and the rectification notices, overdue first."""
    today = dates.today()
    unit = selectors.unit_prefix(request.GET.get("unit"))
    visits = list(
        selectors.inspections_visible(request.user)
        .filter(unit_code__startswith=unit)
        .prefetch_related("team")
    )
    notices = list(
        selectors.rectifications_visible(request.user).filter(unit_code__startswith=unit)
    )
    names = unit_names([v.unit_code for v in visits] + [n.unit_code for n in notices])
    for row in [*visits, *notices]:
        row.unit_name = names.get(row.unit_code, row.unit_code)
    for notice in notices:
        notice.overdue = notice.status != RectStatus.CLOSED and notice.deadline < today
    notices.sort(key=lambda n: (not n.overdue, n.deadline))
    context = {
        "visits": visits,
        "notices": notices,
        "can_plan": request.user.has_perm(Perm.INSPECT),
        "overdue": sum(1 for n in notices if n.overdue),
    }
    return render(request, "supervision/inspection_list.html", context)


@require_perm(Perm.INSPECT)
@require_http_methods(["GET", "POST"])
def inspection_plan(request: HttpRequest) -> HttpResponse:
    team = selectors.inspectors_of(request.user)
    form = styled(
        PlanForm(
            request.POST or None,
            units=selectors.townships(request.user),
            team=[(str(u.pk), u.full_name or u.username) for u in team],
        )
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [u for u in team if str(u.pk) in data["team"]]
        try:
            made = inspections.plan(
                actor=Actor.of(request),
                county_code=county_of(full_code(_prefix(request))),
                kind=data["kind"],
                title=data["title"],
                units=data["units"],
                first_day=data["first_day"],
                days=data["days"],
                every=data["every"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                team=chosen,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"已安排{len(made)}次督查")
            return redirect("supervision:inspection_list")
    return render(request, "supervision/inspection_plan.html", {"form": form})


def _with_village_staff(samples: list[Sample], visit: Inspection) -> None:
    """Each sampled record's village and its 包村技术员 during the visit (one query each)."""
    from renkou.accounts.staffing import village_staff

    codes = [s.person.unit_code for s in samples]
    staff = village_staff(codes, visit.starts_on)
    names = unit_names(codes)
    for s in samples:
        s.village_name = names.get(s.person.unit_code, "")  # type: ignore[attr-defined]  # display only
        s.village_staff = "、".join(staff.get(s.person.unit_code, [])) or "—"  # type: ignore[attr-defined]  # display only


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    user: Any = request.user
    inspects = user.has_perm(Perm.INSPECT)
    on_team = inspects and visit.team.filter(pk=user.pk).exists()
    samples: list[Sample] = []
    if inspects:
        samples = list(
            Sample.objects.visible_to(user).filter(inspection=visit).select_related("person")
        )
        for s in samples:
            s.id_masked = crypto.mask(s.person.id_number)  # type: ignore[attr-defined]  # display only
        _with_village_staff(samples, visit)
    findings = list(Finding.objects.filter(inspection=visit).prefetch_related("notices"))
    today = dates.today()
    visiting = visit.status == InspectionStatus.VISITING
    # The sample may exist while its persons are out of the inspector's reach (outside the
    # visit's dates): ask the table, not the scoped list, whether it was drawn.
    drawn = bool(samples) or Sample.objects.filter(inspection=visit).exists()
    granted = selectors.current_access(user, today) if on_team else []
    access = next((a for a in granted if a.pk == visit.pk), None)
    context = {
        "visit": visit,
        "unit_name": unit_names([visit.unit_code]).get(visit.unit_code, visit.unit_code),
        "team": list(visit.team.all()),
        "samples": samples,
        "topics": SampleTopic,
        "findings": findings,
        "on_team": on_team,
        "can_verify": on_team and visiting and visit.starts_on <= today <= visit.ends_on,
        "sample_form": styled(SampleForm()) if on_team and not drawn else None,
        "drawn": drawn,
        "access": access,
        "finding_form": styled(FindingForm()) if on_team and visiting else None,
        "notice_form": styled(NoticeForm()) if on_team else None,
        "verify_form": VerifyForm(),
        "today": today,
    }
    return render(request, "supervision/inspection_detail.html", context)


@require_perm(Perm.INSPECT)
@require_POST
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    _done(request, lambda: inspections.start(actor=Actor.of(request), inspection=visit), "督查开始")
    return redirect("supervision:inspection_detail", visit.pk)


@require_perm(Perm.INSPECT)
@require_POST
def inspection_close(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    _done(request, lambda: inspections.close(actor=Actor.of(request), inspection=visit), "督查结束")
    return redirect("supervision:inspection_detail", visit.pk)


@require_perm(Perm.INSPECT)
@require_POST
def inspection_sample(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = SampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "抽样数量应为0到200之间的整数")
        return redirect("supervision:inspection_detail", visit.pk)
    sizes = {t: form.cleaned_data[t] or 0 for t in SampleTopic.values}
    _done(
        request,
        lambda: inspections.sample(actor=Actor.of(request), inspection=visit, sizes=sizes),
        "已随机抽样（种子已保存，可复核）",
    )
    return redirect("supervision:inspection_detail", visit.pk)


@require_perm(Perm.INSPECT)
@require_POST
def sample_verify(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(Sample.objects.select_related("inspection"), request.user, pk=pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _done(
            request,
            lambda: inspections.verify(
                actor=Actor.of(request),
                sample=row,
                outcome=data["outcome"],
                differs_field=data["differs_field"],
                note=data["note"],
            ),
            "已记录核实结果",
        )
    else:
        messages.error(request, "请选择核实结果")
    return redirect("supervision:inspection_detail", row.inspection_id)


@require_perm(Perm.INSPECT)
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _done(
            request,
            lambda: inspections.finding_add(
                actor=Actor.of(request),
                inspection=visit,
                topic=data["topic"],
                severity=data["severity"],
                text=data["text"],
                deduction=data["deduction"] or Decimal(0),
            ),
            "已记录发现的问题",
        )
    else:
        messages.error(request, error_text(ValidationError(list(form.errors.values()))))
    return redirect("supervision:inspection_detail", visit.pk)


@require_perm(Perm.INSPECT)
@require_POST
def notice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_visible_or_404(Finding.objects.all(), request.user, pk=pk)
    form = NoticeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _done(
            request,
            lambda: inspections.notice_issue(
                actor=Actor.of(request),
                finding=finding,
                requirement=data["requirement"],
                deadline=data["deadline"],
            ),
            "已下发整改通知",
        )
    else:
        messages.error(request, "请填写整改要求和有效的整改时限")
    return redirect("supervision:inspection_detail", finding.inspection_id)


def _notice(request: HttpRequest, pk: int) -> Rectification:
    return get_visible_or_404(selectors.rectifications_visible(request.user), request.user, pk=pk)


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    user: Any = request.user
    visit = notice.finding.inspection
    context = {
        "notice": notice,
        "finding": notice.finding,
        "visit": visit,
        "unit_name": unit_names([notice.unit_code]).get(notice.unit_code, notice.unit_code),
        "photos": list(notice.photos.all()),
        "files": user.has_perm(Perm.VIEW_PERSON),
        "overdue": notice.status != RectStatus.CLOSED and notice.deadline < dates.today(),
        "respond_form": styled(RespondForm())
        if user.has_perm(Perm.REPORT_TASK) and notice.status == RectStatus.ISSUED
        else None,
        "recheck_form": styled(RecheckForm())
        if user.has_perm(Perm.INSPECT)
        and notice.status == RectStatus.RESPONDED
        and visit.team.filter(pk=user.pk).exists()
        else None,
    }
    return render(request, "supervision/notice_detail.html", context)


@require_perm(Perm.REPORT_TASK)
@require_POST
def notice_respond(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    form = RespondForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        _done(
            request,
            lambda: inspections.respond(
                actor=Actor.of(request),
                notice=notice,
                response=data["response"],
                photo=data["photo"],
            ),
            "已反馈整改情况，等待复查",
        )
    else:
        messages.error(request, "请填写整改情况")
    return redirect("supervision:notice_detail", notice.pk)


@require_perm(Perm.INSPECT)
@require_POST
def notice_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    form = RecheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _done(
            request,
            lambda: inspections.recheck(
                actor=Actor.of(request), notice=notice, passed=data["passed"], note=data["note"]
            ),
            "已记录复查结论",
        )
    else:
        messages.error(request, "请选择复查结论")
    return redirect("supervision:notice_detail", notice.pk)


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def notice_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A rectification photo, as an attachment (audited); not for leaders."""
    if not request.user.has_perm(Perm.VIEW_PERSON):
        raise Http404(NOT_FOUND)
    row = get_visible_or_404(RectificationPhoto.objects.all(), request.user, pk=pk)
    audit.record_request(
        request,
        action="supervision.notice_photo_download",
        object_type="supervision.rectificationphoto",
        object_id=row.pk,
    )
    response = FileResponse(
        open_document(row),  # RectificationPhoto has the stored-file fields of a Document
        as_attachment=True,
        filename=f"整改佐证-{row.pk}.{row.ext}",
        content_type=CONTENT_TYPES.get(row.ext, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- bulletins (通报) ------------------------------------------------------------------------


def _bulletins(request: HttpRequest) -> Any:
    """Published bulletins for every supervision account of the county; drafts for those who
    inspect."""
    rows = Bulletin.objects.visible_to(request.user)
    if not request.user.has_perm(Perm.INSPECT):
        rows = rows.filter(published_on__isnull=False)
    return rows


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    context = {
        "bulletins": list(_bulletins(request)),
        "can_make": request.user.has_perm(Perm.INSPECT),
    }
    return render(request, "supervision/bulletin_list.html", context)


@require_perm(Perm.INSPECT)
@require_http_methods(["GET", "POST"])
def bulletin_create(request: HttpRequest) -> HttpResponse:
    form = styled(BulletinForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = inspections.bulletin_create(
                actor=Actor.of(request),
                county_code=county_of(full_code(_prefix(request))),
                **data,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "已生成通报草稿")
            return redirect("supervision:bulletin_detail", made.pk)
    return render(request, "supervision/bulletin_form.html", {"form": form})


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_visible_or_404(_bulletins(request), request.user, pk=pk)
    context = {
        "b": bulletin,
        "rows": bulletins.rows(bulletin),
        "can_publish": request.user.has_perm(Perm.INSPECT) and bulletin.published_on is None,
    }
    return render(request, "supervision/bulletin_detail.html", context)


@require_perm(Perm.INSPECT)
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_visible_or_404(_bulletins(request), request.user, pk=pk)
    _done(
        request,
        lambda: inspections.bulletin_publish(actor=Actor.of(request), bulletin=bulletin),
        "已发布，各乡镇可查看",
    )
    return redirect("supervision:bulletin_detail", bulletin.pk)


@require_perm(Perm.VIEW_SUPERVISION)
@require_GET
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_visible_or_404(_bulletins(request), request.user, pk=pk)
    audit.record_request(
        request,
        action="supervision.bulletin_pdf",
        object_type="supervision.bulletin",
        object_id=bulletin.pk,
    )
    response = HttpResponse(bulletins.render(bulletin), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"督查通报-{bulletin.pk}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
