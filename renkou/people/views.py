"""Register pages: households and persons — lists, the person page, entry from the ID number,
moves between households, exit and restore, and the export of the current filter.

Each view: policy decorator → validate → scoped fetch → one service call → render or redirect.
ID numbers and phones are masked in every GET response, and beside a masked number a person's
birth is shown as an age only (docs/masking.md); the full values come only from the audited
POST ``person_unmask`` (security.md CR3). ID search is a POST, so a number never sits in
a URL (CR5). Every person page writes an audit row ``person.view`` (object id only).
"""

from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.common import audit, crypto, dates, dicts
from renkou.common.actors import Actor, ConflictError
from renkou.common.conflicts import conflict_page
from renkou.common.forms import parse_int, typed_text
from renkou.common.htmx import render_page
from renkou.common.middleware import offers_id_search
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import side_tree, unit_names
from renkou.people import exports, selectors, services
from renkou.people.constants import PERSON_DICTS, Flow
from renkou.people.forms import (
    ExitForm,
    HouseholdFilterForm,
    HouseholdForm,
    IdSearchForm,
    MoveForm,
    PersonFilterForm,
    PersonForm,
    check_id,
)
from renkou.people.models import Household, Person, WomanCard

NUMBER_NOTICE = "身份证号、电话等号码请在“按身份证号查询”中输入（不会出现在网址中），已忽略该条件。"


def _decorate(persons: list[Person], today: date) -> list[Person]:
    """Display values on each row: the masked ID, age and unit name. Templates print these,
    never ``id_number`` or ``phone``."""
    names = unit_names(p.unit_code for p in persons)
    for p in persons:
        p.id_masked = crypto.mask(p.id_number)  # type: ignore[attr-defined]  # for the template
        p.age = p.age_on(today)  # type: ignore[attr-defined]  # for the template
        p.unit_name = names.get(p.unit_code, p.unit_code)  # type: ignore[attr-defined]  # as above
    return persons


# --- 人员列表 ------------------------------------------------------------------------------


def _list_context(
    request: HttpRequest, form: PersonFilterForm, page: "Page[Any]"
) -> dict[str, Any]:
    flt = form.filter()
    return {
        "form": form,
        "page": page,
        "tree": side_tree(request.user, flt.unit),
        "unit": flt.unit,
        "export_params": form.params(),
        "notice": NUMBER_NOTICE if form.number_refused else "",
    }


@offers_id_search
@require_perm(Perm.VIEW_PERSON)
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    today = dates.today()
    form = PersonFilterForm(request.GET or None)
    rows = selectors.person_list(request.user, form.filter(), today=today)
    page = paginate(request, rows.select_related("card"))
    _decorate(cast(list[Person], page.object_list), today)
    context = {**_list_context(request, form, page), "id_form": IdSearchForm()}
    return render_page(request, "people/person_list.html", context, partial="results")


@require_perm(Perm.VIEW_PERSON)
@require_POST
def person_search_id(request: HttpRequest) -> HttpResponse:
    """按身份证号查询: exact match through the blind index (15/18 digits, any case, full width)."""
    id_form = IdSearchForm(request.POST)
    found: list[Person] = []
    if id_form.is_valid():
        rows = selectors.person_by_id_number(request.user, id_form.cleaned_data["id_number"])
        found = list(rows.select_related("household", "card")[:50])
        audit.record_request(
            request,
            action="person.search",
            object_type="people.person",
            row_count=len(found),
            summary="by=id_number",
        )
    page = Paginator(found, 50).get_page(1)
    _decorate(cast(list[Person], page.object_list), dates.today())
    context = {
        **_list_context(request, PersonFilterForm(), page),
        "id_form": id_form,
        "id_search": True,
    }
    return render_page(request, "people/person_list.html", context, partial="results")


@require_perm(Perm.VIEW_PERSON, Perm.EXPORT_PERSON)
@require_POST
def person_export(request: HttpRequest) -> HttpResponseBase:
    """导出 the list's current filter (carried in hidden inputs); big ones go to the jobs page."""
    today, actor = dates.today(), Actor.of(request)
    flt = PersonFilterForm(request.POST).filter()
    full = request.POST.get("full") == "1" and request.user.has_perm(Perm.UNMASK_PERSON)
    if selectors.person_list(request.user, flt, today=today).count() > exports.SYNC_LIMIT:
        exports.export_start(actor=actor, flt=flt, full=full, today=today)
        messages.success(request, "导出人数较多，已转为后台任务，完成后请在“后台任务”中下载。")
        return redirect("system:job_list")
    buffer, _count = exports.export_now(actor=actor, flt=flt, full=full, today=today)
    return FileResponse(buffer, as_attachment=True, filename=f"人员名单-{today:%Y%m%d}.xlsx")


