"""Pages of the “两非” cases: the list (and its .xlsx), opening a case (also from a tip-off's
page, by its handler), the case's page (steps, evidence, referral, closing), correcting it,
the evidence download and the outcome figures per township beside the sex ratio at birth.

A person's ID number and phone appear masked only, on every page and in the export; the
informant of a linked tip-off never appears (the case holds the tip-off's number only).
"""

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.assessment import documents as evidence_files
from renkou.cases import selectors, services
from renkou.cases.constants import (
    KINDS_OF,
    Outcome,
    Source,
    Status,
    SubjectKind,
    SubjectType,
)
from renkou.cases.forms import CaseForm, CloseForm, EvidenceForm, ReferForm, StepForm
from renkou.cases.models import Case, Evidence
from renkou.common import audit, crypto, dates, xlsx
from renkou.common.actors import Actor, ConflictError
from renkou.common.conflicts import act_then_back, conflict_page
from renkou.common.forms import error_text, form_error_text, parse_int, styled
from renkou.common.paging import paginate
from renkou.common.periods import fp_year_of
from renkou.common.permissions import require_perm
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.tipoffs.selectors import township_choices

EXPORT_COLUMNS = [
    ("编号", 18, True),
    ("立案日期", 12, True),
    ("所涉乡镇", 14, True),
    ("案件来源", 14, True),
    ("当事方", 8, True),
    ("当事方类别", 18, True),
    ("当事机构或人员名称", 24, True),
    ("执业许可证或执业证书编号", 20, True),
    ("公民身份号码（遮蔽）", 22, True),
    ("联系电话（遮蔽）", 16, True),
    ("状态", 16, True),
    ("调查时限", 12, True),
    ("移送机关", 24, True),
    ("接收机关", 24, True),
    ("移送日期", 12, True),
    ("结案结果", 24, True),
    ("结案日期", 12, True),
]


def _label(rows: Any) -> list[Case]:
    """The rows with their unit's name as ``unit_name`` and the masked numbers (display)."""
    labelled: list[Case] = list(rows)
    names = unit_names(r.unit_code for r in labelled)
    for row in labelled:
        row.unit_name = names.get(row.unit_code, row.unit_code)  # type: ignore[attr-defined]  # display only
        row.id_masked = crypto.mask(row.subject_id_number, crypto.ID_NUMBER)  # type: ignore[attr-defined]  # display only
        row.phone_masked = crypto.mask(row.subject_phone, crypto.PHONE)  # type: ignore[attr-defined]  # display only
    return labelled


def _to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _filters(request: HttpRequest) -> selectors.Filters:
    get = request.GET
    year = parse_int(get.get("year"))
    return selectors.Filters(
        year=year if year is not None and 2000 <= year <= 2100 else None,
        unit=get.get("unit", "")[:12],
        status=get.get("status", ""),
        outcome=get.get("outcome", ""),
        source=get.get("source", ""),
        referred=get.get("referred") == "1",
        substantiated=get.get("substantiated") == "1",
        overdue=get.get("overdue") == "1",
        q=get.get("q", "").strip()[:50],
    )


def _filtered(request: HttpRequest) -> Any:
    return selectors.case_list(request.user, _filters(request), dates.today())


@require_perm(Perm.VIEW_CASE)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """案件台账: number, date, township, source, subject, status, deadline, outcome."""
    page = paginate(request, _filtered(request))
    _label(page.object_list)
    context = {
        "page": page,
        "statuses": Status.choices,
        "outcomes": Outcome.choices,
        "sources": Source.choices,
        "units": township_choices(request.user),
        "today": dates.today(),
        "can_edit": request.user.has_perm(Perm.EDIT_CASE),
    }
    return render(request, "cases/case_list.html", context)


