"""Change-event pages (人口变动, domain.md §2.4): the register (变动登记簿) with its search, entry
per kind, the event page with 确认 / 作废 / 更正, the review queue of townships and the county,
and the village's monthly change report (人口动态信息报告单) with the villages that have not
reported by the deadline.

Each view: policy decorator → scoped fetch (out of scope is 404) → form → service call →
redirect. ID numbers are typed only into POST forms, never put into a URL (security.md CR5);
every GET page shows them masked.
"""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.common import audit, crypto, dates, idnumber, periods
from renkou.common.actors import Actor
from renkou.common.forms import parse_id, typed_text
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.events import selectors as event_selectors
from renkou.events import services
from renkou.events.constants import COUNTED, FORM_ONE, FORM_TWO, Kind, Status
from renkou.events.forms import (
    LABELS,
    NEW_PERSON_KINDS,
    EventFilterForm,
    EventForm,
    add_service_error,
    kind_allowed,
    month_of,
)
from renkou.events.models import Event, MonthlyReport
from renkou.events.parity import existing_children
from renkou.geo.constants import Level, township_of
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import side_tree, unit_names
from renkou.people import selectors
from renkou.people import services as people
from renkou.people.forms import looks_like_number
from renkou.people.models import Person

KIND_GROUPS = (
    ("出生与死亡", (Kind.BIRTH, Kind.DEATH)),
    ("婚姻", (Kind.FIRST_MARRIAGE, Kind.REMARRIAGE, Kind.DIVORCE, Kind.WIDOWHOOD)),
    ("迁移", (Kind.MOVE_IN, Kind.MOVE_OUT, Kind.MOVE_WITHIN)),
    ("流动", (Kind.FLOW_IN, Kind.FLOW_OUT)),
)
REPORT_KINDS = (*FORM_TWO, *FORM_ONE)
ALREADY_SUBMITTED = services.ALREADY_SUBMITTED


def _visible_events(user: Any) -> Any:
    return Event.objects.visible_to(user).select_related("person", "child", "reported_by")


def _with_unit_names(events: list[Event]) -> list[Event]:
    names = unit_names(e.unit_code for e in events)
    for event in events:
        event.unit_name = names.get(event.unit_code, event.unit_code)  # type: ignore[attr-defined]  # display value for the template
    return events


# --- 变动登记簿 ------------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON)
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    page = paginate(request, form.apply(_visible_events(request.user)))
    _with_unit_names(page.object_list)
    values = form.values()
    unit = values.get("unit", "")
    context = {
        "form": form,
        "page": page,
        "tree": side_tree(request.user, unit),
        "unit": unit,
        "one_person": bool(values.get("person")),
    }
    return render_page(request, "events/event_list.html", context, partial="results")


# --- 登记与更正 ------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: EventForm, title: str, **extra: Any) -> HttpResponse:
    """The entry form; persons already chosen show again as the checked search result."""
    chosen = {
        "subject": form.person if form.fixed is None else None,
        "partner": form.partner_person,
    }
    picked = {k: _person_rows([p], dates.today()) for k, p in chosen.items() if p is not None}
    context = {"form": form, "title": title, "kind": form.kind, "picked": picked, **extra}
    return render(request, "events/event_form.html", context)


