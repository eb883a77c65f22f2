"""Pages of the reproductive-health services (docs/rh-services.md): find a woman at the station,
her service page, entry of an RH check, a treatment, a follow-up visit or a supply, a list and a
record page per kind, edit (optimistic lock) and void with a reason, and the person-times per
township.

Each view: policy decorator → scoped fetch (``get_visible_or_404``: out of scope is 404) → form →
one ``rh_services`` call → back to ``?next=`` (a to-do list) or the record. Findings, advice,
referrals, diagnoses, treatment kinds and visit results are shown in full only to holders of
``programs.view_exam_detail`` whose scope covers the woman's township (technicians and her own
township office); everyone else sees "已记录". Every page that shows a person's service records
writes an audit row (ids and counts only).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from renkou.accounts.constants import Perm
from renkou.common import audit, crypto, dates, dicts
from renkou.common.actors import Actor, ConflictError
from renkou.common.htmx import render_page
from renkou.common.middleware import offers_id_search
from renkou.common.navigation import safe_next
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.constants import TOWNSHIP_LENGTH
from renkou.geo.scope import get_visible_or_404, prefix_range
from renkou.geo.selectors import side_tree, unit_names
from renkou.people import selectors as people_selectors
from renkou.people.constants import MARRIED_CODES
from renkou.people.forms import IdSearchForm
from renkou.people.models import ContraceptionEpisode, Person, Pregnancy
from renkou.programs import rh_services
from renkou.programs.constants import (
    ABORTION_OUTCOMES,
    FINDING_DICT,
    SUPPLY_DICT,
    TREATMENT_DICT,
    VisitReason,
)
from renkou.programs.models import ContraceptionVisit, RHCheck, ServiceRecord, Supply, Treatment
from renkou.programs.rh_forms import (
    FindForm,
    ImplantRemovalForm,
    RecordForm,
    RHCheckForm,
    ServiceFilterForm,
    SupplyForm,
    TreatmentForm,
    VisitForm,
    VoidForm,
    reasons_for,
)

HIDDEN = "已记录"


@dataclass(frozen=True)
class Kind:
    """One kind of service record and how its pages show it."""

    key: str  # URL names: <key>_list, <key>_detail, <key>_edit, <key>_void
    model: type[ServiceRecord]
    label: str
    date_field: str
    form: type[RecordForm]
    edit_perms: tuple[str, ...]
    codes: Callable[[], list[tuple[str, str]]]  # the list filter's "类别" choices
    code_field: str
    code_private: bool  # the code itself is a health detail (masked for others)
    related: tuple[str, ...] = ("person", "service_point")


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "rh_check",
            RHCheck,
            "生殖健康检查",
            "checked_on",
            RHCheckForm,
            (Perm.VIEW_PERSON, Perm.RECORD_RH, Perm.VIEW_EXAM_DETAIL),
            lambda: [("1", "有异常发现"), ("0", "未见异常")],
            "abnormal",
            True,
        ),
        Kind(
            "treatment",
            Treatment,
            "妇科治疗",
            "treated_on",
            TreatmentForm,
            (Perm.VIEW_PERSON, Perm.RECORD_RH, Perm.VIEW_EXAM_DETAIL),
            lambda: dicts.choices(TREATMENT_DICT),
            "kind",
            True,
        ),
        Kind(
            "visit",
            ContraceptionVisit,
            "避孕节育随访",
            "visited_on",
            VisitForm,
            (Perm.VIEW_PERSON, Perm.RECORD_FOLLOWUP, Perm.VIEW_EXAM_DETAIL),
            lambda: list(VisitReason.choices),
            "reason",
            False,
            ("person",),
        ),
        Kind(
            "supply",
            Supply,
            "药具发放",
            "issued_on",
            SupplyForm,
            (Perm.VIEW_PERSON, Perm.RECORD_FOLLOWUP),
            lambda: dicts.choices(SUPPLY_DICT),
            "product",
            False,
        ),
    )
}


# --- helpers ------------------------------------------------------------------------------------


def full_detail(user: Any) -> bool:
    """Health details in full: the permission, and a scope no narrower than a township (the
    technicians and the woman's own township office; a visible row is inside the scope)."""
    scope = getattr(user, "scope_prefix", None)
    return (
        user.has_perm(Perm.VIEW_EXAM_DETAIL) and scope is not None and len(scope) <= TOWNSHIP_LENGTH
    )


def _done(request: HttpRequest, row: ServiceRecord, kind: Kind) -> HttpResponse:
    return redirect(safe_next(request) or reverse(f"programs:{kind.key}_detail", args=[row.pk]))


def _apply(form: Any, call: Callable[[], Any]) -> Any:
    """Run a service call; its ValidationError (or an edit conflict) goes onto the form."""
    try:
        return call()
    except ConflictError as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return None
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    return None


def _who(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else "系统"


def _person(request: HttpRequest, pk: int) -> Person:
    return get_visible_or_404(Person.objects.select_related("card"), request.user, pk=pk)


def _decorate_person(person: Person, today: date) -> Person:
    person.id_masked = crypto.mask(person.id_number)  # type: ignore[attr-defined]  # display value for the template
    person.age = person.age_on(today)  # type: ignore[attr-defined]  # display value for the template
    person.unit_name = unit_names([person.unit_code]).get(person.unit_code, person.unit_code)  # type: ignore[attr-defined]  # display value for the template
    return person


def shown(row: ServiceRecord, full: bool) -> dict[str, Any]:
    """What a page prints of a record's health details: the values, or "已记录"."""
    if isinstance(row, RHCheck):
        codes = row.finding_codes
        values = {
            "findings": "、".join(dicts.label(FINDING_DICT, c) for c in codes),
            "abnormal": "有异常" if row.abnormal else "未见异常",
            "finding_notes": row.finding_notes,
            "advice": row.advice,
            "referral": row.referral_to if row.referred else "否",
        }
    elif isinstance(row, Treatment):
        values = {
            "kind": dicts.label(TREATMENT_DICT, row.kind),
            "diagnosis": row.diagnosis,
            "notes": row.notes,
        }
    elif isinstance(row, ContraceptionVisit):
        values = {"result": row.get_result_display(), "notes": row.notes}
    else:
        values = {"notes": row.notes}
    if full or isinstance(row, Supply):
        return values
    return dict.fromkeys(values, HIDDEN)


# --- find a woman, her service page --------------------------------------------------------------


def _found(request: HttpRequest, rows: QuerySet[Person]) -> list[Person]:
    today = dates.today()
    return [_decorate_person(p, today) for p in rows.select_related("card")[:50]]


@offers_id_search
@require_perm(Perm.VIEW_PERSON)
@require_http_methods(["GET", "POST"])
def rh_find(request: HttpRequest) -> HttpResponse:
    """服务对象查找 at the station: by name (GET) or by ID number (POST only)."""
    form, id_form = FindForm(request.GET or None), IdSearchForm(request.POST or None)
    found: list[Person] | None = None
    if request.method == "POST" and id_form.is_valid():
        rows = people_selectors.person_by_id_number(request.user, id_form.cleaned_data["id_number"])
        found = _found(request, rows.filter(exited_at__isnull=True))
    elif request.method == "GET" and form.term():
        term = form.term()
        rows = (
            Person.objects.visible_to(request.user)
            .filter(exited_at__isnull=True)
            .filter(people_selectors.name_q(term))
        )
        found = _found(request, rows.order_by("unit_code", "name", "pk"))
    if found is not None:
        by = "id_number" if request.method == "POST" else "name"
        audit.record_request(
            request,
            action="programs.rh_find",
            object_type="people.person",
            row_count=len(found),
            summary=f"by={by}",
        )
    context = {"form": form, "id_form": id_form, "found": found, "next": safe_next(request)}
    return render(request, "programs/rh_find.html", context)


def _anchors(person: Person) -> tuple[list[Any], list[Any]]:
    card = getattr(person, "card", None)
    if card is None:
        return [], []
    episodes = [e for e in card.episodes.all() if reasons_for(e.method, e.end is not None)]
    abortions = [
        p for p in card.pregnancies.all() if p.outcome in ABORTION_OUTCOMES and p.outcome_date
    ]
    return episodes, abortions


@require_perm(Perm.VIEW_PERSON)
@require_GET
def rh_person(request: HttpRequest, pk: int) -> HttpResponse:
    """A woman's reproductive-health service record: every check, treatment, follow-up visit
    and supply, her contraception episodes and abortions with their follow-up buttons."""
    person = _decorate_person(_person(request, pk), dates.today())
    full = full_detail(request.user)
    records = {}
    for key, kind in KINDS.items():
        rows = kind.model.objects.visible_to(request.user).filter(person=person)
        related = [r for r in kind.related if r != "person"]
        rows = list(rows.select_related(*related) if related else rows)
        records[key] = [{"row": r, "shown": shown(r, full)} for r in rows]
    episodes, abortions = _anchors(person)
    rows = sum(len(v) for v in records.values())
    audit.record_for(
        Actor.of(request), "programs.rh_view", person, summary="page=person", rows=rows
    )
    context = {
        "person": person,
        "records": records,
        "kinds": KINDS,
        "full": full,
        "episodes": episodes,
        "abortions": abortions,
        "married": person.marital_status in MARRIED_CODES,
    }
    return render(request, "programs/rh_person.html", context)


# --- entry -------------------------------------------------------------------------------------


def _entry_page(
    request: HttpRequest, kind: Kind, form: Any, person: Person, **extra: Any
) -> HttpResponse:
    context = {
        "kind": kind,
        "form": form,
        "person": _decorate_person(person, dates.today()),
        "next": safe_next(request),
        "title": f"登记{kind.label}",
        **extra,
    }
    return render(request, "programs/rh_form.html", context)


def _create(
    request: HttpRequest,
    kind: Kind,
    person: Person,
    save: Callable[..., Any],
    form: Any,
    **extra: Any,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        row = _apply(form, lambda: save(form.values()))
        if row is not None:
            messages.success(request, f"{kind.label}已登记。")
            return _done(request, row, kind)
    return _entry_page(request, kind, form, person, **extra)


def _dated(today: date, *names: str) -> dict[str, date]:
    return dict.fromkeys(names, today)


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_RH, Perm.VIEW_EXAM_DETAIL)
@require_http_methods(["GET", "POST"])
def rh_check_create(request: HttpRequest, pk: int) -> HttpResponse:
    """登记生殖健康检查 of a woman (consent first)."""
    person, today = _person(request, pk), dates.today()
    form = RHCheckForm(
        request.POST or None, person=person, initial=_dated(today, "checked_on", "consent_on")
    )
    return _create(
        request,
        KINDS["rh_check"],
        person,
        lambda values: rh_services.rh_check_record(
            actor=Actor.of(request), person=person, values=values, today=dates.today()
        ),
        form,
    )


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_RH, Perm.VIEW_EXAM_DETAIL)
@require_http_methods(["GET", "POST"])
def treatment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """登记妇科治疗 (蓝氧等) of a woman, one session."""
    person, today = _person(request, pk), dates.today()
    form = TreatmentForm(
        request.POST or None, person=person, initial=_dated(today, "treated_on", "consent_on")
    )
    return _create(
        request,
        KINDS["treatment"],
        person,
        lambda values: rh_services.treatment_record(
            actor=Actor.of(request), person=person, values=values, today=dates.today()
        ),
        form,
    )


def _visit(request: HttpRequest, anchor: rh_services.Anchor, reasons: list[str]) -> HttpResponse:
    card = (anchor.episode or anchor.pregnancy).card  # type: ignore[union-attr]  # an anchor has one of them
    person = get_visible_or_404(Person.objects.all(), request.user, pk=card.person_id)
    initial = {"visited_on": dates.today(), "reason": reasons[0] if reasons else ""}
    form = VisitForm(request.POST or None, person=person, reasons=reasons, initial=initial)
    return _create(
        request,
        KINDS["visit"],
        person,
        lambda values: rh_services.visit_record(
            actor=Actor.of(request), anchor=anchor, values=values, today=dates.today()
        ),
        form,
        anchor=anchor,
    )


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_FOLLOWUP)
@require_http_methods(["GET", "POST"])
def visit_for_episode(request: HttpRequest, pk: int) -> HttpResponse:
    """避孕节育随访 after an IUD insertion/removal, an implant or a sterilisation."""
    rows = ContraceptionEpisode.objects.select_related("card")
    episode = get_visible_or_404(rows, request.user, pk=pk)
    reasons = reasons_for(episode.method, episode.end is not None) or list(VisitReason.values[:1])
    return _visit(request, rh_services.Anchor(episode=episode), reasons)


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_RH)
@require_http_methods(["GET", "POST"])
def implant_removal(request: HttpRequest, pk: int) -> HttpResponse:
    """登记皮下埋植取出 (the 到期取出 reminder's 办理 for the service technician): the end date
    on the woman's card, then back to the list the technician came from."""
    rows = ContraceptionEpisode.objects.select_related("card", "card__person")
    episode = get_visible_or_404(rows, request.user, pk=pk)
    initial = {"removed_on": dates.today(), "card_version": episode.card.version}
    form = ImplantRemovalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda: rh_services.implant_removal_record(
                actor=Actor.of(request),
                episode=episode,
                removed_on=form.cleaned_data["removed_on"],
                card_version=form.cleaned_data["card_version"],
                today=dates.today(),
            ),
        )
        if done is not None:
            messages.success(request, "皮下埋植取出已登记。")
            return redirect(safe_next(request) or reverse("todo:item_list"))
    person = episode.card.person
    context = {
        "form": form,
        "episode": episode,
        "person": person,
        "id_masked": crypto.mask(person.id_number),
        "next": safe_next(request),
    }
    return render(request, "programs/implant_removal.html", context)


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_FOLLOWUP)
@require_http_methods(["GET", "POST"])
def visit_for_pregnancy(request: HttpRequest, pk: int) -> HttpResponse:
    """人工流产（引产）后随访."""
    pregnancy = get_visible_or_404(Pregnancy.objects.select_related("card"), request.user, pk=pk)
    return _visit(request, rh_services.Anchor(pregnancy=pregnancy), reasons_for(None, False))


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_FOLLOWUP)
@require_http_methods(["GET", "POST"])
def supply_create(request: HttpRequest, pk: int) -> HttpResponse:
    """登记免费避孕药具发放."""
    person, today = _person(request, pk), dates.today()
    form = SupplyForm(request.POST or None, person=person, initial={"issued_on": today})
    return _create(
        request,
        KINDS["supply"],
        person,
        lambda values: rh_services.supply_record(
            actor=Actor.of(request), person=person, values=values, today=dates.today()
        ),
        form,
    )