# --- 人员详情 ------------------------------------------------------------------------------

# Changed values not shown in the history: numbers, and the birth date (shown beside the
# masked number it would help to rebuild, docs/masking.md).
SECRET_FIELDS = {"id_number": "号码", "phone": "号码", "birth_date": "日期"}
UNIT_FIELDS = frozenset({"unit_code", "registered_code", "residence_code"})
NOT_SHOWN = frozenset({"version"})  # the edit counter of the optimistic lock, not information
LABELS = {"household": "家庭户"}  # fields whose model name is not Chinese
FIELD_ORDER = {f.name: i for i, f in enumerate(Person._meta.fields)}
HISTORY_KINDS = {"+": "新增", "~": "修改", "-": "删除"}


def _shown(field: str, value: Any, names: dict[str, str], households: dict[int, str]) -> str:
    """A history value as text; never a full number (encrypted fields are not shown)."""
    if value in (None, ""):
        return "—"
    if field in PERSON_DICTS:
        return dicts.label(PERSON_DICTS[field], value)
    if field in UNIT_FIELDS:
        return f"{names[value]}（{value}）" if value in names else str(value)
    if field == "household":
        return households.get(value, "其他单位的户")
    if field == "flow":
        label: str = dict(Flow.choices).get(value, value)
        return label
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _who(record: Any) -> str:
    user = record.history_user
    return (user.full_name or user.username) if user else "系统（导入或定时任务）"


def _history(user: Any, person: Person) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(changes newest first, events) from django-simple-history: who, when, old → new."""
    records = list(
        person.history.select_related("history_user").order_by("history_date", "history_id")
    )
    codes = {getattr(r, f) for r in records for f in UNIT_FIELDS}
    names = unit_names(codes)
    ids = {r.household_id for r in records if r.household_id}
    households = dict(
        selectors.households_visible(user).filter(pk__in=ids).values_list("pk", "code")
    )
    rows, events = [], []
    previous = [None, *records[:-1]] if records else []  # no history rows: nothing to show
    for prev, rec in zip(previous, records, strict=True):
        delta = rec.diff_against(prev).changes if prev is not None else []
        shown = [c for c in delta if c.field not in NOT_SHOWN]
        ordered = sorted(shown, key=lambda c: FIELD_ORDER.get(c.field, 99))
        changes = [_change(c, names, households) for c in ordered]
        kind = HISTORY_KINDS.get(rec.history_type, "")
        rows.append({"when": rec.history_date, "who": _who(rec), "kind": kind, "changes": changes})
        event = _event(prev, rec)
        if event:
            events.append({"when": rec.history_date, "who": _who(rec), "text": event})
    return list(reversed(rows)), list(reversed(events))


def _change(change: Any, names: dict[str, str], households: dict[int, str]) -> dict[str, Any]:
    """One changed field: label, old → new; an encrypted field only says that it changed."""
    label = LABELS.get(change.field) or str(
        Person._meta.get_field(change.field).verbose_name  # type: ignore[union-attr]  # a column, not a relation
    )
    if change.field in SECRET_FIELDS:
        return {"label": label, "secret": SECRET_FIELDS[change.field]}
    old = _shown(change.field, change.old, names, households)
    return {"label": label, "old": old, "new": _shown(change.field, change.new, names, households)}


def _event(prev: Any, rec: Any) -> str:
    if prev is None:
        return "登记"
    if prev.exited_at is None and rec.exited_at is not None:
        reason = dicts.label("exit_reason", rec.exit_reason)
        return f"退出（{reason}，{rec.exited_at.isoformat()}）"
    if prev.exited_at is not None and rec.exited_at is None:
        return "恢复"
    if prev.household_id != rec.household_id:
        return "迁户"
    return ""


def _person_context(user: Any, person: Person, today: date) -> dict[str, Any]:
    household = person.household
    if household and not selectors.households_visible(user).filter(pk=household.pk).exists():
        household = None  # the household lies outside the caller's subtree: not shown
    members = []
    if household:
        members = list(
            household.members.visible_to(user).order_by("exited_at", "-is_head", "birth_date", "pk")
        )
    card = (
        WomanCard.objects.visible_to(user)
        .filter(person=person)
        .prefetch_related("children", "episodes", "pregnancies")
        .first()
    )
    changes, events = _history(user, person)
    names = unit_names([person.unit_code, person.registered_code, person.residence_code])

    def place(code: str) -> str:
        return f"{names[code]}（{code}）" if code in names else code or "—"

    return {
        "person": person,
        "household": household,
        "members": _decorate(members, today),
        "card": card,
        "changes": changes,
        "events": events,
        "registered_name": place(person.registered_code),
        "residence_name": place(person.residence_code),
        "unit_name": place(person.unit_code),
        "id_masked": crypto.mask(person.id_number),
        "age": person.age_on(today),
        "phone_masked": crypto.mask(person.phone, crypto.PHONE),
        "flow_label": person.get_flow_display(),
        "can_unmask": user.has_perm(Perm.UNMASK_PERSON),
        "can_edit": user.has_perm(Perm.EDIT_PERSON),
    }


@require_perm(Perm.VIEW_PERSON)
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.select_related("household"), request.user, pk=pk)
    audit.record_request(
        request, action="person.view", object_type="people.person", object_id=person.pk
    )
    context = _person_context(request.user, person, dates.today())
    return render(request, "people/person_detail.html", context)


@require_perm(Perm.VIEW_PERSON, Perm.UNMASK_PERSON)
@require_POST
def person_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """显示: the full ID number, phone or birth date, in this POST's response only; always
    audited."""
    person = get_visible_or_404(Person.objects.all(), request.user, pk=pk)
    field = request.POST.get("field", "")
    if field not in services.UNMASKABLE:
        return render(request, "people/_unmasked.html", {"error": "请选择要显示的号码"})
    try:
        reason = typed_text(request, "reason", 300)
    except ValidationError as exc:
        return render(request, "people/_unmasked.html", {"error": exc.messages[0]})
    value = services.person_unmask(
        actor=Actor.of(request), person=person, field=field, reason=reason
    )
    shown = value.isoformat() if isinstance(value, date) else value
    return render(request, "people/_unmasked.html", {"value": shown or "（空）"})


# --- 人员登记与修改 ------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: PersonForm, title: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, **extra}
    return render(request, "people/person_form.html", context, status=status)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """登记: starts from the ID number; ``?household=<pk>`` pre-fills the household."""
    household = None
    if request.GET.get("household"):
        household = get_visible_or_404(
            Household.objects.all(), request.user, pk=request.GET["household"]
        )
    today = dates.today()
    form = PersonForm(request.POST or None, user=request.user, today=today, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(
                actor=Actor.of(request),
                household=form.household,
                values=form.values,
                today=today,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已登记“{person.name}”。")
            if request.POST.get("then") == "add":
                url = reverse("people:person_create")
                return redirect(f"{url}?household={person.household_id}")
            return redirect("people:person_detail", pk=person.pk)
    return _form_page(request, form, "登记人员", household=household)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改: optimistic lock on ``version``; a stale form gets 409 (security.md RL1)."""
    person = get_visible_or_404(Person.objects.select_related("household"), request.user, pk=pk)
    if person.exited_at is not None:
        messages.warning(request, "已退出的人员不能修改，请先恢复。")
        return redirect("people:person_detail", pk=person.pk)
    form = PersonForm(request.POST or None, user=request.user, today=dates.today(), person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=Actor.of(request),
                person=person,
                values=form.values,
                version=form.cleaned_data.get("version") or 0,
                today=dates.today(),
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            return _form_page(request, form, "修改人员", status=409, person=person)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"“{person.name}”的信息已保存。")
            return redirect("people:person_detail", pk=person.pk)
    return _form_page(request, form, "修改人员", person=person)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_POST