@transaction.atomic
def _record(actor: Actor, form: EventForm, today: date) -> Event:
    """Register the new person (move-in, inflow) if there is one, and record the event, in one
    transaction: a refused event leaves no person behind."""
    person = form.person
    if person is None:
        person = people.person_register(
            actor=actor, household=None, values=form.new_values, today=today
        )
    data = form.cleaned_data
    return services.record(
        actor=actor,
        kind=form.kind,
        person=person,
        effective_date=data["effective_date"],
        reported_date=data["reported_date"],
        details=form.details(),
        today=today,
        new_person=form.person is None,
    )


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_EVENT)
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    """登记: ``?kind=`` picks the form (without it, the list of kinds); ``?person=<pk>`` fixes
    the subject (coming from the person page)."""
    person = None
    if request.GET.get("person"):
        person = get_visible_or_404(Person.objects.all(), request.user, pk=request.GET["person"])
    kind = request.GET.get("kind", "")
    if kind not in Kind.values or kind == Kind.VOID:
        groups = [
            (label, [k for k in kinds if kind_allowed(k, person)]) for label, kinds in KIND_GROUPS
        ]
        return render(request, "events/event_kind.html", {"groups": groups, "person": person})
    today = dates.today()
    form = EventForm(request.POST or None, user=request.user, kind=kind, today=today, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            event = _record(Actor.of(request), form, today)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已登记{event.get_kind_display()}变动。")
            return redirect("events:event_detail", pk=event.pk)
    return _form_page(request, form, f"登记{Kind(kind).label}", person=person)


def _person_rows(persons: list[Person], today: date) -> list[Person]:
    names = unit_names(p.unit_code for p in persons)
    for p in persons:
        p.id_masked = crypto.mask(p.id_number)  # type: ignore[attr-defined]  # display value for the template
        p.age = p.age_on(today)  # type: ignore[attr-defined]  # display value for the template
        p.unit_name = names.get(p.unit_code, p.unit_code)  # type: ignore[attr-defined]  # display value for the template
    return persons


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_EVENT)
@require_POST
def person_lookup(request: HttpRequest) -> HttpResponse:
    """The persons a lookup box of the entry form names (a POST, so a typed ID number stays out
    of URLs): by ID number through the blind index, or by name or pinyin initials."""
    field = "partner" if request.POST.get("field") == "partner" else "subject"
    typed = request.POST.get(f"{field}_q", "").strip()
    today = dates.today()
    context: dict[str, Any] = {"field": field, "typed": typed != ""}
    found: list[Person] = []
    if looks_like_number(typed):
        result = idnumber.validate(typed, today=today)
        rows = selectors.person_by_id_number(request.user, typed)
        found = list(rows.order_by(F("exited_at").asc(nulls_first=True), "pk")[:10])
        audit.record_request(
            request,
            action="person.search",
            object_type="people.person",
            row_count=len(found),
            summary="by=id_number",
        )
        new_ok = field == "subject" and request.POST.get("kind") in NEW_PERSON_KINDS
        context.update(
            {
                "by_id": True,
                "info": result.info,
                "problems": result.problems,
                "can_add": new_ok and not found,
            }
        )
    elif typed:
        term = typed[:50]
        rows = Person.objects.visible_to(request.user).filter(selectors.name_q(term))
        found = list(rows.order_by(F("exited_at").asc(nulls_first=True), "name", "pk")[:20])
    context["persons"] = _person_rows(found, today)
    context["chosen"] = found[0].pk if len(found) == 1 and context.get("by_id") else None
    return render(request, "events/_person_choices.html", context)


# --- 变动详情、确认、作废、更正 ------------------------------------------------------------


def _change_refusal(user: Any, event: Event) -> str:
    """Why this user may not void or correct the event ('' when they may). A village records
    and may still withdraw what the township has not confirmed; a confirmed event is voided
    or corrected by the reviewers (township, county)."""
    if event.kind == Kind.VOID:
        return "作废记录本身不能作废或更正"
    if event.status == Status.VOIDED:
        return "该变动已作废"
    if event.status == Status.CONFIRMED and not user.has_perm(Perm.CONFIRM_EVENT):
        return "已确认的变动只能由乡镇或县级审核人员作废或更正"
    return ""


def _parity_basis(user: Any, event: Event) -> list[dict[str, Any]]:
    """Which children a birth's 孩次 counted and why (``renkou.events.parity``); a child outside
    the caller's scope is shown without a name."""
    if event.kind != Kind.BIRTH or not event.counted:
        return []
    found = existing_children(event.person, event.partner, event.effective_date)
    ids = [c.person_id for c in found if c.person_id]
    visible = set(Person.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        {
            "child": c,
            "name": c.name
            if c.person_id is None or c.person_id in visible
            else "（他处登记的子女）",
            "link": c.person_id if c.person_id in visible else None,
        }
        for c in found
    ]


