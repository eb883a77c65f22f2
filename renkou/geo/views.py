"""Unit and service-network pages (read-only here; the loader command maintains them)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from renkou.common.actors import Actor
from renkou.common.htmx import render_page
from renkou.common.middleware import ClientRequest
from renkou.common.permissions import require_perm
from renkou.geo import selectors, services
from renkou.geo.constants import MANAGE_UNIT, VIEW_UNIT, Level
from renkou.geo.forms import RenameForm, ServicePointForm, VillageGroupForm
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404


@require_perm(VIEW_UNIT)
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "parent", "level")}
    units = selectors.unit_list(request.user, **params)
    page = Paginator(units, _page_size(request)).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "params": params,
        "levels": Level.choices,
        "tree": selectors.unit_tree(request.user),
    }
    return render_page(request, "geo/unit_list.html", context, partial="results")


@require_perm(VIEW_UNIT)
@require_GET
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    history = Unit.objects.filter(code=code).order_by("-valid_from")
    children = unit.children.filter(valid_to__isnull=True).order_by("code")
    context = {
        "unit": unit,
        "history": history,
        "children": children,
        "groups": unit.groups.all(),
        "points": unit.service_points.all(),
    }
    return render(request, "geo/unit_detail.html", context)


def _page_size(request: HttpRequest) -> int:
    size = request.GET.get("size", "10")
    return int(size) if size in {"10", "20", "30", "50"} else 10


def _unit_form(
    request: HttpRequest,
    code: str,
    form_class: type[forms.Form],
    title: str,
    save: Callable[[Unit, dict[str, Any]], None],
) -> HttpResponse:
    """Shared flow of the three maintenance forms: scoped fetch → validate → service → detail."""
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(unit, form.cleaned_data)
        except (ValueError, IntegrityError) as exc:
            form.add_error(None, str(exc) if isinstance(exc, ValueError) else "与已有记录重复")
        else:
            messages.success(request, f"{title}已保存。")
            return redirect("geo:unit_detail", code=unit.code)
    return render(request, "geo/unit_form.html", {"unit": unit, "form": form, "title": title})


@require_perm(MANAGE_UNIT)
@require_http_methods(["GET", "POST"])
def unit_rename(request: ClientRequest, code: str) -> HttpResponse:
    def save(unit: Unit, data: dict[str, Any]) -> None:
        services.unit_rename(actor=Actor.of(request), unit=unit, **data)

    return _unit_form(request, code, RenameForm, "单位更名", save)


@require_perm(MANAGE_UNIT)
@require_http_methods(["GET", "POST"])
def group_add(request: ClientRequest, code: str) -> HttpResponse:
    def save(unit: Unit, data: dict[str, Any]) -> None:
        services.village_group_add(actor=Actor.of(request), village=unit, **data)

    return _unit_form(request, code, VillageGroupForm, "新增村民小组", save)


@require_perm(MANAGE_UNIT)
@require_http_methods(["GET", "POST"])
def servicepoint_add(request: ClientRequest, code: str) -> HttpResponse:
    def save(unit: Unit, data: dict[str, Any]) -> None:
        services.service_point_add(actor=Actor.of(request), unit=unit, **data)

    return _unit_form(request, code, ServicePointForm, "新增服务机构", save)
