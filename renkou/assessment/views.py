"""Pages of the yearly task quotas (任务指标): progress of a unit and its townships with the veto
items at risk in red, the name list behind every figure, and the county's quota editor.

Progress holds counts only (``reports.view_aggregate``: leaders too); the name lists need
``people.view_person`` and are audited; setting quotas needs ``assessment.manage_quota`` (county
officers). Below township level a viewer without person access sees no count of 1–4 ("<5",
as ``programs.figures.small_cells``).
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.assessment import entries, selectors, services
from renkou.assessment import measures as M
from renkou.assessment.forms import QuotaForm, YearForm
from renkou.assessment.models import TaskQuota
from renkou.common import audit, crypto, dates
from renkou.common.actors import Actor
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.common.periods import fp_year_of
from renkou.common.permissions import require_perm
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.programs.figures import small_cells

SUPPRESSED = "<5"


def _years(today: date) -> list[int]:
    current = fp_year_of(today)
    return list(range(current + 1, current - 4, -1))


def _unit_and_year(request: HttpRequest, today: date) -> tuple[Unit, int, YearForm]:
    form = YearForm(request.GET or None)
    prefix = form.value("unit", request.user.scope_prefix or "")
    unit = get_visible_or_404(Unit.objects.current(), request.user, prefix=prefix)
    return unit, form.value("year", fp_year_of(today)), form


def _sort_key(column: int) -> Any:
    """Highest completion first; units without that quota last."""

    def key(row: dict[str, Any]) -> Any:
        cell = row["cells"][column]
        return (cell is None, -(cell.percent or 0) if cell else 0, row["unit"].code)

    return key


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """任务指标完成情况: the unit and every township below it × every quota, sortable."""
    today = dates.today()
    unit, year, form = _unit_and_year(request, today)
    found = selectors.progress(unit.prefix, year, today)
    codes = [c for c in M.QUOTA_MEASURES if any(p.quota.measure == c for p in found)]
    shown = [unit]
    if unit.level == Level.COUNTY:
        shown += list(
            Unit.objects.current()
            .filter(level=Level.TOWNSHIP, prefix__startswith=unit.prefix)
            .order_by("code")
        )
    by_unit: dict[str, dict[str, selectors.Progress]] = {}
    for item in found:
        by_unit.setdefault(item.quota.unit_code, {})[item.quota.measure] = item
    rows = [{"unit": u, "cells": [by_unit.get(u.code, {}).get(c) for c in codes]} for u in shown]
    sort = form.value("sort", "")
    body = rows[1:]
    if sort in codes:
        body.sort(key=_sort_key(codes.index(sort)))
    context = {
        "unit": unit,
        "year": year,
        "years": _years(today),
        "period": M.period(year),
        "measures": [M.MEASURES[c] for c in codes],
        "head": rows[0],
        "rows": body,
        "sort": sort,
        "persons": request.user.has_perm(Perm.VIEW_PERSON),
        "at_risk": [p for p in found if p.red],
        "can_manage": request.user.has_perm(Perm.MANAGE_QUOTA),
    }
    return render_page(request, "assessment/overview.html", context, partial="results")


def _breakdown(item: selectors.Progress, unit: Unit, today: date, suppress: bool) -> list[dict]:
    """The done count of each unit one level down (no service points: those are the unit's)."""
    length = {Level.COUNTY: 9, Level.TOWNSHIP: 12}.get(unit.level)
    if not length:
        return []
    level = Level.TOWNSHIP if length == 9 else Level.VILLAGE
    below = list(
        Unit.objects.current().filter(level=level, prefix__startswith=unit.prefix).order_by("code")
    )
    measure = item.measure
    done = measure.numerator.grouped(unit.prefix, item.quota.year, today, M.DEFAULT_SCOPE, length)
    counts = [done.get(u.prefix, 0) for u in below]
    hidden = small_cells(counts) if suppress else [False] * len(counts)
    return [
        {"unit": u, "done": SUPPRESSED if h else n, "hidden": h}
        for u, n, h in zip(below, counts, hidden, strict=True)
    ]


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def unit_progress(request: HttpRequest, code: str) -> HttpResponse:
    """一个单位的任务指标: each quota in full, and its done count by unit one level down."""
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    today = dates.today()
    year = YearForm(request.GET or None).value("year", fp_year_of(today))
    persons = request.user.has_perm(Perm.VIEW_PERSON)
    items = [p for p in selectors.progress(unit.prefix, year, today) if p.quota.unit_code == code]
    suppress = not persons and unit.level >= Level.TOWNSHIP
    quotas = [{"p": p, "below": _breakdown(p, unit, today, suppress)} for p in items]
    context = {
        "unit": unit,
        "year": year,
        "years": _years(today),
        "period": M.period(year),
        "quotas": quotas,
        "persons": persons,
        "suppressed": suppress,
        "today": today,
    }
    return render(request, "assessment/unit_progress.html", context)


@require_perm(Perm.VIEW_PERSON)
@require_GET
def names(request: HttpRequest, code: str) -> HttpResponse:
    """花名册 behind one side of a measure in a unit: ``?measure=&side=done|base&year=``.
    A quota of the unit with service points lists what those points did too, as it counts."""
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    today = dates.today()
    year = YearForm(request.GET or None).value("year", fp_year_of(today))
    measure = M.MEASURES.get(request.GET.get("measure", ""), M.MEASURES["prepreg_exam"])
    side = "base" if request.GET.get("side") == "base" and measure.denominator else "done"
    quota = selectors.quota_of(unit.code, year, measure.code)
    points = [p.pk for p in quota.service_points.all()] if quota else []
    rows = selectors.names(
        request.user, measure.code, side, unit.prefix, year, today, service_points=points or None
    )
    part = measure.denominator if side == "base" else measure.numerator
    assert part is not None
    allowed = M.detail_allowed(request.user, measure.code, side)
    page = paginate(request, entries.prepared(rows, part.kind) if allowed else rows.none())
    # Rows the quota counts at its service points for women outside the caller's scope.
    counted = page.paginator.count
    if points and side == "done" and allowed:
        counted = M.done_rows(
            measure.code, unit.prefix, year, today, M.DEFAULT_SCOPE, points
        ).count()
    found = entries.entries(page.object_list, part.kind, today)
    places = dict(
        Unit.objects.current()
        .filter(code__in={e.unit_code for e in found})
        .values_list("code", "name")
    )
    shown = [
        {
            "e": e,
            "id": crypto.mask(e.person.id_number) if e.person is not None else "",
            "place": places.get(e.unit_code, e.unit_code),
        }
        for e in found
    ]
    audit.record_request(
        request,
        action="assessment.names",
        object_type="geo.unit",
        object_id=unit.code,
        row_count=page.paginator.count,
        summary=f"measure={measure.code} side={side} year={year}",
    )
    tabs = [
        {
            "label": s.label,
            "active": key == side,
            "query": urlencode({"measure": measure.code, "side": key, "year": year}),
        }
        for key, s in (("done", measure.numerator), ("base", measure.denominator))
        if s
    ]
    context = {
        "unit": unit,
        "year": year,
        "measure": measure,
        "part": part,
        "page": page,
        "rows": shown,
        "tabs": tabs,
        "period": M.period(year),
        "points": bool(points),
        "allowed": allowed,
        "not_listed": counted - page.paginator.count,
    }
    return render_page(request, "assessment/names.html", context, partial="results")


# --- the county's quota editor -----------------------------------------------------------------


def _list_url(year: int) -> str:
    return f"{reverse('assessment:quota_list')}?{urlencode({'year': year})}"


@require_perm(Perm.MANAGE_QUOTA)
@require_GET
def quota_list(request: HttpRequest) -> HttpResponse:
    """年度任务指标: every quota of the year in the caller's county."""
    today = dates.today()
    year = YearForm(request.GET or None).value("year", fp_year_of(today))
    quotas = list(
        TaskQuota.objects.visible_to(request.user)
        .filter(year=year)
        .prefetch_related("service_points")
        .order_by("unit_code", "measure")
    )
    names_ = dict(
        Unit.objects.current()
        .filter(code__in={q.unit_code for q in quotas})
        .values_list("code", "name")
    )
    rows = [
        {"q": q, "unit": names_.get(q.unit_code, q.unit_code), "measure": M.MEASURES[q.measure]}
        for q in quotas
    ]
    context = {"rows": rows, "year": year, "years": _years(today), "period": M.period(year)}
    return render(request, "assessment/quota_list.html", context)


def _save(request: HttpRequest, form: QuotaForm) -> TaskQuota | None:
    data = form.cleaned_data
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=data["unit"])
    try:
        return services.quota_set(
            actor=Actor.of(request),
            unit=unit,
            year=data["year"],
            measure=data["measure"],
            target=data["target"],
            deadline=data["deadline"],
            veto=data["veto"],
            service_points=data["service_points"],
            note=data["note"],
        )
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    return None


