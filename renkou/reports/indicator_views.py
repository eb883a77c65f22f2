"""统计指标 pages (issue 4 items 2, 3, 4, 8): every indicator of a unit for a period and scope
with its numerator, denominator, target, 达标/未达标 and gap; the ranking of the sub-units for
one indicator; the name list (花名册) behind each numerator and denominator; yearly targets.

The figures come from ``renkou.reports.indicators.evaluate`` (the same definitions as the API
and ``manage.py indicators``); the name lists from ``renkou.events.selectors``, term by term,
so a list has exactly as many rows as its part of the figure (docs/indicators.md).

Scoping: the unit of a page must be in the caller's subtree (``get_visible_or_404``, else 404).
A name list holds the persons or events the figure counts *in that unit* for the chosen scope
(e.g. everyone registered there), which can include persons now managed elsewhere, so it is
not narrowed by the person's managing unit; the link to a person page appears only for
persons the caller may open (``Person.objects.visible_to``). Name lists need 查看个人信息;
leaders see the figures without links.
"""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.common import crypto, dicts
from renkou.common.actors import Actor
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.events.constants import SCOPE_FIELD, Scope
from renkou.events.models import Event
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.people.models import Person
from renkou.reports.balance import BALANCE, balance_rows
from renkou.reports.forms import (
    DrillForm,
    IndicatorPageForm,
    TargetFilterForm,
    TargetForm,
)
from renkou.reports.indicators import (
    BY_CODE,
    evaluate,
    short_period,
    variant,
)
from renkou.reports.models import Target
from renkou.reports.selectors import (
    Part,
    indicator_groups,
    part_count,
    part_rows,
    parts,
    ranking,
    target_text,
)
from renkou.reports.services import target_copy, target_delete_one, target_save

DEFAULT_RANK = "natural_growth_rate"


def _unit_of(request: HttpRequest, code: str | None = None) -> Unit:
    """The unit of a page: ``code`` or ``?unit=``, else the caller's own; 404 outside scope."""
    code = code or request.GET.get("unit") or request.user.unit.code
    return get_visible_or_404(Unit.objects.current(), request.user, code=code)


def _unit_choices(user: Any) -> list[tuple[str, str]]:
    units = list(Unit.objects.current().visible_to(user).order_by("code"))
    top = min((u.level for u in units), default=Level.COUNTY)
    return [(u.code, f"{'　' * (u.level - top)}{u.name}") for u in units]


# --- the indicator page -----------------------------------------------------------------------


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def indicator_page(request: HttpRequest) -> HttpResponse:
    unit = _unit_of(request)
    form = IndicatorPageForm(request.GET)
    context: dict[str, Any] = {"unit": unit, "form": form, "units": _unit_choices(request.user)}
    if form.is_valid():
        data = form.cleaned_data
        period, scope, year = data["period"], data["scope_code"], data["target_year"]
        rank = data.get("rank") or DEFAULT_RANK
        births_by = data["births_by"]
        ranked, lower_first = ranking(
            unit, rank, period=period, scope=scope, year=year, births_by=births_by
        )
        context.update(
            period=period,
            scope_label=Scope(scope).label,
            target_year=year,
            rank=rank,
            groups=indicator_groups(unit, period, scope, year, births_by),
            rank_indicator=variant(rank, births_by),
            ranking=ranked,
            lower_first=lower_first,
            query=urlencode({**form.params(), "unit": unit.code}),
            drill_query=urlencode(form.params()),
            short_period=short_period(period, timezone.localdate()),
        )
    return render(request, "reports/indicator_page.html", context)


# --- the balance table (人口变动平衡表) ---------------------------------------------------


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def balance_page(request: HttpRequest) -> HttpResponse:
    """人口变动平衡表: 期初 + 出生 − 死亡 + 迁入 − 迁出 (+ 流入 − 流出) + 其他变动 = 期末 for the
    unit and each of its sub-units, each number a link to its name list."""
    unit = _unit_of(request)
    form = IndicatorPageForm(request.GET)
    context: dict[str, Any] = {
        "unit": unit,
        "form": form,
        "units": _unit_choices(request.user),
        "columns": BALANCE,
    }
    if form.is_valid():
        data = form.cleaned_data
        period, scope = data["period"], data["scope_code"]
        context.update(
            period=period,
            scope=scope,
            scope_label=Scope(scope).label,
            flows_note={
                Scope.REGISTERED: "户籍人口不因流动而变化，流入、流出仅供参考，不计入平衡。",
                Scope.RESIDENT: "常住人口：流入增加、流出减少。",
                Scope.MANAGED: "管理人口：流入增加；流出人员仍由原地管理，不减少。",
            }[scope],
            rows=balance_rows(unit, period, scope),
            # The balance counts births by occurrence (docs/indicators.md §4.1), so do its lists.
            drill_query=urlencode({k: v for k, v in form.params().items() if k != "births_by"}),
        )
    return render(request, "reports/balance.html", context)


