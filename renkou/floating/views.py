"""Pages of the floating-population registers (issue 16 items 1 and 2): the register list per
unit with the unit tree, filters, paging and an .xlsx export; a record's page with its
certificates and history; add and edit forms; the certificate check rate per township.

Every read goes through ``selectors`` (the scoping chokepoint: outside the subtree is 404);
reads of a person's record and exports are audited; the contact number is shown masked only.
"""

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.common import audit, crypto, dates, dicts, xlsx
from renkou.common.actors import Actor, ConflictError
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.common.periods import fp_year_of
from renkou.common.permissions import require_perm
from renkou.floating import selectors, services
from renkou.floating.constants import REASON_DICT, Direction, MessageWay
from renkou.floating.figures import STATES, TIMELY_LABELS
from renkou.floating.forms import (
    CertificateForm,
    FilterForm,
    FindForm,
    LinkForm,
    MessageFilterForm,
    MessageForm,
    MonthForm,
    RecordForm,
    ReplyForm,
    YearForm,
)
from renkou.floating.models import Certificate, FloatingRecord, Message
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import side_tree, unit_names
from renkou.people.models import Person

EXPORT_COLUMNS = (
    ("类型", 6, True),
    ("姓名", 10, True),
    ("年龄", 6, False),
    ("管理单位", 16, True),
    ("来源地/去向地", 24, True),
    ("流动原因", 10, True),
    ("流动日期", 12, True),
    ("居住地址", 24, True),
    ("工作单位", 20, True),
    ("联系电话", 14, True),
    ("预计返回", 12, True),
    ("实际返回", 12, True),
    ("婚育证明", 10, True),
)


def _apply(form: Any, call: Callable[[], Any]) -> tuple[Any, int]:
    """Run a service call; its ValidationError (or an edit conflict, 409) goes onto the form."""
    try:
        return call(), 200
    except ConflictError as exc:
        form.add_error(None, str(exc))
        return None, 409
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
        else:
            for name, errors in exc.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        return None, 200


def _decorate(rows: Any, today: date) -> None:
    names = unit_names(r.unit_code for r in rows)
    for row in rows:
        row.unit_name = names.get(row.unit_code, row.unit_code)
        row.age = row.person.age_on(today)
        row.contact_masked = crypto.mask(row.contact, crypto.PHONE)
        row.reason_label = dicts.label(REASON_DICT, row.reason)
        row.cert_state = (
            selectors.certificate_state(row, today) if row.direction == Direction.IN else "—"
        )


@require_perm(Perm.VIEW_PERSON)
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    """流动人口登记: inflow and outflow records of the caller's subtree."""
    form = FilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.record_list(request.user, filters))
    _decorate(page.object_list, dates.today())
    audit.record_for(Actor.of(request), "floating.view", FloatingRecord, rows=page.paginator.count)
    context = {
        "form": form,
        "page": page,
        "tree": side_tree(request.user, filters.get("unit", "")),
        "unit": filters.get("unit", ""),
        "query": request.GET.urlencode(),
        "can_edit": request.user.has_perm(Perm.EDIT_PERSON),
        "can_export": request.user.has_perm(Perm.EXPORT_PERSON),
    }
    return render_page(request, "floating/record_list.html", context, partial="results")