def person_check_id(request: HttpRequest) -> HttpResponse:
    """While typing the ID: derived birth date and sex, problems, and "该人员已存在，是否查看？"."""
    found: dict[str, Any] = {}
    if request.POST.get("id_type", "01") in ("01", "04"):
        found = check_id(
            request.user,
            request.POST.get("id_number", ""),
            dates.today(),
            exclude=request.POST.get("person", ""),
        )
    return render(request, "people/_id_check.html", found)


# --- 迁户、退出、恢复 ----------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def person_move(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.select_related("household"), request.user, pk=pk)
    form = MoveForm(request.POST or None, user=request.user, person=person)
    status = 200
    if request.method == "POST" and form.is_valid():
        assert form.household is not None  # clean() found it, or the form is not valid
        try:
            services.person_move(
                actor=Actor.of(request),
                person=person,
                household=form.household,
                relationship=form.cleaned_data["relationship"],
                today=dates.today(),
                version=form.cleaned_data["version"] or 0,  # none posted: a stale page (RL1)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, f"“{person.name}”已迁入户 {form.household.code}。")
            return redirect("people:person_detail", pk=person.pk)
    context = {"form": form, "person": person}
    return render(request, "people/person_move.html", context, status=status)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def person_exit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.all(), request.user, pk=pk)
    form = ExitForm(request.POST or None, today=dates.today(), version=person.version)
    death = request.method == "POST" and form.data.get("reason") == services.EXIT_DEATH
    if death:
        form.is_valid()
        form.add_error("reason", services.DEATH_BY_EVENT)
    elif request.method == "POST" and form.is_valid():
        try:
            services.person_exit(
                actor=Actor.of(request),
                person=person,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"] or 0,  # none posted: a stale page (RL1)
            )
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        except ConflictError as exc:
            back = reverse("people:person_detail", args=[person.pk])
            return conflict_page(request, exc, back)
        else:
            messages.success(request, f"“{person.name}”已退出，可在人员页面恢复。")
        return redirect("people:person_detail", pk=person.pk)
    context = {"form": form, "person": person, "death_refused": death}
    return render(request, "people/person_exit.html", context)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_POST