# --- lists, record page, edit, void ------------------------------------------------------------


def _filtered(request: HttpRequest, kind: Kind, form: ServiceFilterForm, full: bool) -> QuerySet:
    rows = kind.model.objects.visible_to(request.user).live()
    if unit := form.value("unit"):
        rows = rows.filter(**prefix_range("unit_code", unit))
    if start := form.value("start"):
        rows = rows.filter(**{f"{kind.date_field}__gte": start})
    if end := form.value("end"):
        rows = rows.filter(**{f"{kind.date_field}__lte": end})
    code = form.value("code")
    if code and (full or not kind.code_private):
        rows = rows.filter(**{kind.code_field: code == "1" if kind.key == "rh_check" else code})
    if name := form.value("name"):
        rows = rows.filter(people_selectors.name_q(name, "person__"))
    return rows.select_related(*kind.related).order_by(f"-{kind.date_field}", "-pk")


def _list_view(kind: Kind) -> Callable[[HttpRequest], HttpResponse]:
    @require_perm(Perm.VIEW_PERSON)
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        full = full_detail(request.user)
        codes = kind.codes() if full or not kind.code_private else []
        form = ServiceFilterForm(request.GET or None, codes=codes)
        page = paginate(request, _filtered(request, kind, form, full))
        names = unit_names(r.unit_code for r in page.object_list)
        for row in page.object_list:
            row.unit_name = names.get(row.unit_code, row.unit_code)
            row.id_masked = crypto.mask(row.person.id_number)
            row.shown = shown(row, full)
        summary, rows = f"list={kind.key}", page.paginator.count
        audit.record_for(
            Actor.of(request), "programs.rh_view", kind.model, summary=summary, rows=rows
        )
        context = {
            "kind": kind,
            "form": form,
            "page": page,
            "full": full,
            "tree": side_tree(request.user, form.value("unit") or ""),
            "unit": form.value("unit") or "",
            "kinds": KINDS,
        }
        return render_page(request, "programs/rh_list.html", context, partial="results")

    view.__name__ = f"{kind.key}_list"
    return view