@require_perm(Perm.EXPORT_PERSON)
@require_GET
def record_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx (contact masked, age instead of birth date), audited."""
    filters = FilterForm(request.GET or None).filters()
    rows: list[Any] = list(selectors.record_list(request.user, filters))
    today = dates.today()
    _decorate(rows, today)
    buffer = io.BytesIO()
    workbook, sheet, text = xlsx.open_sheet(buffer, "流动人口", EXPORT_COLUMNS)
    for i, r in enumerate(rows, 1):
        values = [
            r.get_direction_display(),
            r.person.name,
            r.age,
            r.unit_name,
            r.place,
            r.reason_label,
            f"{r.arrived_on:%Y-%m-%d}",
            r.residence,
            r.employer,
            r.contact_masked,
            f"{r.expected_return:%Y-%m-%d}" if r.expected_return else "",
            f"{r.returned_on:%Y-%m-%d}" if r.returned_on else "",
            r.cert_state,
        ]
        xlsx.write_row(sheet, i, values, text)
    workbook.close()
    audit.record_for(Actor.of(request), "floating.export", FloatingRecord, rows=len(rows))
    response = HttpResponse(buffer.getvalue(), content_type=xlsx.CONTENT_TYPE)
    name = f"流动人口登记-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_perm(Perm.EDIT_PERSON)
@require_GET
def record_find(request: HttpRequest) -> HttpResponse:
    """登记流动: find the register person by name first."""
    form = FindForm(request.GET or None)
    found: list[Any] | None = None
    if term := form.term():
        found = list(selectors.persons_to_register(request.user, term))
        for person in found:
            person.age = person.age_on(dates.today())
        audit.record_for(Actor.of(request), "floating.find", Person, rows=len(found))
    return render(request, "floating/record_find.html", {"form": form, "found": found})


@require_perm(Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(Person.objects.filter(exited_at__isnull=True), request.user, pk=pk)
    form = RecordForm(request.POST or None, initial={"direction": Direction.IN})
    status = 200
    if request.method == "POST" and form.is_valid():
        record, status = _apply(
            form,
            lambda: services.record_register(
                actor=Actor.of(request), person=person, values=form.values()
            ),
        )
        if record is not None:
            messages.success(request, f"已登记{record.get_direction_display()}")
            return redirect("floating:record_detail", pk=record.pk)
    context = {"form": form, "person": person, "title": f"登记流动人口：{person.name}"}
    return render(request, "floating/record_form.html", context, status=status)


def _record(request: HttpRequest, pk: int) -> FloatingRecord:
    return get_visible_or_404(selectors.records_visible(request.user), request.user, pk=pk)


def _history(obj: Any) -> list[dict[str, Any]]:
    return [
        {
            "when": h.history_date,
            "who": (h.history_user.full_name or h.history_user.username)
            if h.history_user
            else "系统",
            "what": {"+": "新增", "-": "删除"}.get(h.history_type, "修改"),
        }
        for h in obj.history.select_related("history_user").order_by("-history_date")
    ]


@require_perm(Perm.VIEW_PERSON)
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    today = dates.today()
    _decorate([record], today)
    audit.record_for(Actor.of(request), "floating.view", record, summary="page=record")
    certificates: list[Any] = list(record.certificates.order_by("-issued_on", "-pk"))
    for cert in certificates:
        cert.expired = cert.valid_until < today
    context = {
        "record": record,
        "certificates": certificates,
        "history": _history(record),
        "can_edit": request.user.has_perm(Perm.EDIT_PERSON),
        "today": today,
    }
    return render(request, "floating/record_detail.html", context)


@require_perm(Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    names = [n for n in services.RECORD_FIELDS if n not in ("direction", "contact")]
    initial = {n: getattr(record, n) for n in names} | {"version": record.version}
    form = RecordForm(request.POST or None, record=record, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        saved, status = _apply(
            form,
            lambda: services.record_update(
                actor=Actor.of(request),
                record=record,
                values=form.values(),
                version=form.cleaned_data.get("version"),
            ),
        )
        if saved is not None:
            messages.success(request, "登记已修改")
            return redirect("floating:record_detail", pk=record.pk)
    context = {"form": form, "person": record.person, "record": record, "title": "修改流动人口登记"}
    return render(request, "floating/record_form.html", context, status=status)


@require_perm(Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def certificate_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    form = CertificateForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        saved, status = _apply(
            form,
            lambda: services.certificate_add(
                actor=Actor.of(request), record=record, values=form.values()
            ),
        )
        if saved is not None:
            messages.success(request, "婚育证明已登记")
            return redirect("floating:record_detail", pk=record.pk)
    context = {"form": form, "record": record, "title": "登记婚育证明"}
    return render(request, "floating/certificate_form.html", context, status=status)


@require_perm(Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def certificate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rows = selectors.certificates_visible(request.user)
    cert: Certificate = get_visible_or_404(rows, request.user, pk=pk)
    initial = {n: getattr(cert, n) for n in services.CERT_FIELDS} | {"version": cert.version}
    form = CertificateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        saved, status = _apply(
            form,
            lambda: services.certificate_update(
                actor=Actor.of(request),
                certificate=cert,
                values=form.values(),
                version=form.cleaned_data.get("version"),
            ),
        )
        if saved is not None:
            messages.success(request, "婚育证明已修改")
            return redirect("floating:record_detail", pk=cert.record_id)
    context = {
        "form": form,
        "record": cert.record,
        "title": "修改婚育证明 / 登记核验结果",
        "history": _history(cert),
    }
    return render(request, "floating/certificate_form.html", context, status=status)


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def check_rate(request: HttpRequest) -> HttpResponse:
    """流入育龄妇女婚育证明查验率 of each township of the caller's subtree."""
    today = dates.today()
    form = YearForm(request.GET or None)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or fp_year_of(today)
    rows, total = selectors.check_rate_table(request.user, year, today)
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "year": year,
        "can_list": request.user.has_perm(Perm.VIEW_PERSON),
    }
    return render(request, "floating/check_rate.html", context)


