"""The dashboard (首页 of county officers and leaders), the bureau's 1920×1080 big screen (数据大屏)
and the JSON the big screen refreshes from. Aggregates only: no person appears on any of them.

GET parameters, all optional: ``unit`` (12-digit code inside the caller's subtree, else 404;
default the caller's unit), ``period`` (``renkou.common.periods`` code; default the current
FP year), ``scope`` (registered / resident / managed; default registered) and ``indicator``
(the indicator the sub-units are ranked by).
"""

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from renkou.accounts.constants import Perm
from renkou.assessment import indicators as service_indicators
from renkou.assessment.selectors import progress
from renkou.benefits import figures as benefit_figures
from renkou.common import dates, periods
from renkou.common.permissions import require_perm
from renkou.events.constants import SCOPE_BY_NAME, SCOPE_NAME, Scope
from renkou.geo.constants import Level, full_code
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.reports.dashboard import COMPARED, DEFAULT_RANK, dashboard_data
from renkou.reports.indicators import BY_CODE

REFRESH_SECONDS = 300  # the big screen reloads its figures every 5 minutes


@dataclass
class Selection:
    unit: Unit
    period: periods.Period
    scope: str
    rank: str
    errors: list[str] = field(default_factory=list)

    @property
    def query(self) -> str:
        return urlencode(
            {
                "unit": self.unit.code,
                "period": self.period.code,
                "scope": SCOPE_NAME[self.scope],
                "indicator": self.rank,
            }
        )


def _unit(request: HttpRequest) -> Unit:
    code = request.GET.get("unit", "").strip() or request.user.unit.code
    if code.isdigit() and len(code) < 12:
        code = full_code(code)
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    if unit.level < Level.COUNTY:
        raise Http404("未找到该单位")
    return unit


def _selection(request: HttpRequest) -> Selection:
    sel = Selection(
        _unit(request),
        periods.parse(str(periods.fp_year_of(dates.today()))),
        Scope.REGISTERED,
        DEFAULT_RANK,
    )
    if code := request.GET.get("period", "").strip():
        try:
            sel.period = periods.parse(code)
        except periods.PeriodError as exc:
            sel.errors.append(str(exc))
    if name := request.GET.get("scope", "").strip():
        if name in SCOPE_BY_NAME:
            sel.scope = SCOPE_BY_NAME[name]
        else:
            sel.errors.append(f"无法识别的人口口径“{name}”，已按户籍人口统计")
    if (rank := request.GET.get("indicator", "").strip()) in COMPARED:
        sel.rank = rank
    return sel


def _period_choices(current: periods.Period) -> list[tuple[str, str]]:
    """The current and two previous FP years, their halves, and the last twelve months."""
    today = dates.today()
    year = periods.fp_year_of(today)
    codes = [str(y) for y in (year, year - 1, year - 2)]
    codes += [f"{y}H{h}" for y in (year, year - 1) for h in (1, 2)]
    index = today.year * 12 + today.month - 1
    codes += [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index, index - 12, -1)]
    out = []
    for code in codes:
        try:
            out.append((code, periods.parse(code).label))
        except periods.PeriodError:
            continue
    if current.code not in dict(out):
        out.insert(0, (current.code, current.label))
    return out


def _data(request: HttpRequest, sel: Selection) -> dict[str, Any]:
    return dashboard_data(
        sel.unit.prefix,
        sel.period,
        sel.scope,
        rank=sel.rank,
        person_links=request.user.has_perm(Perm.VIEW_PERSON),
    )


def _as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)


def _table_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The sub-units in ranking order with their figures in column order (for the template)."""
    by_code = {part["code"]: part for part in data["parts"]}
    return [
        {**row, "cells": [by_code[row["code"]]["figures"][c] for c in COMPARED]}
        for row in data["ranking"]["rows"]
    ]


def _crumbs(request: HttpRequest, unit: Unit) -> list[Unit]:
    """The unit's ancestors the caller may open."""
    prefix = request.user.scope_prefix or ""
    return [a for a in unit.ancestors() if a.prefix.startswith(prefix)]


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """The dashboard's template context (also used by the home page of county officers and
    leaders)."""
    sel = _selection(request)
    data = _data(request, sel)
    return {
        "dashboard": data,
        "dashboard_json": _as_json(data),
        "sel": sel,
        "errors": sel.errors,
        "crumbs": _crumbs(request, sel.unit),
        "period_choices": _period_choices(sel.period),
        "scope_choices": [(SCOPE_NAME[s], s.label) for s in Scope],
        "scope_name": SCOPE_NAME[sel.scope],
        "indicator_choices": [(c, BY_CODE[c].name) for c in COMPARED],
        "columns": [BY_CODE[c] for c in COMPARED],
        "table_rows": _table_rows(data),
    }


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/dashboard.html", dashboard_context(request))


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def bigscreen(request: HttpRequest) -> HttpResponse:
    """The read-only 1920×1080 display; it refreshes itself from ``dashboard_data``."""
    sel = _selection(request)
    data = _data(request, sel)
    context = {
        "dashboard": data,
        "dashboard_json": _as_json(data),
        "sel": sel,
        "refresh": REFRESH_SECONDS,
    }
    return render(request, "reports/bigscreen.html", context)


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def dashboard_json(request: HttpRequest) -> HttpResponse:
    """The dashboard figures as JSON (unit codes and names, numbers; never a person)."""
    sel = _selection(request)
    data = _data(request, sel)
    data["errors"] = sel.errors
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def dashboard_services(request: HttpRequest) -> HttpResponse:
    """The dashboard's service panel, loaded after the page (htmx): the coverage indicators of
    the unit (pre-pregnancy coverage, high-risk detection, follow-up rates, RH check rate,
    蓝氧 task completion) and the progress of the yearly task quotas with the veto items at
    risk in red (``renkou.assessment``). Counts only; name lists need 查看个人信息."""
    sel = _selection(request)
    year = periods.fp_year_of(sel.period.end)
    today = dates.today()
    figures = service_indicators.evaluate(sel.unit.prefix, year, today)
    context = {
        "unit": sel.unit,
        "service_figures": list(figures.values()),
        "quota_year": year,
        "quota_progress": progress(sel.unit.prefix, year, today),
        "quota_persons": request.user.has_perm(Perm.VIEW_PERSON),
    }
    return render(request, "reports/dashboard_services.html", context)


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def dashboard_benefits(request: HttpRequest) -> HttpResponse:
    """The dashboard's benefit panel (issue 6 item 7), loaded after the page (htmx; the
    coverage figure screens the register): coverage of the benefit programmes, the payment
    rate and the money paid by programme in the calendar year of the period's end, each to
    the benefit figures page with its name lists. Counts and money only."""
    sel = _selection(request)
    year = sel.period.end.year
    figures = benefit_figures.evaluate(sel.unit.prefix, year, dates.today())
    context = {"unit": sel.unit, "year": year, "figures": list(figures.values())}
    return render(request, "reports/dashboard_benefits.html", context)


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/benefits/", dashboard_benefits, name="dashboard_benefits"),
    path("dashboard/services/", dashboard_services, name="dashboard_services"),
    path("dashboard/data/", dashboard_json, name="dashboard_data"),
    path("bigscreen/", bigscreen, name="bigscreen"),
]