# --- the name list (花名册) ---------------------------------------------------------------------


def other_reason(person: Person, measure: str) -> str:
    """Why a person is among the other changes (其他变动): what the register says happened on
    that day without a counted event saying it (docs/indicators.md §4)."""
    day = person.change_day  # type: ignore[attr-defined]  # set by events.selectors for the name list
    if person.exited_at is not None and person.exit_reason == "4":
        return "重复或错误登记，已退出（合并重复人员或作废登记）"
    if measure == "o_out" and person.exited_at == day:
        reason = dicts.label("exit_reason", person.exit_reason)
        return f"户籍退出（{reason}），未登记相应变动"
    if measure == "o_in" and person.birth_date == day:
        return "补录登记：出生未登记出生变动"
    if person.flow and person.flow_date == day:
        return "流动登记未登记流动变动，或县内流动"
    return "登记内容与变动记录不一致（登记更正）"


def _decorate_persons(request: HttpRequest, rows: list[Person], scope: str, day: date) -> None:
    field = SCOPE_FIELD[scope]
    names = unit_names([getattr(p, field) for p in rows])
    visible = set(
        Person.objects.visible_to(request.user)
        .filter(pk__in=[p.pk for p in rows])
        .values_list("pk", flat=True)
    )
    for p in rows:
        p.id_masked = crypto.mask(p.id_number)  # type: ignore[attr-defined]  # display value for the template
        p.age = p.age_on(day) if p.birth_date <= day else 0  # type: ignore[attr-defined]  # display value for the template
        p.place = getattr(p, field)  # type: ignore[attr-defined]  # display value for the template
        p.place_name = names.get(p.place, p.place)  # type: ignore[attr-defined]  # display value for the template
        p.can_open = p.pk in visible  # type: ignore[attr-defined]  # display value for the template


def _decorate_events(request: HttpRequest, rows: list[Event], scope: str) -> None:
    names = unit_names([e.place_of(scope) for e in rows])
    people = {e.person_id for e in rows} | {e.child_id for e in rows if e.child_id}
    visible = set(
        Person.objects.visible_to(request.user).filter(pk__in=people).values_list("pk", flat=True)
    )
    for e in rows:
        e.place = e.place_of(scope)  # type: ignore[attr-defined]  # display value for the template
        e.place_name = names.get(e.place, e.place)  # type: ignore[attr-defined]  # display value for the template
        e.policy_label = dicts.label("policy_attribute", e.policy_attribute)  # type: ignore[attr-defined]  # display value for the template
        e.person_open = e.person_id in visible  # type: ignore[attr-defined]  # display value for the template
        e.child_open = e.child_id in visible  # type: ignore[attr-defined]  # display value for the template


SIDE_LABELS = {"numerator": "分子", "denominator": "分母"}
PLACE_LABELS = {Scope.REGISTERED: "户籍地", Scope.RESIDENT: "现居住地", Scope.MANAGED: "管理地"}


def formulas(tabs: list[dict]) -> list[str]:
    """How each side adds up from its lists, e.g. ``分母 =（100 + 104）÷ 2 = 102``."""
    out = []
    for side, label in SIDE_LABELS.items():
        mine = [t for t in tabs if t["part"].side == side]
        if not mine:
            continue
        text, total = "", 0.0
        for t in mine:
            part, count = t["part"], t["count"]
            total += part.sign * part.weight * count
            if part.weight != 1 and part.day == "start":
                text += f"{' − ' if part.sign < 0 else (' + ' if text else '')}（{count}"
            elif part.weight != 1:
                text += f" + {count}）÷ 2"
            else:
                text += f"{' − ' if part.sign < 0 else (' + ' if text else '')}{count}"
        shown = int(total) if float(total).is_integer() else total
        out.append(f"{label} = {text} = {shown}" if len(mine) > 1 else f"{label} = {shown}")
    return out


def _chosen(options: list[Part], data: dict[str, Any]) -> Part:
    same_term = [p for p in options if p.side == data["side"] and p.term == data["term"]]
    return next((p for p in same_term if p.day == (data.get("day") or "")), same_term[0])