# --- inter-jurisdiction messages (协查) ---------------------------------------------------------


@require_perm(Perm.VIEW_PERSON)
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    """协查函件: requests and notices received and sent, open first by deadline."""
    today = dates.today()
    form = MessageFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.message_list(request.user, filters, today))
    names = unit_names(m.unit_code for m in page.object_list)
    for m in page.object_list:
        m.unit_name = names.get(m.unit_code, m.unit_code)
        m.overdue = m.is_overdue(today)
    audit.record_for(Actor.of(request), "floating.view", Message, rows=page.paginator.count)
    month, state = filters.get("month"), filters.get("state")
    year, timely = filters.get("year"), filters.get("timely")
    context = {
        "form": form,
        "page": page,
        "tree": side_tree(request.user, filters.get("unit", "")),
        "unit": filters.get("unit", ""),
        "can_edit": request.user.has_perm(Perm.EDIT_PERSON),
        "month": month,
        "state_label": STATES.get(state or "", "") if month else "",
        "timely_label": f"{year}年度{TIMELY_LABELS[timely]}" if year and timely else "",
    }
    return render_page(request, "floating/message_list.html", context, partial="results")


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def message_timeliness(request: HttpRequest) -> HttpResponse:
    """协查反馈及时率 of each township of the caller's subtree (the one measure
    ``figures.TIMELY``), with the late and overdue counts; the numbers link to their lists."""
    today = dates.today()
    form = YearForm(request.GET or None)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or fp_year_of(today)
    rows, total = selectors.timeliness_table(request.user, year, today)
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "year": year,
        "can_list": request.user.has_perm(Perm.VIEW_PERSON),
    }
    return render(request, "floating/message_timeliness.html", context)


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def message_monthly(request: HttpRequest) -> HttpResponse:
    """协查月度统计: the month's messages per township and their state at the month's end; each
    number links to its list."""
    today = dates.today()
    form = MonthForm(request.GET or None)
    month = form.period(today)
    table = selectors.monthly_table(request.user, month, today)
    for row in table:
        row["cols"] = [
            (way, key, row["cells"][way][key])
            for way in MessageWay.values
            for key in selectors.MONTH_COLUMNS
        ]
    audit.record_for(Actor.of(request), "floating.view", Message, summary="page=monthly")
    context = {
        "form": form,
        "month": month,
        "table": table,
        "states": STATES,
        "ways": MessageWay.choices,
        "cut_off": min(month.end, today),
        "can_list": request.user.has_perm(Perm.VIEW_PERSON),
    }
    return render(request, "floating/message_monthly.html", context)


def _own_unit(request: HttpRequest) -> str:
    """The caller's own unit: a message is registered where the account works."""
    user: Any = request.user
    return str(user.unit.code)


