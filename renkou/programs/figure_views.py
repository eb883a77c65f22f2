"""Figure pages of the pre-pregnancy exam: the target population per township with the county's
adjustment, coverage and follow-up figures per township or village with drill-down name lists.

Counts are aggregate data (``reports.view_aggregate``: leaders too); the name lists need
``people.view_person``, and the list of high-risk persons also ``programs.view_exam_detail``
(who is high risk is a finding). On these aggregate pages a viewer without person access sees
no cell of fewer than 5 below township level ("<5", with complementary suppression).
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from renkou.accounts.constants import Perm
from renkou.common import audit, dates
from renkou.common.actors import Actor
from renkou.common.figures import Figure, grouped
from renkou.common.htmx import render_page
from renkou.common.paging import paginate
from renkou.common.periods import fp_year, fp_year_of
from renkou.common.permissions import require_perm
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.programs import figures, selectors, services
from renkou.programs.forms import TargetForm, UnitYearForm
from renkou.programs.models import TargetPopulation

CHILD_LENGTH = {Level.COUNTY: 9, Level.TOWNSHIP: 12}
SUPPRESSED = "<5"


def _unit_and_year(request: HttpRequest, today: date) -> tuple[Unit, int]:
    """The unit (``?unit=<prefix>``, default the caller's own subtree) and the FP year."""
    form = UnitYearForm(request.GET or None)
    prefix = form.value("unit", request.user.scope_prefix or "")
    unit = get_visible_or_404(Unit.objects.current(), request.user, prefix=prefix)
    return unit, form.value("year", fp_year_of(today))


def _years(today: date) -> list[int]:
    current = fp_year_of(today)
    return list(range(current, current - 5, -1))


# --- coverage ----------------------------------------------------------------------------------


def _cells(figure: Figure, hide_n: bool, hide_d: bool) -> dict[str, Any]:
    hidden = hide_n or hide_d
    return {
        "figure": figure,
        "n": SUPPRESSED if hide_n else figure.numerator,
        "d": SUPPRESSED if hide_d else figure.denominator,
        "value": "—" if hidden else figure.display,
        "behind": figure.behind and not hidden,
        "hidden": hidden,
    }


def _rows(units: list[Unit], table: dict, year: int, suppress: bool) -> list[dict[str, Any]]:
    rows = []
    per_unit = [table.get(u.prefix) or figures.unit_figures(u.prefix, year) for u in units]
    hide: dict[tuple[str, str], list[bool]] = {}
    for code in figures.MEASURES:
        for side, attr in (("n", "numerator"), ("d", "denominator")):
            column = [getattr(row[code], attr) for row in per_unit]
            hide[(code, side)] = figures.small_cells(column) if suppress else [False] * len(units)
    for i, (unit, row) in enumerate(zip(units, per_unit, strict=True)):
        cells = {
            code: _cells(row[code], hide[(code, "n")][i], hide[(code, "d")][i])
            for code in figures.MEASURES
        }
        rows.append({"unit": unit, "cells": cells})
    return rows


def _total(found: dict[str, Figure], suppress: bool) -> dict[str, Any]:
    small = figures.SMALL_CELL
    return {
        code: _cells(f, suppress and f.numerator < small, suppress and f.denominator < small)
        for code, f in found.items()
    }


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """覆盖率与随访: the unit's figures and one row per township (county) or village (township)."""
    today = dates.today()
    unit, year = _unit_and_year(request, today)
    persons = request.user.person_pages_open
    length = CHILD_LENGTH.get(unit.level)
    units = []
    if length:
        level = Level.TOWNSHIP if length == 9 else Level.VILLAGE
        units = list(
            Unit.objects.current()
            .filter(level=level, prefix__startswith=unit.prefix)
            .order_by("code")
        )
    table = figures.table(unit.prefix, year, today, length) if length else {}
    below_township = not persons and unit.level >= Level.TOWNSHIP
    context = {
        "unit": unit,
        "year": year,
        "years": _years(today),
        "period": fp_year(year),
        "measures": figures.MEASURES.values(),
        "persons": persons,
        "total": _total(
            figures.evaluate(unit.prefix, year, today), not persons and unit.level == Level.VILLAGE
        ),
        "rows": _rows(units, table, year, below_township),
        "progress": figures.time_progress(year, today),
        "suppressed": below_township,
        "ancestors": [
            u for u in unit.ancestors() if u.prefix.startswith(request.user.scope_prefix or "")
        ],
    }
    return render_page(request, "programs/coverage.html", context, partial="results")


# --- target population -------------------------------------------------------------------------


def _target_units(user: Any) -> list[Unit]:
    """Townships in the caller's subtree; a village account gets its own village."""
    units = list(
        Unit.objects.current().visible_to(user).filter(level=Level.TOWNSHIP).order_by("code")
    )
    return units or list(Unit.objects.current().visible_to(user).filter(prefix=user.scope_prefix))


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    """目标人群: per township the count from the register, the adjustment and its reason, and the
    target used."""
    today = dates.today()
    _unit, year = _unit_and_year(request, today)
    units = _target_units(request.user)
    rows, totals = [], {"computed": 0, "adjustment": 0, "used": 0}
    adjustments = {
        r.unit_code: r
        for r in TargetPopulation.objects.filter(year=year, unit_code__in=[u.code for u in units])
    }
    scope = request.user.scope_prefix or ""
    length = max(len(scope), 9)
    counts = grouped(figures.target_population(scope, year), "residence_code", length)
    for unit in units:
        computed = counts.get(unit.prefix, 0)
        row = adjustments.get(unit.code)
        added = row.adjustment if row and unit.level == Level.TOWNSHIP else 0
        rows.append(
            {
                "unit": unit,
                "computed": computed,
                "adjustment": added,
                "used": computed + added,
                "row": row,
                "adjustable": unit.level == Level.TOWNSHIP,
            }
        )
        for key, value in (
            ("computed", computed),
            ("adjustment", added),
            ("used", computed + added),
        ):
            totals[key] += value
    context = {
        "rows": rows,
        "totals": totals,
        "year": year,
        "years": _years(today),
        "period": fp_year(year),
        "day": figures.reference_day(year),
        "can_adjust": request.user.has_perm(Perm.MANAGE_TARGET),
        "persons": request.user.person_pages_open,
    }
    return render(request, "programs/target_list.html", context)


@require_perm(Perm.MANAGE_TARGET)
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, code: str) -> HttpResponse:
    """人工调整 of one township's target population (the county)."""
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    today = dates.today()
    year_form = UnitYearForm(request.GET or None)
    year = year_form.value("year", fp_year_of(today))
    back = f"{reverse('programs:target_list')}?{urlencode({'year': year})}"
    if unit.level != Level.TOWNSHIP:
        messages.info(request, "目标人群按乡镇调整，请选择乡镇。")
        return redirect(back)
    row = TargetPopulation.objects.filter(unit_code=unit.code, year=year).first()
    initial = {"adjustment": row.adjustment if row else 0, "reason": row.reason if row else ""}
    form = TargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_adjust(
                actor=Actor.of(request),
                unit=unit,
                year=year,
                adjustment=form.cleaned_data["adjustment"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"{unit.name}{year}年度目标人群已调整。")
            return redirect(back)
    history = (
        list(row.history.select_related("history_user").order_by("-history_date")) if row else []
    )
    context = {
        "unit": unit,
        "year": year,
        "form": form,
        "history": history,
        "computed": figures.target_population(unit.prefix, year).count(),
        "period": fp_year(year),
        "back": back,
    }
    return render(request, "programs/target_form.html", context)


# --- name lists --------------------------------------------------------------------------------


def _name_rows(rows: list[Any], kind: str, today: date) -> list[Any]:
    """Display values for a page of one list (no health detail on any kind of row)."""
    codes = [getattr(r, "residence_code", "") or getattr(r, "unit_code", "") for r in rows]
    names = unit_names(codes)
    for row, code in zip(rows, codes, strict=True):
        row.place = names.get(code, code)
        if kind == "person":
            row.age = row.age_on(today)
    return rows


def _select(rows: Any, kind: str) -> Any:
    related = {
        "person": (),
        "couple": ("wife", "husband"),
        "exam": ("couple", "couple__wife", "couple__husband"),
        "followup": ("couple", "couple__wife"),
    }[kind]
    return rows.select_related(*related) if related else rows


@require_perm(Perm.VIEW_PERSON)
@require_GET
def names(request: HttpRequest, code: str) -> HttpResponse:
    """花名册 behind one side of one figure of a unit: ``?figure=&side=n|d&year=``."""
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    today = dates.today()
    year = UnitYearForm(request.GET or None).value("year", fp_year_of(today))
    figure = request.GET.get("figure", "coverage")
    figure = figure if figure in figures.MEASURES else "coverage"
    side = "d" if request.GET.get("side") == "d" else "n"
    measure = figures.MEASURES[figure]
    part = measure.numerator if side == "n" else measure.denominator
    allowed = not (figure == "high_risk" and side == "n") or request.user.has_perm(
        Perm.VIEW_EXAM_DETAIL
    )
    rows = selectors.names(request.user, figure, side, unit.prefix, year, today)
    page = paginate(request, _select(rows, part.kind) if allowed else rows.none())
    _name_rows(page.object_list, part.kind, today)
    audit.record_request(
        request,
        action="programs.names",
        object_type="geo.unit",
        object_id=unit.code,
        row_count=page.paginator.count,
        summary=f"figure={figure} side={side} year={year}",
    )
    tabs = [
        {
            "side": s,
            "label": p.label,
            "active": s == side,
            "query": urlencode({"figure": figure, "side": s, "year": year}),
        }
        for s, p in (("n", measure.numerator), ("d", measure.denominator))
    ]
    context = {
        "unit": unit,
        "year": year,
        "measure": measure,
        "part": part,
        "page": page,
        "tabs": tabs,
        "allowed": allowed,
        "period": fp_year(year),
        "figure": figures.figure(figure, unit.prefix, year, today),
    }
    return render_page(request, "programs/names.html", context, partial="results")
