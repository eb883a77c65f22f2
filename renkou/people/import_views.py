"""Import pages (人员导入): template download, upload → check → preview → confirm → result with
progress, and the history of batches in the caller's scope. Every page needs
``people.import_person`` (township and county officers); batches are fetched through the
scoping chokepoint, so another township's batch is a 404; state changes are POST only.
"""

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.accounts.requests import SignedInRequest
from renkou.common import audit, vault
from renkou.common.actors import Actor
from renkou.common.forms import BaseForm
from renkou.common.htmx import render_page
from renkou.common.permissions import require_perm
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.people.importing import batches
from renkou.people.importing.files import FileRefused, Limits
from renkou.people.importing.template import build_template
from renkou.people.models import ImportBatch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(BaseForm):
    file = forms.FileField(
        label="导入文件",
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".xlsx,.xls,.csv"}
        ),
    )
    mode = forms.ChoiceField(
        label="导入方式",
        choices=ImportBatch.Mode.choices,
        initial=ImportBatch.Mode.ALL,
        widget=forms.RadioSelect,
    )


@require_perm(Perm.IMPORT_PERSON)
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    rows = ImportBatch.objects.visible_to(request.user).select_related("job")
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render_page(request, "people/import_list.html", {"page": page}, partial="results")


@require_perm(Perm.IMPORT_PERSON)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = batches.receive(actor=Actor.of(request), upload=data["file"], mode=data["mode"])
        except (FileRefused, batches.ImportRefused) as refused:
            form.add_error("file", str(refused))
        else:
            return redirect("people:import_detail", pk=batch.pk)
    limit_mb = Limits.current().max_bytes // (1024 * 1024)
    return render(request, "people/import_upload.html", {"form": form, "limit_mb": limit_mb})


@require_perm(Perm.IMPORT_PERSON)
@require_GET
def import_template(request: SignedInRequest) -> HttpResponse:
    """The template, its example row in the caller's first village (nothing is recorded)."""
    villages = Unit.objects.current().visible_to(request.user).filter(level=Level.VILLAGE)
    village = villages.order_by("code").values_list("code", flat=True).first()
    response = HttpResponse(build_template(village or request.user.unit_code), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "人员信息导入模板.xlsx")
    return response


@require_perm(Perm.IMPORT_PERSON)
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview (counts, first errors, confirm), progress while busy, and the result."""
    batch = get_visible_or_404(ImportBatch.objects.select_related("job"), request.user, pk=pk)
    context = {
        "batch": batch,
        "modes": ImportBatch.Mode.choices,
        "confirmable": batches.confirmable(batch),
    }
    return render_page(request, "people/import_detail.html", context, partial="status")


@require_perm(Perm.IMPORT_PERSON)
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(ImportBatch, request.user, pk=pk)
    mode = request.POST.get("mode", batch.mode)
    if mode not in ImportBatch.Mode.values:
        mode = batch.mode
    try:
        batches.confirm(actor=Actor.of(request), batch=batch, mode=mode)
    except batches.ImportRefused as refused:
        messages.error(request, str(refused))
    return redirect("people:import_detail", pk=batch.pk)


@require_perm(Perm.IMPORT_PERSON)
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The error report: it holds the uploaded rows in full, so it is scoped and audited."""
    batch = get_visible_or_404(ImportBatch, request.user, pk=pk)
    return report_response(request, batch, action="person.import_report")


def report_response(request: HttpRequest, batch: Any, *, action: str) -> HttpResponseBase:
    """The error report, decrypted: in full for the uploader (who fixes it and uploads it
    again), with numbers masked for anyone else in scope; audited either way."""
    own = batch.owner_id == request.user.pk
    relative = batch.error_report if own else batches.masked_report(batch.error_report)
    report = _report_file(relative if batch.error_report else "")
    meta = batch._meta
    audit.record_request(
        request,
        action=action,
        object_type=f"{meta.app_label}.{meta.model_name}",
        object_id=batch.pk,
        summary="full" if own else "masked",
    )
    name = f"错误报告-{Path(batch.file_name).stem}{'' if own else '（已脱敏）'}.xlsx"
    context = vault.media_context(relative)
    return vault.download(report, context=context, filename=name, content_type=XLSX)


def _report_file(relative: str) -> Path:
    root = batches.media_path("").resolve()
    report = batches.media_path(relative).resolve()
    if not relative or not report.is_relative_to(root) or not report.is_file():
        raise Http404("该批次没有错误报告，或报告已按保留期限清理")
    return report


urlpatterns = [
    path("import/", import_list, name="import_list"),
    path("import/upload/", import_upload, name="import_upload"),
    path("import/template/", import_template, name="import_template"),
    path("import/<int:pk>/", import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", import_confirm, name="import_confirm"),
    path("import/<int:pk>/report/", import_report, name="import_report"),
]