def _detail_context(user: Any, event: Event) -> dict[str, Any]:
    people_ids = [event.person_id, event.partner_id, event.child_id]
    visible = set(
        Person.objects.visible_to(user)
        .filter(pk__in=[i for i in people_ids if i])
        .values_list("pk", flat=True)
    )
    codes = (
        ("所属单位", event.unit_code),
        ("报告单位", event.reporter_unit),
        ("户籍地（变动时）", event.reg_code),
        ("居住地（变动时）", event.res_code),
        ("管理地（变动时）", event.man_code),
        ("迁出地", event.from_code),
        ("迁入地", event.to_code),
    )
    names = unit_names(code for _label, code in codes)
    corrections = list(Event.objects.visible_to(user).filter(corrects=event).order_by("pk"))
    return {
        "event": event,
        "parity_basis": _parity_basis(user, event),
        "visible": visible,
        "places": [(label, f"{names[c]}（{c}）" if c in names else c) for label, c in codes if c],
        "corrections": corrections,
        "show_secret": user.has_perm(Perm.UNMASK_PERSON),
        "certificate_masked": crypto.mask(event.certificate_no),
        "place_label": LABELS["place"].get(event.kind, "地点"),
        "can_confirm": user.has_perm(Perm.CONFIRM_EVENT)
        and event.status == Status.SUBMITTED
        and event.kind != Kind.VOID,
        "can_change": user.has_perm(Perm.RECORD_EVENT) and not _change_refusal(user, event),
    }


@require_perm(Perm.VIEW_PERSON)
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    events = Event.objects.select_related(
        "person", "partner", "child", "reported_by", "confirmed_by", "corrects"
    )
    event = get_visible_or_404(events, request.user, pk=pk)
    audit.record_request(
        request, action="event.view", object_type="events.event", object_id=event.pk
    )
    return render(request, "events/event_detail.html", _detail_context(request.user, event))