@require_perm(Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def message_create(request: HttpRequest) -> HttpResponse:
    """登记协查函件 of the caller's own unit (the deadline follows from its urgency)."""
    form = MessageForm(request.POST or None, initial={"dated_on": dates.today()})
    status = 200
    if request.method == "POST" and form.is_valid():
        saved, status = _apply(
            form,
            lambda: services.message_register(
                actor=Actor.of(request),
                unit_code=_own_unit(request),
                values=form.cleaned_data,
            ),
        )
        if saved is not None:
            messages.success(request, f"已登记，反馈时限 {saved.due_on:%Y-%m-%d}")
            return redirect("floating:message_detail", pk=saved.pk)
    return render(request, "floating/message_form.html", {"form": form}, status=status)


def _linked(user: Any, message: Message) -> dict[str, Any] | None:
    """The local person the message is about, masked; ``visible``: the viewer may open the
    person's page."""
    person = message.person
    if person is None:
        return None
    visible = Person.objects.visible_to(user).filter(pk=person.pk).exists()
    return {
        "pk": person.pk,
        "name": person.name,
        "id_masked": crypto.mask(person.id_number),
        "visible": visible,
    }


def _candidates(request: HttpRequest, message: Message) -> list[Any]:
    """The candidates shown for confirmation (masked ID, age, unit); the read is audited with
    its row count."""
    today = dates.today()
    found: list[Any] = list(selectors.match_candidates(request.user, message))
    if found:
        audit.record_for(Actor.of(request), "floating.candidates", message, rows=len(found))
    names = unit_names(p.unit_code for p in found)
    for person in found:
        person.id_masked = crypto.mask(person.id_number)
        person.age = person.age_on(today)
        person.unit_name = names.get(person.unit_code, person.unit_code)
    return found


def _message_page(
    request: HttpRequest,
    message: Message,
    form: ReplyForm,
    status: int = 200,
    link_form: LinkForm | None = None,
) -> HttpResponse:
    can_edit = request.user.has_perm(Perm.EDIT_PERSON)
    context = {
        "message": message,
        "form": form,
        "link_form": link_form,
        "can_edit": can_edit,
        "overdue": message.is_overdue(dates.today()),
        "unit_name": unit_names([message.unit_code]).get(message.unit_code, message.unit_code),
        "history": _history(message),
        "subject_id_masked": crypto.mask(message.subject_id_number),
        "linked": _linked(request.user, message),
        "candidates": _candidates(request, message) if can_edit else [],
    }
    return render(request, "floating/message_detail.html", context, status=status)


def _message(request: HttpRequest, pk: int) -> Message:
    rows = selectors.messages_visible(request.user).select_related("person")
    return get_visible_or_404(rows, request.user, pk=pk)


@require_perm(Perm.VIEW_PERSON)
@require_GET
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A message, its deadline and reply, with the reply form for the register's keepers."""
    message = _message(request, pk)
    audit.record_for(Actor.of(request), "floating.view", message, summary="page=message")
    initial = {"replied_on": dates.today(), "version": message.version}
    return _message_page(request, message, ReplyForm(initial=initial))


@require_perm(Perm.EDIT_PERSON)
@require_POST
def message_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """反馈: records the reply (ours, or the other side's to our request)."""
    message = _message(request, pk)
    form = ReplyForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        saved, status = _apply(
            form,
            lambda: services.message_reply(
                actor=Actor.of(request),
                message=message,
                reply=data["reply"],
                replied_on=data["replied_on"],
                version=data.get("version"),
            ),
        )
        if saved is not None:
            messages.success(request, "反馈已登记")
            return redirect("floating:message_detail", pk=message.pk)
    return _message_page(request, message, form, status)


@require_perm(Perm.EDIT_PERSON)
@require_POST
def message_link(request: HttpRequest, pk: int) -> HttpResponse:
    """确认协查对象: one of the name-and-birth-date candidates, or 本地无此人."""
    message = _message(request, pk)
    form = LinkForm(request.POST)
    status = 200
    if form.is_valid() and not (form.cleaned_data.get("none") or form.cleaned_data.get("person")):
        form.add_error(None, "请选择一名候选人员，或确认本地无此人")
    if form.is_valid():
        data = form.cleaned_data
        person = None
        if not data.get("none"):
            # Only a candidate of the caller's own subtree can be chosen; anything else is 404.
            chosen = selectors.match_candidates(request.user, message)
            person = get_visible_or_404(
                Person.objects.filter(pk__in=[p.pk for p in chosen]),
                request.user,
                pk=data.get("person") or 0,
            )
        saved, status = _apply(
            form,
            lambda: services.message_link(
                actor=Actor.of(request),
                message=message,
                person=person,
                version=data.get("version"),
            ),
        )
        if saved is not None:
            messages.success(request, "已确认协查对象" if person else "已记录：本地无此人")
            return redirect("floating:message_detail", pk=message.pk)
    initial = {"replied_on": dates.today(), "version": message.version}
    return _message_page(request, message, ReplyForm(initial=initial), status, form)