@require_perm(Perm.VIEW_AGGREGATE, Perm.VIEW_PERSON)
@require_GET
def indicator_list(request: HttpRequest, code: str) -> HttpResponse:
    """The persons or events behind one part of a figure (``?indicator=…&side=…``)."""
    unit = _unit_of(request, code)
    form = DrillForm(request.GET)
    if not form.is_valid():
        messages.warning(request, "请从统计指标页面点击数字查看名单。")
        return redirect(f"{reverse('reports:indicators')}?{urlencode({'unit': unit.code})}")
    data = form.cleaned_data
    period, scope, births_by = data["period"], data["scope_code"], data["births_by"]
    ind = variant(data["indicator"], births_by)
    figure = evaluate(
        [ind.code], prefix=unit.prefix, period=period, scope=scope, births_by=births_by
    )[unit.prefix]
    options = parts(ind, "numerator") + parts(ind, "denominator")
    chosen = _chosen(options, data)
    tabs = [
        {
            "part": p,
            "side": SIDE_LABELS[p.side],
            "label": p.label(period),
            "count": part_count(p, scope=scope, prefix=unit.prefix, period=period),
            "query": urlencode({**form.params(), "indicator": ind.code, **p.params()}),
            "active": p == chosen,
        }
        for p in options
    ]
    page = paginate(request, part_rows(chosen, scope=scope, prefix=unit.prefix, period=period))
    page.object_list = list(page.object_list)
    if chosen.is_stock:
        day = period.day_before if chosen.day == "start" else period.end
        _decorate_persons(request, page.object_list, scope, day)
    elif chosen.lists_persons:
        _decorate_persons(request, page.object_list, scope, period.end)
        places = unit_names(p.change_place for p in page.object_list)
        for p in page.object_list:
            p.change_reason = other_reason(p, chosen.measure)  # type: ignore[attr-defined]  # display value for the template
            p.change_place_name = places.get(p.change_place, p.change_place)  # type: ignore[attr-defined]  # display value for the template
    else:
        _decorate_events(request, page.object_list, scope)
    context = {
        "unit": unit,
        "indicator": ind,
        "figure": figure[ind.code],
        "period": period,
        "scope_label": Scope(scope).label,
        "chosen": chosen,
        "tabs": tabs,
        "page": page,
        "formulas": formulas(tabs),
        "place_label": PLACE_LABELS[scope],
        "back": urlencode({**form.params(), "unit": unit.code}),
    }
    return render_page(request, "reports/drill_list.html", context, partial="results")


# --- targets: the pages -------------------------------------------------------------------------


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    form = TargetFilterForm(request.GET)
    rows = Target.objects.visible_to(request.user)
    if form.is_valid():
        if form.cleaned_data.get("year"):
            rows = rows.filter(year=form.cleaned_data["year"])
        if form.cleaned_data.get("indicator"):
            rows = rows.filter(indicator=form.cleaned_data["indicator"])
    page = paginate(
        request, rows.select_related("set_by").order_by("-year", "unit_code", "indicator")
    )
    page.object_list = list(page.object_list)
    names = unit_names(t.unit_code for t in page.object_list)
    for t in page.object_list:
        ind = BY_CODE.get(t.indicator)
        t.unit_name = names.get(t.unit_code, t.unit_code)  # type: ignore[attr-defined]  # display value for the template
        t.indicator_name = ind.name if ind else t.indicator  # type: ignore[attr-defined]  # display value for the template
        t.shown = target_text(t)  # type: ignore[attr-defined]  # display value for the template
        t.is_county = t.unit_code[6:] == "000000"  # type: ignore[attr-defined]  # display value for the template
    context = {"form": form, "page": page, "can_manage": request.user.has_perm(Perm.MANAGE_TARGET)}
    return render_page(request, "reports/target_list.html", context, partial="results")


@require_perm(Perm.MANAGE_TARGET)
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest) -> HttpResponse:
    form = TargetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        target_save(actor=Actor.of(request), target=form.save(commit=False))
        messages.success(request, "目标已保存。")
        return redirect("reports:target_list")
    return render(request, "reports/target_form.html", {"form": form, "creating": True})


@require_perm(Perm.MANAGE_TARGET)
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(Target, request.user, pk=pk)
    form = TargetForm(request.POST or None, instance=target, user=request.user)
    if request.method == "POST" and form.is_valid():
        target_save(actor=Actor.of(request), target=form.save(commit=False))
        messages.success(request, "目标已修改。")
        return redirect("reports:target_list")
    return render(request, "reports/target_form.html", {"form": form, "target": target})


@require_perm(Perm.MANAGE_TARGET)
@require_POST
def target_copy_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(Target, request.user, pk=pk)
    if target.unit_code[6:] != "000000":
        messages.error(request, "只有县级目标可以下达到各乡镇。")
    else:
        count = target_copy(actor=Actor.of(request), target=target)
        messages.success(request, f"已下达到 {count} 个乡镇。")
    return redirect(f"{reverse('reports:target_list')}?{urlencode({'year': target.year})}")


@require_perm(Perm.MANAGE_TARGET)
@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(Target, request.user, pk=pk)
    target_delete_one(actor=Actor.of(request), target=target)
    messages.success(request, "目标已删除。")
    return redirect("reports:target_list")


urlpatterns = [
    path("indicators/", indicator_page, name="indicators"),
    path("indicators/<str:code>/list/", indicator_list, name="indicator_list"),
    path("balance/", balance_page, name="balance"),
    path("targets/", target_list, name="target_list"),
    path("targets/new/", target_create, name="target_create"),
    path("targets/<int:pk>/edit/", target_edit, name="target_edit"),
    path("targets/<int:pk>/copy/", target_copy_view, name="target_copy"),
    path("targets/<int:pk>/delete/", target_delete, name="target_delete"),
]