def _row(request: HttpRequest, kind: Kind, pk: int) -> ServiceRecord:
    rows = kind.model.objects.select_related(*kind.related)
    return get_visible_or_404(rows, request.user, pk=pk)


def _detail_view(kind: Kind) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_perm(Perm.VIEW_PERSON)
    @require_GET
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        row = _row(request, kind, pk)
        full = full_detail(request.user)
        audit.record_for(Actor.of(request), "programs.rh_view", row, summary="page=record")
        can_edit = all(request.user.has_perm(p) for p in kind.edit_perms) and not row.is_void
        history = [
            {
                "when": h.history_date,
                "who": _who(h.history_user),
                "what": {"+": "新增", "-": "删除"}.get(h.history_type, "修改"),
            }
            for h in row.history.select_related("history_user").order_by("-history_date")  # type: ignore[attr-defined]  # added by simple_history
        ]
        context = {
            "kind": kind,
            "row": row,
            "shown": shown(row, full),
            "full": full,
            "person": _decorate_person(row.person, dates.today()),
            "can_edit": can_edit,
            "history": history,
            "recorded_by": _who(row.recorded_by),
            "unit_name": unit_names([row.unit_code]).get(row.unit_code, row.unit_code),
        }
        return render(request, "programs/rh_detail.html", context)

    view.__name__ = f"{kind.key}_detail"
    return view


