"""Pages of the responsibility letters (目标管理责任书): the townships' own targets on a draft
township scheme (set with a reason, audited, with history), issuing the letters of a published
scheme to every township in one action, one letter's page (items and the township's targets,
signatories, dates, acknowledgement, its live score), the township's acknowledgement, and the
A4 PDFs of a letter, a score sheet and the ranking, queued on the background worker.

Letters hold targets and points, no person: read by every assessment role within the letter's
township (a township officer its own; county officers, inspectors and leaders the county's).
Setting targets and issuing letters need ``assessment.manage_scheme`` (county officers); the
acknowledgement ``assessment.acknowledge_letter`` (township officers)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from renkou.accounts.constants import Perm
from renkou.assessment import letters, services, sheets, tasks
from renkou.assessment.models import Letter, Scheme, TownshipTarget
from renkou.assessment.scheme_forms import AcknowledgeForm, LettersIssueForm, TownshipTargetForm
from renkou.assessment.scheme_views import _draft_scheme, _on, _published_scheme, _sheet_unit
from renkou.common import dates, jobs
from renkou.common.actors import Actor
from renkou.common.forms import error_text, styled
from renkou.common.permissions import require_perm
from renkou.geo.constants import county_of, full_code, township_of
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names


def _detail(scheme: Scheme) -> HttpResponse:
    return redirect(reverse("assessment:scheme_detail", args=[scheme.pk]) + "#letters")


# --- the townships' own targets (draft) ---------------------------------------------------------


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def township_target_save(request: HttpRequest, pk: int) -> HttpResponse:
    """调整乡镇目标: one township's own target for one item of a draft, with the reason."""
    scheme = _draft_scheme(request, pk)
    form = TownshipTargetForm(request.POST, scheme=scheme, townships=sheets.subjects(scheme))
    try:
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        data = form.cleaned_data
        unit = get_visible_or_404(Unit.objects.current(), request.user, code=data["unit"])
        item = scheme.items.get(pk=data["item"])
        services.township_target_set(
            actor=Actor.of(request),
            item=item,
            unit=unit,
            target=data["target"],
            reason=data["reason"],
        )
        messages.success(request, f"已调整{unit.name}第{item.number}项的目标。")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return _detail(scheme)


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def township_target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(
        TownshipTarget.objects.select_related("item__scheme"), request.user, pk=pk
    )
    scheme = row.item.scheme
    try:
        services.township_target_delete(actor=Actor.of(request), row=row)
        messages.success(request, "已恢复为方案目标。")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return _detail(scheme)


# --- letters ------------------------------------------------------------------------------------


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def letters_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """签订责任书: the letters of a published scheme to every township that has none yet."""
    scheme = _published_scheme(request, pk)
    form = LettersIssueForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        data = form.cleaned_data
        issued = services.letters_issue(
            actor=Actor.of(request),
            scheme=scheme,
            county_signatory=data["county_signatory"],
            issued_on=data["issued_on"],
            wording=data["wording"],
        )
        messages.success(request, f"已向{len(issued)}个乡镇签订责任书，等待乡镇确认。")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return _detail(scheme)


def _letter(request: HttpRequest, pk: int) -> Letter:
    return get_visible_or_404(
        Letter.objects.select_related("scheme", "acknowledged_by", "issued_by"),
        request.user,
        pk=pk,
    )


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """一份责任书: the county's wording, every item with this township's target (adjusted ones
    with the reason), signatories and dates, the acknowledgement, and the live score."""
    letter = _letter(request, pk)
    scheme = letter.scheme
    today = dates.today()
    live = sheets.compute(scheme, today, only=[township_of(letter.unit_code)])
    names = unit_names([letter.unit_code, full_code(county_of(scheme.unit_code))])
    can_acknowledge = request.user.has_perm(Perm.ACKNOWLEDGE_LETTER) and not letter.acknowledged
    context = {
        "letter": letter,
        "scheme": scheme,
        "township": names.get(letter.unit_code, letter.unit_code),
        "county": names.get(full_code(county_of(scheme.unit_code)), ""),
        "paragraphs": letters.paragraphs(letter),
        "lines": letters.lines(letter),
        "live": live[0] if live else None,
        "today": today,
        "ack_form": styled(AcknowledgeForm()) if can_acknowledge else None,
        "history": list(
            letter.history.select_related("history_user").order_by("-history_date")[:10]
        ),
    }
    return render(request, "assessment/letter_detail.html", context)


@require_perm(Perm.ACKNOWLEDGE_LETTER)
@require_POST
def letter_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """乡镇确认: the township confirms its letter (who and when are recorded)."""
    letter = _letter(request, pk)
    form = AcknowledgeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        services.letter_acknowledge(
            actor=Actor.of(request),
            letter=letter,
            township_signatory=form.cleaned_data["township_signatory"],
        )
        messages.success(request, "责任书已确认。")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("assessment:letter_detail", letter.pk)


# --- PDFs (queued on the worker) ----------------------------------------------------------------


def _queue(request: HttpRequest, title: str, unit_code: str, **arguments: object) -> HttpResponse:
    jobs.start(
        task=tasks.assessment_pdf,
        kind="assessment_pdf",
        title=title,
        owner=request.user,
        unit_code=unit_code,
        owner_id=request.user.pk,
        **arguments,
    )
    messages.success(request, "PDF 正在后台生成，完成后可在本页下载。")
    return redirect("system:job_list")


@require_perm(Perm.VIEW_ASSESSMENT)
@require_POST
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter(request, pk)
    name = unit_names([letter.unit_code]).get(letter.unit_code, "")
    title = f"{letter.scheme.year}年度目标管理责任书 {name}"
    return _queue(request, title, letter.unit_code, what=tasks.LETTER, pk=letter.pk)


@require_perm(Perm.VIEW_ASSESSMENT)
@require_POST
def sheet_pdf(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    scheme = _published_scheme(request, pk)
    unit = _sheet_unit(request, scheme, code)
    on = _on(request)
    title = f"{scheme.year}年度考核评分表 {unit.name} {on:%Y-%m-%d}"
    return _queue(
        request, title, unit.code, what=tasks.SHEET, pk=scheme.pk, code=unit.code, on=str(on)
    )


@require_perm(Perm.VIEW_ASSESSMENT)
@require_POST
def ranking_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _published_scheme(request, pk)
    on = _on(request)
    title = f"{scheme.year}年度考核排名 {on:%Y-%m-%d}"
    return _queue(
        request,
        title,
        request.user.scope_prefix or "",
        what=tasks.RANKING,
        pk=scheme.pk,
        on=str(on),
    )
