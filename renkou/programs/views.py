"""Couple pages of the free pre-pregnancy exam: the list of couple files, the couple page, and a
form for each step (open the file with consent, confirm eligibility, each spouse's exam, the
risk assessment with counselling and referral, the pregnancy, each follow-up, close), plus the
随访到期 list.

Each view: policy decorator → scoped fetch (``get_visible_or_404``: out of scope is 404) → form →
one ``programs.services`` call → back to the couple page. Exam results, findings, referrals and
follow-up results are shown in full only to holders of ``programs.view_exam_detail`` (the
technicians, and the township office, whose scope is the woman's township); everyone else sees
"已记录". Every couple page and every form that shows recorded details writes an audit row
``programs.view`` (ids only).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from renkou.accounts.constants import Perm
from renkou.common import audit, crypto, dates, dicts
from renkou.common.actors import Actor
from renkou.common.htmx import render_page
from renkou.common.navigation import safe_next
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.people import selectors as people_selectors
from renkou.people.models import Person
from renkou.programs import selectors, services
from renkou.programs.constants import (
    FINAL,
    RISK_DICT,
    CoupleStatus,
    FollowUpKind,
    Spouse,
    result_items,
)
from renkou.programs.forms import (
    AssessmentForm,
    CloseForm,
    ConfirmForm,
    CoupleFilterForm,
    CoupleOpenForm,
    ExamForm,
    FollowUpForm,
    PregnancyForm,
)
from renkou.programs.history import couple_history
from renkou.programs.models import CoupleFile, Exam, FollowUp

NOT_ELIGIBLE = "服务资格尚未确认，请先由乡镇计生办确认资格（服务通知单）。"
NOT_EXAMINED = "尚未检查，不能登记怀孕。"
DONE_LOCKED = "该随访已记录；修改须由乡镇计生办或服务技术人员办理。"


def _couple(request: HttpRequest, pk: int) -> CoupleFile:
    rows = CoupleFile.objects.select_related("wife", "husband")
    return get_visible_or_404(rows, request.user, pk=pk)


def _back(couple: CoupleFile, anchor: str = "", request: HttpRequest | None = None) -> HttpResponse:
    """To the list the form was opened from (a to-do list's ``?next=``), else the couple's file."""
    if request is not None and (target := safe_next(request)):
        return redirect(target)
    url = reverse("programs:couple_detail", args=[couple.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refused(request: HttpRequest, couple: CoupleFile, text: str) -> HttpResponse:
    messages.warning(request, text)
    return _back(couple)


def _form_page(
    request: HttpRequest,
    template: str,
    couple: CoupleFile,
    form: Any,
    title: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {"couple": couple, "form": form, "title": title, **extra}
    return render(request, template, context, status=status)


def _apply(form: Any, call: Any) -> Any:
    """Run a service call; its ValidationError goes onto the form. None when refused."""
    try:
        return call()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return None
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return None


# --- 档案列表 --------------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON)
@require_GET
def couple_list(request: HttpRequest) -> HttpResponse:
    form = CoupleFilterForm(request.GET or None)
    page = paginate(request, selectors.couple_list(request.user, form.filter()))
    names = unit_names(c.unit_code for c in page.object_list)
    for couple in page.object_list:
        couple.unit_name = names.get(couple.unit_code, couple.unit_code)  # type: ignore[attr-defined]  # display value for the template
    context = {"form": form, "page": page}
    return render_page(request, "programs/couple_list.html", context, partial="results")


# --- 建档 -------------------------------------------------------------------------------------


def _next_sequence(wife: Person | None) -> int:
    card = getattr(wife, "card", None) if wife is not None else None
    return card.children.count() + 1 if card is not None else 1


def _open(request: HttpRequest, form: CoupleOpenForm, wife: Person | None) -> CoupleFile | None:
    data = form.cleaned_data
    if wife is None:
        rows = people_selectors.person_by_id_number(request.user, data["wife_id_number"])
        wife = rows.first()
        if wife is None:
            form.add_error("wife_id_number", "本单位范围内未找到该身份证号的人员")
            return None
    husband = None if data["husband_id_number"] else wife.spouse
    if husband is None and not data["husband_id_number"]:
        form.add_error("husband_id_number", "该妇女未关联配偶，请填写丈夫身份证号")
        return None
    return _apply(
        form,
        lambda: services.couple_open(
            actor=Actor.of(request),
            wife=wife,
            husband=husband,
            husband_name=data["husband_name"],
            husband_id_number=data["husband_id_number"],
            sequence=data["sequence"],
            consent_on=data["consent_on"],
            today=dates.today(),
        ),
    )


@require_perm(Perm.VIEW_PERSON, Perm.MANAGE_COUPLE)
@require_http_methods(["GET", "POST"])
def couple_create(request: HttpRequest) -> HttpResponse:
    """建档: ``?wife=<pk>`` starts from a woman (her page, the target list); otherwise her ID
    number is typed (POST only)."""
    wife = None
    if request.GET.get("wife"):
        rows = Person.objects.select_related("card", "spouse")
        wife = get_visible_or_404(rows, request.user, pk=request.GET["wife"])
    today = dates.today()
    initial = {"sequence": _next_sequence(wife), "consent_on": today}
    form = CoupleOpenForm(request.POST or None, wife=wife, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        couple = _open(request, form, wife)
        if couple is not None:
            messages.success(request, f"已建档 {couple.file_no}，请乡镇计生办确认服务资格。")
            return _back(couple)
    context = {"form": form, "wife": wife, "title": "孕前优生建档"}
    return render(request, "programs/couple_form.html", context)


# --- 夫妇档案页 -------------------------------------------------------------------------------


def _exam_blocks(couple: CoupleFile) -> list[dict[str, Any]]:
    exams = {e.spouse: e for e in couple.exams.select_related("service_point", "assessment")}
    blocks = []
    for spouse, label in Spouse.choices:
        exam = exams.get(spouse)
        rows = {r.item: r for r in exam.items.all()} if exam else {}
        items = [{"item": i, "row": rows.get(i.code)} for i in result_items(spouse)]
        assessment = getattr(exam, "assessment", None) if exam else None
        factors = [dicts.label(RISK_DICT, c) for c in assessment.factor_codes] if assessment else []
        blocks.append(
            {
                "spouse": spouse,
                "label": label,
                "exam": exam,
                "items": items,
                "abnormal": sum(1 for r in rows.values() if r.abnormal),
                "assessment": assessment,
                "factors": factors,
            }
        )
    return blocks


def _detail_context(request: HttpRequest, couple: CoupleFile) -> dict[str, Any]:
    user, today = request.user, dates.today()
    wife_visible = Person.objects.visible_to(user).filter(pk=couple.wife_id).exists()
    followups = list(couple.followups.all())
    for row in followups:
        row.overdue = row.done_on is None and row.due_on < today  # type: ignore[attr-defined]  # display value for the template
    names = unit_names([couple.unit_code])
    return {
        "couple": couple,
        "today": today,
        "blocks": _exam_blocks(couple),
        "followups": followups,
        "history": couple_history(couple),
        "wife_visible": wife_visible,
        "unit_name": names.get(couple.unit_code, couple.unit_code),
        "wife_age": couple.wife.age_on(today),
        "husband_id_masked": crypto.mask(couple.husband_id_number),
        "full": user.has_perm(Perm.VIEW_EXAM_DETAIL),
        "final": couple.status in FINAL,
        "can_manage": user.has_perm(Perm.MANAGE_COUPLE),
        "can_follow": user.has_perm(Perm.RECORD_FOLLOWUP),
        "can_confirm": user.has_perm(Perm.CONFIRM_ELIGIBILITY),
        "can_exam": user.has_perm(Perm.RECORD_EXAM) and user.has_perm(Perm.VIEW_EXAM_DETAIL),
    }


@require_perm(Perm.VIEW_PERSON)
@require_GET
def couple_detail(request: HttpRequest, pk: int) -> HttpResponse:
    couple = _couple(request, pk)
    audit.record_for(Actor.of(request), "programs.view", couple)
    return render(request, "programs/couple_detail.html", _detail_context(request, couple))


# --- 确认资格 ---------------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON, Perm.CONFIRM_ELIGIBILITY)
@require_http_methods(["GET", "POST"])
def couple_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    couple = _couple(request, pk)
    if couple.status in FINAL or couple.eligible_on is not None:
        return _refused(request, couple, "该档案无需确认资格。")
    form = ConfirmForm(request.POST or None, initial={"on": dates.today()})
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda: services.couple_confirm(
                actor=Actor.of(request),
                couple=couple,
                on=form.cleaned_data["on"],
                notice_no=form.cleaned_data["notice_no"],
                today=dates.today(),
            ),
        )
        if done is not None:
            messages.success(request, "服务资格已确认，可预约检查。")
            return _back(couple)
    return _form_page(request, "programs/step_form.html", couple, form, "确认服务资格")


# --- 检查与风险评估 ---------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_EXAM, Perm.VIEW_EXAM_DETAIL)
@require_http_methods(["GET", "POST"])
def exam_record(request: HttpRequest, pk: int, spouse: str) -> HttpResponse:
    """录入检查结果 of the wife or the husband (``spouse`` comes from the URL name)."""
    couple = _couple(request, pk)
    if couple.status in FINAL:
        return _refused(request, couple, services.FINAL_MESSAGE)
    if couple.eligible_on is None:
        return _refused(request, couple, NOT_ELIGIBLE)
    exam = Exam.objects.filter(couple=couple, spouse=spouse).prefetch_related("items").first()
    form = ExamForm(
        request.POST or None,
        couple=couple,
        spouse=spouse,
        exam=exam,
        initial={"examined_on": dates.today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _apply(
            form,
            lambda: services.exam_record(
                actor=Actor.of(request),
                couple=couple,
                spouse=spouse,
                examined_on=data["examined_on"],
                service_point=data["service_point"],
                examiner=data["examiner"],
                items=form.item_values(),
                today=dates.today(),
            ),
        )
        if saved is not None:
            messages.success(request, "检查结果已保存。")
            return _back(couple, "exams", request)
    elif exam is not None and request.method == "GET":
        audit.record_for(Actor.of(request), "programs.view", exam, summary="form=exam")
    title = f"{Spouse(spouse).label}检查结果"
    return _form_page(request, "programs/exam_form.html", couple, form, title, exam=exam)


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_EXAM, Perm.VIEW_EXAM_DETAIL)
@require_http_methods(["GET", "POST"])
def assessment_record(request: HttpRequest, pk: int) -> HttpResponse:
    """风险评估和咨询指导 of one exam."""
    exam = get_visible_or_404(
        Exam.objects.select_related("couple", "couple__wife"), request.user, pk=pk
    )
    couple = exam.couple
    if couple.status in FINAL:
        return _refused(request, couple, services.FINAL_MESSAGE)
    row = getattr(exam, "assessment", None)
    form = AssessmentForm(request.POST or None, row=row, initial={"assessed_on": dates.today()})
    if request.method == "POST" and form.is_valid():
        saved = _apply(
            form,
            lambda: services.assessment_record(
                actor=Actor.of(request), exam=exam, values=form.cleaned_data, today=dates.today()
            ),
        )
        if saved is not None:
            messages.success(request, "风险评估已保存。")
            return _back(couple, "exams", request)
    elif row is not None and request.method == "GET":
        audit.record_for(Actor.of(request), "programs.view", row, summary="form=assessment")
    title = f"{exam.get_spouse_display()}风险评估和咨询指导"
    return _form_page(request, "programs/step_form.html", couple, form, title, exam=exam)


# --- 怀孕、随访、结案 --------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON, Perm.MANAGE_COUPLE)
@require_http_methods(["GET", "POST"])
def pregnancy_record(request: HttpRequest, pk: int) -> HttpResponse:
    couple = _couple(request, pk)
    if couple.status in FINAL:
        return _refused(request, couple, services.FINAL_MESSAGE)
    if couple.examined_on is None:
        return _refused(request, couple, NOT_EXAMINED)
    initial = {"lmp_on": couple.lmp_on, "recorded_on": dates.today()}
    form = PregnancyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _apply(
            form,
            lambda: services.pregnancy_record(
                actor=Actor.of(request),
                couple=couple,
                lmp_on=form.cleaned_data["lmp_on"],
                recorded_on=form.cleaned_data["recorded_on"],
                today=dates.today(),
            ),
        )
        if saved is not None:
            early, outcome = saved
            text = (
                f"已登记怀孕：早孕随访应在 {early.due_on:%Y-%m-%d} 前完成，"
                f"妊娠结局随访应在 {outcome.due_on:%Y-%m-%d} 前完成。"
            )
            messages.success(request, text)
            return _back(couple, "followups")
    return _form_page(request, "programs/step_form.html", couple, form, "登记怀孕")


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_FOLLOWUP)
@require_http_methods(["GET", "POST"])
def followup_record(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(
        FollowUp.objects.select_related("couple", "couple__wife"), request.user, pk=pk
    )
    couple, full = row.couple, request.user.has_perm(Perm.VIEW_EXAM_DETAIL)
    if couple.lmp_on is None or couple.status == CoupleStatus.WITHDRAWN:
        return _refused(request, couple, services.FINAL_MESSAGE)
    if row.done_on is not None and not full:
        return _refused(request, couple, DONE_LOCKED)
    form = FollowUpForm(request.POST or None, row=row, initial={"done_on": dates.today()})
    if request.method == "POST" and form.is_valid():
        saved = _apply(
            form,
            lambda: services.followup_record(
                actor=Actor.of(request), followup=row, values=form.values(), today=dates.today()
            ),
        )
        if saved is not None:
            messages.success(request, f"{row.get_kind_display()}已保存。")
            return _back(couple, "followups", request)
    elif row.done_on is not None and request.method == "GET":
        audit.record_for(Actor.of(request), "programs.view", row, summary="form=followup")
    extra = {"followup": row, "early": row.kind == FollowUpKind.EARLY}
    return _form_page(
        request, "programs/step_form.html", couple, form, row.get_kind_display(), **extra
    )


@require_perm(Perm.VIEW_PERSON, Perm.MANAGE_COUPLE)
@require_http_methods(["GET", "POST"])
def couple_close(request: HttpRequest, pk: int) -> HttpResponse:
    couple = _couple(request, pk)
    if couple.status in FINAL:
        return _refused(request, couple, services.FINAL_MESSAGE)
    form = CloseForm(request.POST or None, initial={"on": dates.today()})
    if request.method == "POST" and form.is_valid():
        saved = _apply(
            form,
            lambda: services.couple_close(
                actor=Actor.of(request),
                couple=couple,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                today=dates.today(),
            ),
        )
        if saved is not None:
            messages.success(request, f"档案已{saved.get_status_display()}。")
            return _back(couple)
    title = "结案" if couple.examined_on else "撤销档案"
    return _form_page(request, "programs/step_form.html", couple, form, title)


# --- 随访到期 ---------------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON)
@require_GET
def followup_due(request: HttpRequest) -> HttpResponse:
    """随访到期: due in the next 30 days or overdue (highlighted), each linking to its form."""
    today = dates.today()
    unit = request.GET.get("unit", "")
    rows = selectors.followups_due(request.user, today, unit if unit.isdigit() else "")
    page = paginate(request, rows)
    names = unit_names(r.unit_code for r in page.object_list)
    for row in page.object_list:
        row.overdue = row.due_on < today  # type: ignore[attr-defined]  # display value for the template
        row.days = (row.due_on - today).days  # type: ignore[attr-defined]  # display value for the template
        row.late = -row.days  # type: ignore[attr-defined]  # display value for the template
        row.unit_name = names.get(row.unit_code, row.unit_code)  # type: ignore[attr-defined]  # display value for the template
    audit.record_request(
        request,
        action="programs.due_list",
        object_type="programs.followup",
        row_count=page.paginator.count,
    )
    context = {
        "page": page,
        "today": today,
        "can_follow": request.user.has_perm(Perm.RECORD_FOLLOWUP),
    }
    return render_page(request, "programs/followup_due.html", context, partial="results")