def _initial(row: ServiceRecord, kind: Kind) -> dict[str, Any]:
    initial = {name: getattr(row, name) for name in rh_services.FIELDS[kind.model]}
    if isinstance(row, RHCheck):
        initial["findings"] = row.finding_codes
    return {**initial, "version": row.version}


def _edit_view(kind: Kind) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_perm(*kind.edit_perms)
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        row = _row(request, kind, pk)
        if row.is_void:
            messages.warning(request, rh_services.VOIDED)
            return redirect(f"programs:{kind.key}_detail", pk=row.pk)
        extra: dict[str, Any] = {}
        if isinstance(row, ContraceptionVisit):
            method = row.episode.method if row.episode_id else None  # type: ignore[union-attr]  # checked through episode_id
            ended = bool(row.episode_id and row.episode.end)  # type: ignore[union-attr]  # as above
            extra["reasons"] = reasons_for(method, ended) or [row.reason]
        form = kind.form(
            request.POST or None, person=row.person, initial=_initial(row, kind), **extra
        )
        if request.method == "POST" and form.is_valid():
            saved = _apply(
                form,
                lambda: rh_services.record_update(
                    actor=Actor.of(request),
                    row=row,
                    values=form.values(),
                    version=form.cleaned_data.get("version"),
                    today=dates.today(),
                ),
            )
            if saved is not None:
                messages.success(request, f"{kind.label}已修改。")
                return _done(request, saved, kind)
        elif request.method == "GET":
            audit.record_for(Actor.of(request), "programs.rh_view", row, summary="form=edit")
        context = {
            "kind": kind,
            "form": form,
            "person": _decorate_person(row.person, dates.today()),
            "row": row,
            "next": safe_next(request),
            "title": f"修改{kind.label}",
        }
        return render(request, "programs/rh_form.html", context)

    view.__name__ = f"{kind.key}_edit"
    return view


