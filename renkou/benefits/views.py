"""Benefit pages for people: eligibility explained, the 全覆盖 screening list, applications
(file, review, correct, withdraw, documents, print).

Each view: policy decorator → scoped fetch (``get_visible_or_404``: out of scope is 404) → one
service call → redirect or render. ID numbers only by POST, masked on every page; every page
showing an applicant writes an audit row ``benefits.view`` (ids only).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.benefits import amounts, documents, eligibility, selectors, services
from renkou.benefits import screening as screening_table
from renkou.benefits.constants import CONTENT_TYPES, FINAL, Status, Subject
from renkou.benefits.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    CorrectForm,
    DocumentForm,
    IdSearchForm,
    ReviewForm,
    ScreeningFilterForm,
    declared_shown,
)
from renkou.benefits.models import Application, Document, Program
from renkou.benefits.rule_views import apply_errors
from renkou.common import audit, crypto, dates
from renkou.common.actors import Actor, ConflictError
from renkou.common.conflicts import conflict_page
from renkou.common.forms import error_text, parse_int, typed_text
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import side_tree, unit_names
from renkou.people import selectors as people_selectors
from renkou.people.models import Person

REVIEW_CALLS = {
    "approve": lambda a, app, d, t: services.application_approve(
        actor=a,
        application=app,
        comment=d["comment"],
        confirm_reason=d["confirm_reason"],
        today=t,
        version=d["version"],
    ),
    "return": lambda a, app, d, t: services.application_return(
        actor=a, application=app, comment=d["comment"], version=d["version"]
    ),
    "reject": lambda a, app, d, t: services.application_reject(
        actor=a, application=app, comment=d["comment"], version=d["version"]
    ),
    "finalise": lambda a, app, d, t: services.application_finalise(
        actor=a, application=app, today=t, version=d["version"]
    ),
    "advance": lambda a, app, d, t: services.application_advance(
        actor=a, application=app, today=t, version=d["version"]
    ),
    "cancel": lambda a, app, d, t: services.application_cancel(
        actor=a, application=app, comment=d["comment"], today=t, version=d["version"]
    ),
    "archive": lambda a, app, d, t: services.application_archive(
        actor=a, application=app, today=t, version=d["version"]
    ),
}


def _person(request: HttpRequest, pk: int) -> Person:
    rows = Person.objects.select_related("spouse", "mother", "father")
    return get_visible_or_404(rows, request.user, pk=pk)


def _application(request: HttpRequest, pk: int) -> Application:
    rows = Application.objects.select_related(
        "program", "person", "partner", "decision", "decision__rule_version"
    )
    return get_visible_or_404(rows, request.user, pk=pk)


# --- eligibility -----------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON)
@require_http_methods(["GET", "POST"])
def eligibility_search(request: HttpRequest) -> HttpResponse:
    """资格查询: the ID number is typed and POSTed (never in a URL)."""
    form = IdSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = people_selectors.person_by_id_number(
            request.user, form.cleaned_data["id_number"]
        ).first()
        if person is not None:
            return redirect("benefits:eligibility", pk=person.pk)
        form.add_error("id_number", "本单位范围内未找到该身份证号的人员")
    return render(request, "benefits/eligibility_search.html", {"form": form})


@require_perm(Perm.VIEW_PERSON)
@require_GET
def eligibility_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Which programmes the person (and spouse) qualify for today and why, condition by
    condition, under which rule version. A preview: decisions are stored when an application
    is filed and at each approval."""
    person = _person(request, pk)
    today = dates.today()
    verdicts = eligibility.check_all(person, today)
    childcare = None
    for v in verdicts:
        if v.program.code == "childcare" and v.result.verdict != "fail" and v.amount:
            fen = amounts.childcare_fen(person.birth_date, v.amount.fen)
            childcare = {
                "months": amounts.childcare_months(person.birth_date),
                "yuan": amounts.yuan(fen),
            }
    audit.record_for(Actor.of(request), "benefits.view", person, summary="eligibility")
    context = {
        "person": person,
        "verdicts": verdicts,
        "today": today,
        "age": person.age_on(today),
        "id_masked": crypto.mask(person.id_number),
        "childcare": childcare,
        "can_apply": request.user.has_perm(Perm.APPLY_BENEFIT),
    }
    return render(request, "benefits/eligibility.html", context)