@require_perm(Perm.VIEW_PERSON, Perm.CONFIRM_EVENT)
@require_POST
def event_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_visible_or_404(Event.objects.all(), request.user, pk=pk)
    try:
        services.confirm(actor=Actor.of(request), event=event)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, "已确认该变动。")
    return redirect("events:event_detail", pk=event.pk)


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_EVENT)
@require_POST
def event_void(request: HttpRequest, pk: int) -> HttpResponse:
    """作废 with a reason: a VOID event points at this one; the person's state goes back."""
    event = get_visible_or_404(Event.objects.all(), request.user, pk=pk)
    refusal = _change_refusal(request.user, event)
    if refusal:
        messages.warning(request, refusal)
        return redirect("events:event_detail", pk=event.pk)
    try:
        reason = typed_text(request, "reason", 200)
        services.void(actor=Actor.of(request), event=event, reason=reason)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, "已作废该变动，相关人员信息已恢复为变动前的状态。")
    return redirect("events:event_detail", pk=event.pk)


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_EVENT)
@require_http_methods(["GET", "POST"])
def event_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """更正: a new event of the same kind and person replaces this one, which is voided."""
    events = Event.objects.select_related("person", "partner", "child")
    event = get_visible_or_404(events, request.user, pk=pk)
    refusal = _change_refusal(request.user, event)
    if refusal:
        messages.warning(request, refusal)
        return redirect("events:event_detail", pk=event.pk)
    form = EventForm(
        request.POST or None, user=request.user, kind=event.kind, today=dates.today(), event=event
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.correct(
                actor=Actor.of(request),
                event=event,
                reason=data["correction_reason"],
                effective_date=data["effective_date"],
                reported_date=data["reported_date"],
                details=form.details(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已更正：原变动已作废，并登记了更正后的变动。")
            return redirect("events:event_detail", pk=new.pk)
    title = f"更正{event.get_kind_display()}变动"
    return _form_page(request, form, title, person=event.person, corrected=event)


# --- 待审核 ----------------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON, Perm.CONFIRM_EVENT)
@require_http_methods(["GET", "POST"])
def review_queue(request: HttpRequest) -> HttpResponse:
    """The villages' submitted events in the caller's subtree; confirm one or several."""
    waiting = _visible_events(request.user).filter(status=Status.SUBMITTED).exclude(kind=Kind.VOID)
    if request.method == "POST":
        ids = [pk for pk in map(parse_id, request.POST.getlist("ids")) if pk]
        chosen = list(waiting.filter(pk__in=ids).order_by("pk"))
        if not chosen:
            messages.warning(request, "请先勾选要确认的变动。")
        for event in chosen:
            services.confirm(actor=Actor.of(request), event=event)
        if chosen:
            messages.success(request, f"已确认 {len(chosen)} 条变动。")
        return redirect(request.get_full_path())
    form = EventFilterForm(request.GET or None)
    page = paginate(request, form.apply(waiting.order_by("effective_date", "pk")))
    _with_unit_names(page.object_list)
    unit = form.values().get("unit", "")
    context = {"form": form, "page": page, "tree": side_tree(request.user, unit), "unit": unit}
    return render(request, "events/review_queue.html", context)


# --- 人口动态信息报告单 ----------------------------------------------------------------------


def _month(params: Any) -> periods.Period:
    """``?month=YYYY-MM``; by default the previous month, whose report is due now."""
    found = month_of(params.get("month", ""))
    if found is not None:
        return found
    today = dates.today()
    year, number = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return periods.month(year, number)


def _in_report_order(rows: Any) -> list[Event]:
    rows = rows.select_related("person", "partner", "child")
    return sorted(rows, key=lambda e: (REPORT_KINDS.index(e.kind), e.effective_date, e.pk))


def _month_events(user: Any, code: str, period: periods.Period) -> list[Event]:
    """The village's counted events of the month (by the unit the event belongs to)."""
    rows = event_selectors.month_events(user, code, period).filter(status__in=COUNTED)
    return _in_report_order(rows)


def _report_versions(
    user: Any, report: MonthlyReport | None, events: list[Event], period: periods.Period
) -> tuple[list[Event], list[Event]]:
    """What the report page shows: the submitted version (the events the report held, those
    voided since marked) and the events recorded after it (补报); unsubmitted, the live list."""
    if report is None:
        return events, []
    held = set(report.event_ids)
    frozen = _in_report_order(
        event_selectors.month_events(user, report.unit_code, period).filter(pk__in=held)
    )
    return frozen, [e for e in events if e.pk not in held]


def _with_places(events: list[Event]) -> list[Event]:
    """Where each move went or came from, as the report prints it."""
    names = unit_names(e.to_code for e in events if e.kind == Kind.MOVE_WITHIN)
    for e in events:
        moved_to = names.get(e.to_code, e.to_code)
        e.where = f"迁往{moved_to}" if e.kind == Kind.MOVE_WITHIN else e.place  # type: ignore[attr-defined]  # display value for the template
    return events


def _counts(events: list[Event]) -> dict[str, int]:
    counts = dict.fromkeys((str(k) for k in REPORT_KINDS), 0)
    for event in events:
        counts[event.kind] += 1
    return counts


@transaction.atomic
def _month_url(name: str, params: dict[str, str], *args: str) -> str:
    return f"{reverse(name, args=args)}?{urlencode(params)}"


@require_perm(Perm.VIEW_PERSON)
@require_GET
def monthly_report(request: HttpRequest, code: str) -> HttpResponse:
    """A village's report for ``?month=``: form 1 (marriage, migration, floating, deaths) and
    form 2 (births), the deadline and the submission. A township or county goes to the
    overview of its villages."""
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    period = _month(request.GET)
    if unit.level != Level.VILLAGE:
        params = {"unit": unit.prefix, "month": period.code}
        return redirect(_month_url("events:monthly_overview", params))
    events = _month_events(request.user, unit.code, period)
    report = (
        MonthlyReport.objects.visible_to(request.user)
        .select_related("submitted_by")
        .filter(unit_code=unit.code, month=period.start_month)
        .first()
    )
    deadline, today = periods.report_deadline(period.start), dates.today()
    shown, late = _report_versions(request.user, report, events, period)
    counts = report.counts if report is not None else _counts(events)
    context = {
        "unit": unit,
        "period": period,
        "deadline": deadline,
        "report": report,
        "form_one": _with_places([e for e in shown if e.kind in FORM_ONE]),
        "births": [e for e in shown if e.kind in FORM_TWO],
        "counts": [(Kind(k).label, counts.get(str(k), 0)) for k in REPORT_KINDS],
        "late": late,
        "late_form_one": _with_places([e for e in late if e.kind in FORM_ONE]),
        "late_births": [e for e in late if e.kind in FORM_TWO],
        "late_counts": [(Kind(k).label, n) for k, n in _counts(late).items()],
        "voided_since": sum(1 for e in shown if e.status == Status.VOIDED),
        "month_ended": today > period.end,
        "overdue": report is None and today > deadline,
        "can_submit": report is None
        and today > period.end
        and request.user.has_perm(Perm.RECORD_EVENT),
        "show_secret": request.user.has_perm(Perm.UNMASK_PERSON),
    }
    return render(request, "events/monthly_report.html", context)


@require_perm(Perm.VIEW_PERSON, Perm.RECORD_EVENT)
@require_POST
def monthly_submit(request: HttpRequest, code: str) -> HttpResponse:
    """上报: a village account its own village, a township or county account any village in
    its subtree; once per village and month."""
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    period = month_of(request.POST.get("month", ""))
    if unit.level != Level.VILLAGE or period is None:
        messages.warning(request, "请选择要上报的村（居）和月份。")
        return redirect("events:monthly_overview")
    events = _month_events(request.user, unit.code, period)
    try:
        report = services.monthly_report_submit(
            actor=Actor.of(request),
            village_code=unit.code,
            period=period,
            counts=_counts(events),
            event_ids=[e.pk for e in events],
        )
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        when = "按时上报" if report.on_time else "逾期上报"
        messages.success(request, f"{unit.name}{period.label}人口动态信息报告单已上报（{when}）。")
    return redirect(_month_url("events:monthly_report", {"month": period.code}, unit.code))


def _state(report: MonthlyReport | None, past_deadline: bool) -> str:
    if report is not None:
        return "on_time" if report.on_time else "late"
    return "overdue" if past_deadline else "pending"


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def monthly_overview(request: HttpRequest) -> HttpResponse:
    """The month's state of every village in the caller's subtree (or the chosen unit): on
    time, late, not yet due, or overdue (未报, past the deadline), with the reported counts."""
    period = _month(request.GET)
    unit = request.GET.get("unit", "")
    unit = unit if unit.isdigit() and len(unit) <= 12 else ""
    units = Unit.objects.current().visible_to(request.user).filter(prefix__startswith=unit)
    villages = list(units.filter(level=Level.VILLAGE).order_by("code"))
    towns = dict(units.filter(level=Level.TOWNSHIP).values_list("prefix", "name"))
    reports = {
        r.unit_code: r
        for r in MonthlyReport.objects.visible_to(request.user)
        .filter(month=period.start_month, unit_code__startswith=unit)
        .select_related("submitted_by")
    }
    deadline = periods.report_deadline(period.start)
    past = dates.today() > deadline
    changes = event_selectors.report_changes(request.user, unit, period, reports)
    rows = []
    for village in villages:
        report = reports.get(village.code)
        counts = [report.counts.get(k, 0) for k in REPORT_KINDS] if report else []
        town = towns.get(township_of(village.prefix), "")
        late, voided = changes.get(village.code, (0, 0))
        rows.append(
            {
                "village": village,
                "township": town,
                "report": report,
                "state": _state(report, past),
                "counts": counts,
                "late": late,
                "voided": voided,
            }
        )
    states = [r["state"] for r in rows]
    context = {
        "period": period,
        "deadline": deadline,
        "rows": rows,
        "unit": unit,
        "tree": side_tree(request.user, unit),
        "kinds": [Kind(k).label for k in REPORT_KINDS],
        "summary": {s: states.count(s) for s in ("on_time", "late", "overdue", "pending")},
        "changed": len(changes),
        "persons": request.user.person_pages_open,  # each village's report lists its events
    }
    return render(request, "events/monthly_overview.html", context)


urlpatterns = [
    path("", event_list, name="event_list"),
    path("new/", event_create, name="event_create"),
    path("lookup/", person_lookup, name="person_lookup"),
    path("review/", review_queue, name="review_queue"),
    path("<int:pk>/", event_detail, name="event_detail"),
    path("<int:pk>/confirm/", event_confirm, name="event_confirm"),
    path("<int:pk>/void/", event_void, name="event_void"),
    path("<int:pk>/correct/", event_correct, name="event_correct"),
    path("monthly/", monthly_overview, name="monthly_overview"),
    path("monthly/<str:code>/", monthly_report, name="monthly_report"),
    path("monthly/<str:code>/submit/", monthly_submit, name="monthly_submit"),
]
