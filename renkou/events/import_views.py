"""Change-event import pages (变动导入, docs/import-events.md): template download, upload →
check → preview → confirm → result with progress, and the batches of the caller's scope.

The flow and its pieces are the person import's (``renkou.people.importing.batches`` with
``importer.EVENTS``; the upload form and the report download of ``people.import_views``).
Every page needs ``events.import_event`` (township and county officers); batches are fetched
through the scoping chokepoint, so another township's batch is a 404; changes are POST only.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.common.actors import Actor
from renkou.common.htmx import render_page
from renkou.common.permissions import require_perm
from renkou.events.importing import columns
from renkou.events.importing.importer import EVENTS
from renkou.events.models import EventImportBatch
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.people.import_views import XLSX, UploadForm, report_response
from renkou.people.importing import batches
from renkou.people.importing.files import FileRefused, Limits
from renkou.people.importing.template import build_workbook


def _batch(request: HttpRequest, pk: int) -> EventImportBatch:
    return get_visible_or_404(EventImportBatch.objects.select_related("job"), request.user, pk=pk)


@require_perm(Perm.IMPORT_EVENT)
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    rows = EventImportBatch.objects.visible_to(request.user).select_related("job")
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render_page(request, "events/import_list.html", {"page": page}, partial="results")


@require_perm(Perm.IMPORT_EVENT)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file, mode = form.cleaned_data["file"], form.cleaned_data["mode"]
        try:
            batch = batches.receive(
                actor=Actor.of(request), upload=file, mode=mode, importer=EVENTS
            )
        except (FileRefused, batches.ImportRefused) as refused:
            form.add_error("file", str(refused))
        else:
            return redirect("events:import_detail", pk=batch.pk)
    context = {"form": form, "limit_mb": Limits.current().max_bytes // (1024 * 1024)}
    return render(request, "events/import_upload.html", context)


@require_perm(Perm.IMPORT_EVENT)
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The template; its example row names a synthetic mother of the caller's first village."""
    villages = Unit.objects.current().visible_to(request.user).filter(level=Level.VILLAGE)
    village = villages.order_by("code").values_list("code", flat=True).first()
    spec = columns.template(village or request.user.unit_code, timezone.localdate())
    response = HttpResponse(build_workbook(spec), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "人口变动导入模板.xlsx")
    return response


@require_perm(Perm.IMPORT_EVENT)
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview (counts, first errors, confirm), progress while busy, and the result."""
    batch = _batch(request, pk)
    context = {
        "batch": batch,
        "modes": EventImportBatch.Mode.choices,
        "figures": _figures(batch),
        "confirmable": batches.confirmable(batch),
    }
    return render_page(request, "events/import_detail.html", context, partial="status")


def _figures(batch: EventImportBatch) -> list[tuple[str, int, bool]]:
    """The batch's counts as (label, value, shown in red when not 0): what will be recorded
    after the check, what was recorded after the commit."""
    done = batch.status == EventImportBatch.Status.DONE
    if not (batch.total or done):
        return []
    events, persons = (batch.created, batch.updated) if done else (batch.to_create, batch.to_update)
    ahead = "" if done else "将"
    return [
        ("总行数", batch.total, False),
        ("正确", batch.good, False),
        ("错误", batch.bad, True),
        (f"{ahead}登记变动", events, False),
        (f"{ahead}新建人员", persons, False),
        ("已登记（跳过）", batch.unchanged, False),
    ]


@require_perm(Perm.IMPORT_EVENT)
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    mode = request.POST.get("mode", batch.mode)
    if mode not in EventImportBatch.Mode.values:
        mode = batch.mode
    try:
        batches.confirm(actor=Actor.of(request), batch=batch, mode=mode, importer=EVENTS)
    except batches.ImportRefused as refused:
        messages.error(request, str(refused))
    return redirect("events:import_detail", pk=batch.pk)


@require_perm(Perm.IMPORT_EVENT)
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The error report holds the uploaded rows in full: scoped and audited."""
    return report_response(request, _batch(request, pk), action="event.import_report")


urlpatterns = [
    path("import/", import_list, name="import_list"),
    path("import/upload/", import_upload, name="import_upload"),
    path("import/template/", import_template, name="import_template"),
    path("import/<int:pk>/", import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", import_confirm, name="import_confirm"),
    path("import/<int:pk>/report/", import_report, name="import_report"),
]