@require_perm(Perm.VIEW_PERSON)
@require_GET
def screening(request: HttpRequest) -> HttpResponse:
    """全覆盖名单: who appears eligible today but has no application, read from the kept table
    (reads only), with the conditions still to be verified."""
    prefix = selectors.unit_prefix(request.user, request.GET.get("unit", ""))
    today = dates.today()
    programs = Program.objects.filter(is_active=True, code__in=eligibility.SCREENED)
    form = ScreeningFilterForm(request.GET or None, programs=programs.order_by("sort"))
    page = paginate(request, selectors.screening(request.user, prefix=prefix, **form.values()))
    names = unit_names(r.unit_code for r in page.object_list)
    for row in page.object_list:
        row.unit_name = names.get(row.unit_code, "")  # type: ignore[attr-defined]  # display value for the template
        row.age = row.person.age_on(today)  # type: ignore[attr-defined]  # display value for the template
        row.unknown = services.unknown_facts(row.trace())  # type: ignore[attr-defined]  # display value for the template
    audit.record_request(
        request,
        action="benefits.screening",
        object_type="benefits.program",
        summary=f"prefix={prefix}",
        row_count=page.paginator.count,
    )
    context = {
        "form": form,
        "page": page,
        "tree": side_tree(request.user, prefix),
        "prefix": prefix,
        "today": today,
        "stale_since": screening_table.stale_since(today),
        "never_built": screening_table.last_day() is None,
        "can_apply": request.user.has_perm(Perm.APPLY_BENEFIT),
    }
    return render_page(request, "benefits/screening.html", context, partial="results")


# --- applications ----------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON)
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    programs = list(Program.objects.visible_to(request.user))
    form = ApplicationFilterForm(request.GET or None, programs=programs)
    prefix = selectors.unit_prefix(request.user, request.GET.get("unit", ""))
    rows = selectors.applications(request.user, prefix=prefix, **form.values())
    page = paginate(request, rows)
    names = unit_names(a.unit_code for a in page.object_list)
    for app in page.object_list:
        app.unit_name = names.get(app.unit_code, "")  # type: ignore[attr-defined]  # display value for the template
    context = {
        "form": form,
        "page": page,
        "tree": side_tree(request.user, prefix),
        "prefix": prefix,
    }
    return render_page(request, "benefits/application_list.html", context, partial="results")


