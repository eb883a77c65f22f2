"""Pages of the service network (issue 17 item 3): the network table per township (opening hours,
the 蓝氧 device, the licence, the renovation; printable), a service point's page with its devices
and licences, and the county officer's forms to keep them. Every object is fetched through the
scoping chokepoint (404 outside the caller's subtree)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from renkou.common import dates
from renkou.common.actors import Actor, ConflictError
from renkou.common.htmx import render_page
from renkou.common.permissions import require_perm
from renkou.geo import network
from renkou.geo.constants import MANAGE_NETWORK, VIEW_UNIT, full_code
from renkou.geo.forms import EquipmentForm, LicenceForm, PointDetailsForm
from renkou.geo.models import Equipment, Licence, ServicePoint
from renkou.geo.scope import get_visible_or_404, prefix_range
from renkou.geo.selectors import service_points, side_tree, unit_names

PAGE_SIZES = {"10", "20", "30", "50", "100"}


def _decorate(points: list[Any]) -> None:
    """Each point's 蓝氧 device, licence and renovation as shown on the table, as of today."""
    today = dates.today()
    for point in points:
        devices = list(point.equipment.all())
        licences = list(point.licences.all())  # latest validity first (Meta.ordering)
        point.blue = network.device_state(devices, Equipment.Kind.BLUE_OXYGEN, today)
        point.licence = licences[0] if licences else None
        point.licence_state = network.licence_state(point.licence, today)
        point.devices_working = sum(d.works_on(today) for d in devices)
        point.devices_total = len(devices)


@require_perm(VIEW_UNIT)
@require_GET
def servicepoint_list(request: HttpRequest) -> HttpResponse:
    """服务网络: the county centre, township stations and village rooms of the caller's subtree,
    by unit (the tree on the left), with the details a network table prints."""
    unit = request.GET.get("unit", "")
    unit = unit if unit.isdigit() and len(unit) <= 12 else ""
    rows = service_points(request.user).prefetch_related("equipment", "licences")
    if unit:
        rows = rows.filter(**prefix_range("unit_code", unit))
    size = request.GET.get("size", "20")
    page = Paginator(rows, int(size) if size in PAGE_SIZES else 20).get_page(
        request.GET.get("page")
    )
    _decorate(list(page))
    names = unit_names([unit]) if unit else {}
    context = {
        "page": page,
        "tree": side_tree(request.user, unit),
        "unit": unit,
        "unit_name": names.get(full_code(unit), "") if unit else "",
        "today": dates.today(),
    }
    return render_page(request, "geo/servicepoint_list.html", context, partial="results")


@require_perm(VIEW_UNIT)
@require_GET
def servicepoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_visible_or_404(
        ServicePoint.objects.select_related("unit").prefetch_related("equipment", "licences"),
        request.user,
        pk=pk,
    )
    _decorate([point])
    today = dates.today()
    devices = list(point.equipment.all())
    for device in devices:
        device.working = device.works_on(today)
    licences = list(point.licences.all())
    for licence in licences:
        licence.state = network.licence_state(licence, today)
    context = {"point": point, "devices": devices, "licences": licences}
    return render(request, "geo/servicepoint_detail.html", context)


def _form_page(
    request: HttpRequest,
    point: ServicePoint,
    title: str,
    form_class: type[forms.Form],
    initial: dict[str, Any],
    save: Callable[[dict[str, Any], int | None], object],
) -> HttpResponse:
    """Shared flow of the network forms: validate → one service call → the point's page; a
    service's field errors go back to their fields, a stale form gets 409."""
    form = form_class(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            save(data, version)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, f"{title}已保存。")
            return redirect("geo:servicepoint_detail", pk=point.pk)
    context = {"point": point, "form": form, "title": title}
    return render(request, "geo/network_form.html", context, status=status)


def _values(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {**{f: getattr(row, f) for f in fields}, "version": row.version}


@require_perm(MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def servicepoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_visible_or_404(ServicePoint.objects.select_related("unit"), request.user, pk=pk)

    def save(data: dict[str, Any], version: int | None) -> object:
        return network.point_update(
            actor=Actor.of(request), point=point, values=data, version=version
        )

    initial = _values(point, network.POINT_FIELDS)
    return _form_page(request, point, "修改机构信息", PointDetailsForm, initial, save)


@require_perm(MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def equipment_add(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_visible_or_404(ServicePoint.objects.select_related("unit"), request.user, pk=pk)

    def save(data: dict[str, Any], version: int | None) -> object:
        return network.equipment_add(actor=Actor.of(request), point=point, values=data)

    return _form_page(request, point, "登记设备", EquipmentForm, {}, save)


@require_perm(MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def equipment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_visible_or_404(
        Equipment.objects.select_related("service_point__unit"), request.user, pk=pk
    )

    def save(data: dict[str, Any], version: int | None) -> object:
        return network.equipment_update(
            actor=Actor.of(request), equipment=device, values=data, version=version
        )

    initial = _values(device, network.EQUIPMENT_FIELDS)
    return _form_page(request, device.service_point, "修改设备", EquipmentForm, initial, save)


@require_perm(MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def licence_add(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_visible_or_404(ServicePoint.objects.select_related("unit"), request.user, pk=pk)

    def save(data: dict[str, Any], version: int | None) -> object:
        return network.licence_add(actor=Actor.of(request), point=point, values=data)

    return _form_page(request, point, "登记执业许可证", LicenceForm, {}, save)


@require_perm(MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def licence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    licence = get_visible_or_404(
        Licence.objects.select_related("service_point__unit"), request.user, pk=pk
    )

    def save(data: dict[str, Any], version: int | None) -> object:
        return network.licence_update(
            actor=Actor.of(request), licence=licence, values=data, version=version
        )

    initial = _values(licence, network.LICENCE_FIELDS)
    return _form_page(request, licence.service_point, "修改执业许可证", LicenceForm, initial, save)
