"""Staff pages of the tip-offs: the list (and its .xlsx), intake at the window, by phone or
letter, the tip-off's page (assignment, the handler's steps and result, the reward), finance's
reward list, and the figures per township and month.

The informant appears on one page only: the tip-off's page as its handler sees it, each view
audited (no personal data in the audit row). Lists, exports, figures and every other account's
view of the page never read the informant's row.
"""

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.common import audit, dates, xlsx
from renkou.common.actors import Actor, ConflictError
from renkou.common.conflicts import act_then_back, conflict_page
from renkou.common.forms import error_text, form_error_text, parse_int, styled
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.tipoffs import selectors, services
from renkou.tipoffs.constants import Reward, Status
from renkou.tipoffs.forms import (
    AssignForm,
    ConcludeForm,
    IntakeForm,
    PayForm,
    RewardForm,
    StepForm,
)
from renkou.tipoffs.models import TipOff

EXPORT_COLUMNS = [
    ("编号", 16, True),
    ("受理日期", 12, True),
    ("所涉乡镇", 14, True),
    ("举报方式", 12, True),
    ("举报类别", 30, True),
    ("状态", 10, True),
    ("承办人", 12, True),
    ("办理时限", 12, True),
    ("核查结论", 10, True),
    ("奖励", 14, True),
    ("奖励金额（元）", 14, False),
]


def _label(rows: Any) -> list[TipOff]:
    """The rows with their unit's name as ``unit_name`` (display only)."""
    labelled: list[TipOff] = list(rows)
    names = unit_names(r.unit_code for r in labelled)
    for row in labelled:
        row.unit_name = names.get(row.unit_code, row.unit_code)  # type: ignore[attr-defined]  # display only
    return labelled


def _to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _filtered(request: HttpRequest) -> Any:
    return selectors.tipoff_list(
        request.user,
        status=request.GET.get("status", ""),
        unit=request.GET.get("unit", ""),
        mine=request.GET.get("mine") == "1",
    )


@require_perm(Perm.VIEW_TIPOFF)
@require_GET
def tipoff_list(request: HttpRequest) -> HttpResponse:
    """举报台账: number, date, township, kind, status, handler, deadline — never who reported."""
    page = paginate(request, _filtered(request))
    _label(page.object_list)
    context = {
        "page": page,
        "statuses": Status.choices,
        "today": dates.today(),
        "can_intake": request.user.has_perm(Perm.INTAKE_TIPOFF),
    }
    return render(request, "tipoffs/tipoff_list.html", context)


@require_perm(Perm.VIEW_TIPOFF)
@require_GET
def tipoff_export(request: HttpRequest) -> HttpResponse:
    """The list as .xlsx (the same columns, no informant), audited with its row count."""
    rows = _label(list(_filtered(request)))
    buffer = io.BytesIO()
    workbook, sheet, text = xlsx.open_sheet(buffer, "举报台账", EXPORT_COLUMNS)
    for i, t in enumerate(rows, 1):
        values = [
            t.number,
            t.received_on.isoformat(),
            t.unit_name,  # type: ignore[attr-defined]  # set by _label
            t.get_channel_display(),
            t.get_category_display(),
            t.get_status_display(),
            t.handler.full_name or t.handler.username if t.handler else "",
            t.deadline.isoformat(),
            t.get_finding_display(),
            t.get_reward_display(),
            t.reward_fen / 100 if t.reward_fen is not None else None,
        ]
        xlsx.write_row(sheet, i, values, text)
    workbook.close()
    audit.record_request(
        request, action="tipoffs.export", object_type="tipoffs.tipoff", row_count=len(rows)
    )
    response = HttpResponse(buffer.getvalue(), content_type=xlsx.CONTENT_TYPE)
    name = f"举报台账-{dates.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_perm(Perm.INTAKE_TIPOFF)
@require_http_methods(["GET", "POST"])
def tipoff_create(request: HttpRequest) -> HttpResponse:
    """登记举报 received at the window, by phone or letter; the acknowledgement code is shown
    once, on this response, for the informant (never in a URL, never stored in clear)."""
    units = selectors.township_choices(request.user)
    initial = {"received_on": dates.today()}
    form = styled(IntakeForm(request.POST or None, units=units, initial=initial))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tipoff, code = services.tipoff_receive(
                actor=Actor.of(request),
                unit_code=data["unit_code"],
                channel=data["channel"],
                category=data["category"],
                subject=data["subject"],
                place=data["place"],
                content=data["content"],
                received_on=data["received_on"],
                informant_name=data["informant_name"],
                informant_contact=data["informant_contact"],
            )
        except ValidationError as exc:
            _to_form(form, exc)
        else:
            return render(request, "tipoffs/received.html", {"tipoff": tipoff, "code": code})
    return render(request, "tipoffs/tipoff_form.html", {"form": form})


def _tipoff(request: HttpRequest, pk: int) -> TipOff:
    return get_visible_or_404(selectors.tipoffs_visible(request.user), request.user, pk=pk)