@require_perm(Perm.VIEW_PERSON, Perm.APPLY_BENEFIT)
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    """受理申报 for the person ``pk`` (from the eligibility page or the 全覆盖 list)."""
    person = _person(request, pk)
    wanted = Subject.CHILD if person.age_on(dates.today()) < 3 else Subject.PARENT
    programs = list(Program.objects.filter(is_active=True, subject=wanted))
    initial = {"program": request.GET.get("program", "")}
    form = ApplicationForm(request.POST or None, programs=programs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        program = next(p for p in programs if p.code == data["program"])
        partner = (person.mother or person.father) if wanted == Subject.CHILD else None
        try:
            app = services.application_file(
                actor=Actor.of(request),
                program=program,
                person=person,
                partner=partner,
                declared=form.declared(),
                village_opinion=data["village_opinion"],
                today=dates.today(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "无权办理")
        else:
            messages.success(request, "已受理，请上传申请材料并等待审核。")
            return redirect("benefits:application_detail", pk=app.pk)
    audit.record_for(Actor.of(request), "benefits.view", person, summary="apply form")
    context = {"form": form, "person": person, "id_masked": crypto.mask(person.id_number)}
    return render(request, "benefits/application_form.html", context)


def _actions(request: HttpRequest, app: Application, notice_over: bool) -> dict[str, bool]:
    """Which buttons the page offers (the services decide again on POST): moving on from a
    notice only once its period is over."""
    user, level = request.user, services.actor_level(request.user)
    review = user.has_perm(Perm.REVIEW_BENEFIT) and level == app.level
    last = user.has_perm(Perm.REVIEW_BENEFIT) and level == app.program.steps[-1]
    apply = user.has_perm(Perm.APPLY_BENEFIT)
    moving = review and app.status == Status.NOTICE and notice_over
    return {
        "review": review and app.status == Status.SUBMITTED,
        "finalise": moving and app.is_last_step,
        "advance": moving and not app.is_last_step,
        "cancel": last and app.status == Status.APPROVED,
        "archive": user.has_perm(Perm.REVIEW_BENEFIT)
        and app.status in (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.CANCELLED),
        "correct": apply and app.status == Status.RETURNED,
        "withdraw": apply and app.status in (Status.SUBMITTED, Status.RETURNED, Status.PASSED),
        "upload": apply and app.status not in FINAL,
    }


def _unverified(app: Application, documents: list[Document]) -> list[str]:
    """The conditions still 待核实 when the application waits for review with no document (the
    approval then asks for a confirmation reason)."""
    decision = app.decision
    if app.status != Status.SUBMITTED or documents or decision is None:
        return []
    if decision.verdict != "unknown":
        return []
    return services.unknown_facts(decision.trace) or ["部分条件"]


@require_perm(Perm.VIEW_PERSON)
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    decision, today = app.decision, dates.today()
    documents = list(app.documents.all())
    notice = services.listed_on(app) if app.status == Status.NOTICE else None
    audit.record_for(Actor.of(request), "benefits.view", app)
    context = {
        "app": app,
        "log": app.log.select_related("actor"),
        "documents": documents,
        "decision": decision,
        "decision_rows": selectors.trace_rows(decision.trace) if decision else [],
        "id_masked": crypto.mask(app.person.id_number),
        "actions": _actions(request, app, notice is None or notice.has_ended(today)),
        "notice": notice,
        "unverified": _unverified(app, documents),
        "age": app.person.age_on(today),
        "declared": declared_shown(app.declared),
        "document_form": DocumentForm(),
        "objections": app.objections.all(),
    }
    return render(request, "benefits/application_detail.html", context)


@require_perm(Perm.REVIEW_BENEFIT)
@require_POST
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One reviewer action (approve, return, reject, finalise, advance, cancel, archive)."""
    app = _application(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid() or form.cleaned_data["action"] not in REVIEW_CALLS:
        messages.warning(request, "请选择审核操作")
        return redirect("benefits:application_detail", pk=app.pk)
    action, data = form.cleaned_data["action"], form.cleaned_data
    data["version"] = data["version"] or 0  # a page without the version is stale (RL1)
    try:
        REVIEW_CALLS[action](Actor.of(request), app, data, dates.today())
    except ConflictError as exc:
        return conflict_page(request, exc, reverse("benefits:application_detail", args=[app.pk]))
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc, fallback="无权办理"))
    else:
        messages.success(request, "已办理。")
    return redirect("benefits:application_detail", pk=app.pk)


@require_perm(Perm.APPLY_BENEFIT)
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    version = parse_int(request.POST.get("version")) or 0
    try:
        comment = typed_text(request, "comment", 500)
        services.application_withdraw(
            actor=Actor.of(request), application=app, comment=comment, version=version
        )
    except ConflictError as exc:
        return conflict_page(request, exc, reverse("benefits:application_detail", args=[app.pk]))
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, error_text(exc))
    else:
        messages.success(request, "申请已撤回。")
    return redirect("benefits:application_detail", pk=app.pk)


@require_perm(Perm.APPLY_BENEFIT)
@require_http_methods(["GET", "POST"])
def application_correct(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    form = CorrectForm(request.POST or None, initial={**app.declared, "version": app.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.application_correct(
                actor=Actor.of(request),
                application=app,
                declared=form.declared(),
                comment=form.cleaned_data["comment"],
                today=dates.today(),
                version=form.cleaned_data["version"] or 0,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            context = {"form": form, "app": app}
            return render(request, "benefits/correct_form.html", context, status=409)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "已补正并重新提交。")
            return redirect("benefits:application_detail", pk=app.pk)
    audit.record_for(Actor.of(request), "benefits.view", app, summary="correct form")
    return render(request, "benefits/correct_form.html", {"form": form, "app": app})


@require_perm(Perm.APPLY_BENEFIT)
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.warning(request, "请选择材料类型和文件")
        return redirect("benefits:application_detail", pk=app.pk)
    try:
        documents.document_add(
            actor=Actor.of(request),
            application=app,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )
    except ValidationError as exc:
        messages.warning(request, error_text(exc))
    else:
        messages.success(request, "材料已上传。")
    return redirect("benefits:application_detail", pk=app.pk)


@require_perm(Perm.VIEW_PERSON)
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored file as an attachment with its sniffed type (never the uploader's)."""
    document = get_visible_or_404(Document, request.user, pk=pk)
    path = documents.path_of(document)
    if not path.is_file():
        raise Http404("文件不存在")
    audit.record_request(
        request,
        action="benefits.document_download",
        object_type="benefits.document",
        object_id=document.pk,
    )
    name = f"{document.get_kind_display()}-{document.application_id}-{document.pk}.{document.ext}"
    response = StreamingHttpResponse(
        documents.open_document(document),
        content_type=CONTENT_TYPES.get(document.ext, "application/octet-stream"),
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_perm(Perm.VIEW_PERSON)
@require_GET
def application_print(request: HttpRequest, pk: int) -> HttpResponse:
    """申请审批表 and, once approved with a number, the certificate: printable."""
    app = _application(request, pk)
    audit.record_for(Actor.of(request), "benefits.view", app, summary="print")
    standard = amounts.amount_on(app.program, app.approved_on or dates.today(), app.grade)
    context = {
        "app": app,
        "log": app.log.select_related("actor"),
        "id_masked": crypto.mask(app.person.id_number),
        "age": app.person.age_on(dates.today()),  # not the birth date: docs/masking.md
        "today": dates.today(),
        "unit_name": unit_names([app.unit_code]).get(app.unit_code, ""),
        "standard": amounts.yuan(standard.fen) if standard else "",
    }
    return render(request, "benefits/application_print.html", context)