def person_restore(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.all(), request.user, pk=pk)
    version = parse_int(request.POST.get("version")) or 0  # none posted: a stale page (RL1)
    try:
        services.person_restore(
            actor=Actor.of(request), person=person, today=dates.today(), version=version
        )
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    except ConflictError as exc:
        return conflict_page(request, exc, reverse("people:person_detail", args=[person.pk]))
    else:
        messages.success(request, f"“{person.name}”已恢复为在册人员。")
    return redirect("people:person_detail", pk=person.pk)


# --- 家庭户 --------------------------------------------------------------------------------


def _households(user: Any, params: dict[str, str]) -> QuerySet[Household]:
    head = Person.objects.filter(household=OuterRef("pk"), is_head=True, exited_at__isnull=True)
    rows = selectors.households_visible(user).annotate(
        head_name=Subquery(head.values("name")[:1]),
        member_count=Count("members", filter=Q(members__exited_at__isnull=True)),
    )
    if params.get("unit"):
        rows = rows.filter(unit_code__startswith=params["unit"])
    if params.get("code"):
        rows = rows.filter(code__startswith=params["code"])
    if params.get("address"):
        rows = rows.filter(address__contains=params["address"])
    if params.get("name"):
        named = Person.objects.filter(selectors.name_q(params["name"]))
        rows = rows.filter(pk__in=named.values("household_id"))
    return rows.order_by("code")


@require_perm(Perm.VIEW_PERSON)
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    form = HouseholdFilterForm(request.GET or None)
    params = form.params()
    page = paginate(request, _households(request.user, params))
    names = unit_names(h.unit_code for h in page.object_list)
    for household in page.object_list:
        household.unit_name = names.get(household.unit_code, household.unit_code)
    context = {
        "form": form,
        "page": page,
        "tree": side_tree(request.user, params.get("unit", "")),
        "unit": params.get("unit", ""),
    }
    return render_page(request, "people/household_list.html", context, partial="results")


@require_perm(Perm.VIEW_PERSON)
@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_visible_or_404(Household.objects.all(), request.user, pk=pk)
    audit.record_request(
        request, action="household.view", object_type="people.household", object_id=household.pk
    )
    in_household = household.members.visible_to(request.user).select_related("card")
    members = _decorate(
        list(in_household.order_by("exited_at", "-is_head", "birth_date", "pk")), dates.today()
    )
    context = {
        "household": household,
        "members": members,
        "unit_name": unit_names([household.unit_code]).get(household.unit_code, ""),
        "phone_masked": crypto.mask(household.phone, crypto.PHONE),
    }
    return render(request, "people/household_detail.html", context)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_register(actor=Actor.of(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已新增家庭户 {household.code}，请登记户主和家庭成员。")
            return redirect(f"{reverse('people:person_create')}?household={household.pk}")
    return render(request, "people/household_form.html", {"form": form})


@require_perm(Perm.VIEW_PERSON)
@require_GET
def unit_options(request: HttpRequest) -> HttpResponse:
    """The villages of one township as <option>s, for the chained county → township → village
    picker (only units inside the caller's subtree)."""
    township = request.GET.get("township", "")
    villages = Unit.objects.none()
    if township.isdigit() and len(township) == 9:
        villages = (
            Unit.objects.current()
            .visible_to(request.user)
            .filter(level=Level.VILLAGE, prefix__startswith=township)
            .order_by("code")
        )
    return render(request, "people/_unit_options.html", {"villages": villages})


urlpatterns = [
    path("persons/", person_list, name="person_list"),
    path("persons/search-id/", person_search_id, name="person_search_id"),
    path("persons/check-id/", person_check_id, name="person_check_id"),
    path("persons/export/", person_export, name="person_export"),
    path("persons/new/", person_create, name="person_create"),
    path("persons/<int:pk>/", person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", person_edit, name="person_edit"),
    path("persons/<int:pk>/unmask/", person_unmask, name="person_unmask"),
    path("persons/<int:pk>/move/", person_move, name="person_move"),
    path("persons/<int:pk>/exit/", person_exit, name="person_exit"),
    path("persons/<int:pk>/restore/", person_restore, name="person_restore"),
    path("households/", household_list, name="household_list"),
    path("households/new/", household_create, name="household_create"),
    path("households/<int:pk>/", household_detail, name="household_detail"),
    path("units/options/", unit_options, name="unit_options"),
]