def _void_view(kind: Kind) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_perm(*kind.edit_perms)
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        row = _row(request, kind, pk)
        if row.is_void:
            messages.warning(request, rh_services.VOIDED)
            return redirect(f"programs:{kind.key}_detail", pk=row.pk)
        form = VoidForm(request.POST or None, initial={"version": row.version})
        if request.method == "POST" and form.is_valid():
            saved = _apply(
                form,
                lambda: rh_services.record_void(
                    actor=Actor.of(request),
                    row=row,
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data.get("version"),
                ),
            )
            if saved is not None:
                messages.success(request, f"{kind.label}已作废。")
                return redirect(f"programs:{kind.key}_detail", pk=row.pk)
        context = {
            "kind": kind,
            "form": form,
            "row": row,
            "title": f"作废{kind.label}",
            "person": _decorate_person(row.person, dates.today()),
            "next": "",
        }
        return render(request, "programs/rh_form.html", context)

    view.__name__ = f"{kind.key}_void"
    return view


rh_check_list, treatment_list, visit_list, supply_list = (
    _list_view(KINDS[k]) for k in ("rh_check", "treatment", "visit", "supply")
)
rh_check_detail, treatment_detail, visit_detail, supply_detail = (
    _detail_view(KINDS[k]) for k in ("rh_check", "treatment", "visit", "supply")
)
rh_check_edit, treatment_edit, visit_edit, supply_edit = (
    _edit_view(KINDS[k]) for k in ("rh_check", "treatment", "visit", "supply")
)
rh_check_void, treatment_void, visit_void, supply_void = (
    _void_view(KINDS[k]) for k in ("rh_check", "treatment", "visit", "supply")
)