@require_perm(Perm.VIEW_CASE)
@require_GET
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx: ID number and phone masked, no address, no facts; audited
    with its row count."""
    rows = _label(_filtered(request))
    buffer = io.BytesIO()
    workbook, sheet, text = xlsx.open_sheet(buffer, "两非案件台账", EXPORT_COLUMNS)
    for i, c in enumerate(rows, 1):
        values = [
            c.number,
            c.opened_on.isoformat(),
            c.unit_name,  # type: ignore[attr-defined]  # set by _label
            c.get_source_display(),
            c.get_subject_type_display(),
            c.get_subject_kind_display(),
            c.subject_name,
            c.subject_licence,
            c.id_masked,  # type: ignore[attr-defined]  # set by _label
            c.phone_masked,  # type: ignore[attr-defined]  # set by _label
            c.get_status_display(),
            c.deadline.isoformat(),
            c.get_referred_to_display(),
            c.referral_body,
            c.referred_on.isoformat() if c.referred_on else "",
            c.get_outcome_display(),
            c.closed_on.isoformat() if c.closed_on else "",
        ]
        xlsx.write_row(sheet, i, values, text)
    workbook.close()
    audit.record_request(
        request, action="cases.export", object_type="cases.case", row_count=len(rows)
    )
    response = HttpResponse(buffer.getvalue(), content_type=xlsx.CONTENT_TYPE)
    name = f"两非案件台账-{dates.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _subject(data: dict[str, Any]) -> services.Subject:
    return services.Subject(
        unit_code=data["unit_code"],
        subject_type=data["subject_type"],
        subject_kind=data["subject_kind"],
        subject_name=data["subject_name"],
        facts=data["facts"],
        source_note=data["source_note"],
        subject_licence=data["subject_licence"],
        subject_address=data["subject_address"],
        subject_id_number=data["subject_id_number"],
        subject_phone=data["subject_phone"],
    )


@require_perm(Perm.EDIT_CASE)
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """立案. With ``?tipoff=`` (the tip-off's page, its handler): the source is the tip-off and
    the township, subject and place are offered from its matter; nothing of its informant."""
    tipoff = selectors.tipoff_for_opening(request.user, parse_int(request.GET.get("tipoff")))
    initial: dict[str, Any] = {"opened_on": dates.today()}
    if tipoff is not None:
        initial |= {
            "source": Source.TIPOFF,
            "unit_code": tipoff.unit_code,
            "subject_name": tipoff.subject,
            "subject_address": tipoff.place,
            "source_note": f"据{tipoff.number}立案",
        }
    units = township_choices(request.user)
    form = styled(CaseForm(request.POST or None, units=units, initial=initial))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=Actor.of(request),
                source=data["source"],
                subject=_subject(data),
                opened_on=data["opened_on"],
                tipoff_ids=[tipoff.pk] if tipoff is not None else [],
            )
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, f"已立案：{case.number}")
            return redirect("cases:detail", case.pk)
    context = {"form": form, "tipoff": tipoff, "kinds": _kinds()}
    return render(request, "cases/case_form.html", context)


def _kinds() -> list[tuple[str, str]]:
    return [(SubjectType(t).label, SubjectKind(k).label) for t, k in _kind_pairs()]


def _kind_pairs() -> list[tuple[str, str]]:
    return [(t, k) for t, kinds in KINDS_OF.items() for k in SubjectKind.values if k in kinds]


def _case(request: HttpRequest, pk: int) -> Case:
    return get_visible_or_404(selectors.cases_visible(request.user), request.user, pk=pk)


@require_perm(Perm.EDIT_CASE)
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the subject and facts of a case not yet closed."""
    case = _case(request, pk)
    units = township_choices(request.user)
    initial = {
        **{name: getattr(case, name) for name in services.EDITABLE},
        "subject_id_number": "",
        "subject_phone": "",
        "version": case.version,
    }
    form = styled(CaseForm(request.POST or None, units=units, case=case, initial=initial))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_update(
                actor=Actor.of(request),
                case=case,
                subject=_subject(data),
                version=data["version"],
            )
        except ConflictError as exc:
            return conflict_page(request, exc, redirect("cases:detail", case.pk)["Location"])
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                exc = ValidationError(error_text(exc, fallback="不能执行此操作"))
            _to_form(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("cases:detail", case.pk)
    context = {"form": form, "case": case, "kinds": _kinds()}
    return render(request, "cases/case_form.html", context)


def _forms(request: HttpRequest, c: Case) -> dict[str, Any]:
    edits = request.user.has_perm(Perm.EDIT_CASE) and c.status != Status.CLOSED
    version = {"version": c.version}
    return {
        "can_edit": edits,
        "step_form": styled(StepForm(initial={"done_on": dates.today()})) if edits else None,
        "evidence_form": styled(EvidenceForm()) if edits else None,
        "refer_form": styled(ReferForm(initial={**version, "referred_on": dates.today()}))
        if edits and c.status == Status.OPEN
        else None,
        "close_form": styled(CloseForm(initial={**version, "closed_on": dates.today()}))
        if edits
        else None,
    }


@require_perm(Perm.VIEW_CASE)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: subject (numbers masked), facts, steps, evidence, referral and outcome; the
    read of a person's case is audited."""
    c = _case(request, pk)
    if c.subject_type == SubjectType.PERSON:
        audit.record_request(request, action="cases.view", object_type="cases.case", object_id=c.pk)
    context = {
        "c": _label([c])[0],
        "steps": selectors.steps_of(c),
        "evidence": selectors.evidence_of(c),
        "tipoffs": selectors.tipoffs_of(c),
        "today": dates.today(),
        **_forms(request, c),
    }
    return render(request, "cases/case_detail.html", context)


def _act(request: HttpRequest, c: Case, act: Any, done: str) -> HttpResponse:
    return act_then_back(request, act, reverse("cases:detail", args=[c.pk]), done)


@require_perm(Perm.EDIT_CASE)
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    c = _case(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("cases:detail", c.pk)
    data = form.cleaned_data
    return _act(
        request,
        c,
        lambda: services.step_add(
            actor=Actor.of(request), case=c, done_on=data["done_on"], text=data["text"]
        ),
        "已记录调查情况",
    )


@require_perm(Perm.EDIT_CASE)
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    c = _case(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("cases:detail", c.pk)
    data = form.cleaned_data
    return _act(
        request,
        c,
        lambda: services.evidence_add(
            actor=Actor.of(request), case=c, title=data["title"], upload=data["file"]
        ),
        "材料已上传",
    )


@require_perm(Perm.VIEW_CASE)
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """One piece of evidence as an attachment with its sniffed type (audited)."""
    row = get_visible_or_404(Evidence.objects.all(), request.user, pk=pk)
    audit.record_request(
        request, action="cases.evidence_download", object_type="cases.evidence", object_id=row.pk
    )
    response = FileResponse(
        evidence_files.open_evidence(row.stored),
        as_attachment=True,
        filename=f"证据材料-{row.case_id}-{row.pk}.{row.ext}",
        content_type=evidence_files.CONTENT_TYPES.get(row.ext, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_perm(Perm.EDIT_CASE)
@require_POST
def case_refer(request: HttpRequest, pk: int) -> HttpResponse:
    c = _case(request, pk)
    form = ReferForm(request.POST)
    if not form.is_valid() and set(form.errors) - {"version"}:
        messages.error(request, form_error_text(form))
        return redirect("cases:detail", c.pk)
    data = form.cleaned_data
    return _act(
        request,
        c,
        lambda: services.case_refer(
            actor=Actor.of(request),
            case=c,
            referred_to=data["referred_to"],
            referral_body=data["referral_body"],
            referred_on=data["referred_on"],
            version=data.get("version"),
        ),
        "已登记移送",
    )


@require_perm(Perm.EDIT_CASE)
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    c = _case(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid() and set(form.errors) - {"version"}:
        messages.error(request, form_error_text(form))
        return redirect("cases:detail", c.pk)
    data = form.cleaned_data
    return _act(
        request,
        c,
        lambda: services.case_close(
            actor=Actor.of(request),
            case=c,
            outcome=data["outcome"],
            decision=data["decision"],
            closed_on=data["closed_on"],
            version=data.get("version"),
        ),
        "已结案",
    )


@require_perm(Perm.VIEW_CASE_STATS)
@require_GET
def case_stats(request: HttpRequest) -> HttpResponse:
    """案件统计: per township, cases opened in the FP year by source and outcome, referred and
    substantiated, beside the township's sex ratio at birth; counts only. The counts link to
    their case lists for accounts that read cases (not leaders)."""
    today = dates.today()
    current = fp_year_of(today)
    asked = parse_int(request.GET.get("year"))
    year = asked if asked is not None and 2000 <= asked <= current + 1 else current
    rows, total, period = selectors.stats(request.user, year)
    links = request.user.has_perm(Perm.VIEW_CASE)
    context = {
        "rows": [_cells(row, year, links) for row in rows],
        "total": _cells(total, year, links),
        "year": year,
        "period": period,
        "years": list(range(current, current - 5, -1)),
        "sources": Source.choices,
        "outcomes": Outcome.choices,
    }
    return render(request, "cases/stats.html", context)


def _cells(row: selectors.StatRow, year: int, links: bool) -> dict[str, Any]:
    """A row of the figures: each count with the address of its case list (None for leaders,
    who read counts only)."""
    base = reverse("cases:list")
    cells = [
        (row.counts[key], f"{base}?{urlencode(row.query(key, year))}" if links else None)
        for key in selectors.COLUMNS
    ]
    return {"name": row.name, "cells": cells, "srb": row.srb}