def _forms(request: HttpRequest, t: TipOff) -> dict[str, Any]:
    user: Any = request.user
    handler = t.handler_id == user.pk and t.status == Status.ASSIGNED
    assigns = user.has_perm(Perm.ASSIGN_TIPOFF) and t.status != Status.CONCLUDED
    decides = (
        user.has_perm(Perm.DECIDE_REWARD)
        and t.status == Status.CONCLUDED
        and t.reward != Reward.PAID
    )
    version = {"version": t.version}
    return {
        "assign_form": styled(
            AssignForm(
                initial={**version, "handler": t.handler_id}, users=selectors.handlers_for(t)
            )
        )
        if assigns
        else None,
        "step_form": styled(StepForm(initial={"done_on": dates.today()})) if handler else None,
        "conclude_form": styled(ConcludeForm(initial=version)) if handler else None,
        "reward_form": styled(RewardForm(initial=version)) if decides else None,
    }


@require_perm(Perm.VIEW_TIPOFF)
@require_GET
def tipoff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The tip-off: the matter, its steps and result, the reward; the informant only for the
    handler (audited)."""
    t = _tipoff(request, pk)
    informant = selectors.informant_for(t, request.user)
    if informant is not None:
        audit.record_request(
            request, action="tipoffs.informant_read", object_type="tipoffs.tipoff", object_id=t.pk
        )
    context = {
        "t": _label([t])[0],
        "steps": selectors.steps_of(t),
        "informant": informant,
        "is_handler": t.handler_id == request.user.pk,
        **_forms(request, t),
    }
    return render(request, "tipoffs/tipoff_detail.html", context)


def _act(request: HttpRequest, t: TipOff, act: Any, done: str) -> HttpResponse:
    return act_then_back(request, act, reverse("tipoffs:detail", args=[t.pk]), done)


@require_perm(Perm.ASSIGN_TIPOFF)
@require_POST
def tipoff_assign(request: HttpRequest, pk: int) -> HttpResponse:
    t = _tipoff(request, pk)
    handler = selectors.handler_by_pk(t, parse_int(request.POST.get("handler")))
    version = parse_int(request.POST.get("version"))
    return _act(
        request,
        t,
        lambda: services.tipoff_assign(
            actor=Actor.of(request), tipoff=t, handler=handler, version=version
        ),
        "已指定承办人",
    )


@require_perm(Perm.VIEW_TIPOFF)
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    t = _tipoff(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("tipoffs:detail", t.pk)
    data = form.cleaned_data
    return _act(
        request,
        t,
        lambda: services.step_add(
            actor=Actor.of(request), tipoff=t, done_on=data["done_on"], text=data["text"]
        ),
        "已记录调查情况",
    )


@require_perm(Perm.VIEW_TIPOFF)
@require_POST
def tipoff_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    t = _tipoff(request, pk)
    return _act(
        request,
        t,
        lambda: services.tipoff_conclude(
            actor=Actor.of(request),
            tipoff=t,
            finding=request.POST.get("finding", ""),
            result=request.POST.get("result", ""),
            version=parse_int(request.POST.get("version")),
        ),
        "已办结",
    )


@require_perm(Perm.DECIDE_REWARD)
@require_POST
def reward_decide(request: HttpRequest, pk: int) -> HttpResponse:
    t = _tipoff(request, pk)
    form = RewardForm(request.POST)
    if not form.is_valid() and set(form.errors) - {"version"}:
        messages.error(request, form_error_text(form))
        return redirect("tipoffs:detail", t.pk)
    data = form.cleaned_data
    return _act(
        request,
        t,
        lambda: services.reward_decide(
            actor=Actor.of(request),
            tipoff=t,
            grant=bool(data.get("grant")),
            amount_fen=form.amount_fen(),
            note=data.get("note", ""),
            version=data.get("version"),
        ),
        "已记录奖励决定",
    )


@require_perm(Perm.PAY_REWARD)
@require_GET
def reward_list(request: HttpRequest) -> HttpResponse:
    """Finance's list: rewards decided and paid (number, township, amount; no informant)."""
    page = paginate(request, selectors.rewards_for_finance(request.user))
    _label(page.object_list)
    return render(request, "tipoffs/reward_list.html", {"page": page, "today": dates.today()})


@require_perm(Perm.PAY_REWARD)
@require_POST
def reward_pay(request: HttpRequest, pk: int) -> HttpResponse:
    t = _tipoff(request, pk)
    form = PayForm(request.POST)
    back = redirect("tipoffs:reward_list")
    if not form.is_valid() and set(form.errors) - {"version"}:
        messages.error(request, form_error_text(form))
        return back
    data = form.cleaned_data
    try:
        services.reward_pay(
            actor=Actor.of(request),
            tipoff=t,
            paid_on=data.get("paid_on"),
            voucher=data.get("voucher", ""),
            version=data.get("version"),
        )
    except ConflictError as exc:
        return conflict_page(request, exc, back["Location"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc, fallback="不能执行此操作"))
    else:
        messages.success(request, f"{t.number}的奖励已登记发放")
    return back


@require_perm(Perm.VIEW_TIPOFF_STATS)
@require_GET
def tipoff_stats(request: HttpRequest) -> HttpResponse:
    """举报统计: per township and month of receipt, counts and reward money only."""
    today = dates.today()
    asked = parse_int(request.GET.get("year"))
    year = asked if asked is not None and 2000 <= asked <= today.year + 1 else today.year
    rows = selectors.stats(request.user, year, today)
    context = {
        "rows": rows,
        "total": selectors.stats_total(rows),
        "year": year,
        "years": list(range(today.year, today.year - 5, -1)),
        "months": range(1, 13),
    }
    return render(request, "tipoffs/stats.html", context)