@require_perm(Perm.MANAGE_QUOTA)
@require_http_methods(["GET", "POST"])
def quota_create(request: HttpRequest) -> HttpResponse:
    """下达任务指标 (a unit that has one for the measure and year gets it changed)."""
    year = YearForm(request.GET or None).value("year", fp_year_of(dates.today()))
    initial = {"year": year, "deadline": M.period(year).end, "unit": request.user.unit.code}
    form = QuotaForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid() and (quota := _save(request, form)):
        messages.success(request, "任务指标已保存。")
        return redirect(_list_url(quota.year))
    return render(
        request,
        "assessment/quota_form.html",
        {"form": form, "quota": None, "back": _list_url(year)},
    )


@require_perm(Perm.MANAGE_QUOTA)
@require_http_methods(["GET", "POST"])
def quota_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quota = get_visible_or_404(TaskQuota, request.user, pk=pk)
    initial = {
        "unit": quota.unit_code,
        "year": quota.year,
        "measure": quota.measure,
        "target": quota.target,
        "deadline": quota.deadline,
        "veto": quota.veto,
        "service_points": list(quota.service_points.all()),
        "note": quota.note,
    }
    form = QuotaForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid() and (saved := _save(request, form)):
        messages.success(request, "任务指标已保存。")
        return redirect(_list_url(saved.year))
    history = list(quota.history.select_related("history_user").order_by("-history_date")[:20])
    return render(
        request,
        "assessment/quota_form.html",
        {"form": form, "quota": quota, "history": history, "back": _list_url(quota.year)},
    )


@require_perm(Perm.MANAGE_QUOTA)
@require_POST
def quota_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """复制到各乡镇: townships without a quota of this measure and year get a copy."""
    quota = get_visible_or_404(TaskQuota, request.user, pk=pk)
    made = services.quota_copy_to_townships(actor=Actor.of(request), quota=quota)
    messages.success(request, f"已复制到 {len(made)} 个乡镇（已有该项指标的乡镇未改动）。")
    return redirect(_list_url(quota.year))


@require_perm(Perm.MANAGE_QUOTA)
@require_POST
def quota_delete(request: HttpRequest, pk: int) -> HttpResponse:
    quota = get_visible_or_404(TaskQuota, request.user, pk=pk)
    services.quota_delete(actor=Actor.of(request), quota=quota)
    messages.success(request, "任务指标已删除。")
    return redirect(_list_url(quota.year))
