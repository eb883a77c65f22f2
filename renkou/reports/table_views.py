"""Statutory and county tables (domain.md §4): the list of tables; a table for a unit, period
and scope with its 合计 row, every cell linked to its name list; the name list (花名册); .xlsx
and A4 PDF output; submission (上报) with its lock, return (退回) and the county's view of which
townships have submitted.

Figures are aggregates (``reports.view_aggregate``, leaders included). A name list needs
``people.view_person`` and a unit inside the caller's subtree (404 otherwise). Its members are
those counted in that unit in the chosen scope, so a person counted there but managed elsewhere
is listed (masked) without a link to the person page, which the register scopes by managing
unit. Opening a name list is audited (codes only).
"""

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from renkou.accounts.constants import Perm
from renkou.assessment.measures import detail_allowed
from renkou.common import audit, dates, jobs
from renkou.common.actors import Actor
from renkou.common.forms import error_text, typed_text
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.events.constants import SCOPE_NAME, Scope
from renkou.geo.constants import Level, township_of
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.people.models import Person
from renkou.reports import tasks
from renkou.reports.models import TableSubmission
from renkou.reports.tables import choosing, drill, engine, services, xlsx
from renkou.reports.tables.choosing import Choice

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(code: str) -> engine.Table:
    return choosing.table_of(code)


def _choice(request: HttpRequest, data: QueryDict, unit: Unit | None = None) -> Choice:
    return choosing.choose(request.user, data, unit, dates.today())


def _frozen(request: HttpRequest, choice: Choice) -> TableSubmission | None:
    return choosing.frozen(request.user, request.GET, choice)


_result = choosing.result


# --- the table page ------------------------------------------------------------------------------


def _drill_links(choice: Choice) -> Any:
    def url_for(row: engine.Row, leaf: engine.Column) -> str:
        params = {
            "table": choice.table.code,
            "col": leaf.id,
            "period": choice.period.code,
            "scope": SCOPE_NAME[choice.scope],
        }
        if row.row_id:
            params["row"] = row.row_id
        return f"{reverse('reports:table_drill', args=[row.unit_code])}?{urlencode(params)}"

    return url_for


def _unit_options(user: Any, selected: Unit) -> list[dict[str, Any]]:
    """County and townships in scope, and the villages of the chosen or the user's township."""
    shown = Q(level__lte=Level.TOWNSHIP)
    for unit in (selected, user.unit):
        if unit.level >= Level.TOWNSHIP:
            shown |= Q(prefix__startswith=township_of(unit.prefix))
    units = list(Unit.objects.current().visible_to(user).filter(shown).order_by("code"))
    top = min((u.level for u in units), default=Level.COUNTY)
    return [
        {
            "code": u.code,
            "label": "　" * (u.level - top) + u.name,
            "selected": u.code == selected.code,
        }
        for u in units
    ]


def _submission_context(request: HttpRequest, choice: Choice) -> dict[str, Any]:
    unit = choice.unit
    if unit.level not in services.SUBMITTING_LEVELS:
        return {}
    last = services.latest(
        table=choice.table.code, unit_code=unit.code, period=choice.period.code, scope=choice.scope
    )
    can_submit = (
        request.user.has_perm(Perm.SUBMIT_REPORT)
        and unit.code == request.user.unit_code
        and choice.period.end < dates.today()
        and (last is None or last.status == TableSubmission.Status.RETURNED)
    )
    return {"submission": last, "can_submit": can_submit}


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def table_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {"table": t, "periods": "、".join(engine.PERIOD_KINDS[k] for k in t.periods)}
        for t in engine.tables().values()
    ]
    return render(request, "reports/table_list.html", {"rows": rows})


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def table_view(request: HttpRequest) -> HttpResponse:
    choice = _choice(request, request.GET)
    frozen = _frozen(request, choice)
    result = _result(choice, frozen)
    links = _drill_links(choice) if request.user.has_perm(Perm.VIEW_PERSON) else None
    grid = engine.layout(result, links)
    for row in grid["rows"]:
        sub = row["kind"] == "unit" and row["unit_code"] != choice.unit.code
        row["url"] = f"?{choice.query(unit=row['unit_code'])}" if sub else ""
    context = {
        "choice": choice,
        "table": choice.table,
        "result": result,
        "grid": grid,
        "frozen": frozen,
        "tables": engine.tables().values(),
        "unit_options": _unit_options(request.user, choice.unit),
        "period_options": engine.period_options(choice.table, dates.today()),
        "scopes": [(SCOPE_NAME[s], s.label) for s in Scope],
        "scope_name": SCOPE_NAME[choice.scope],
        "scope_label": Scope(choice.scope).label,
        "query": choice.query(),
        "version_query": choice.query(version=str(frozen.version)) if frozen else choice.query(),
        "footnotes": choice.table.footnotes(),
        **_submission_context(request, choice),
    }
    return render(request, "reports/table_view.html", context)


# --- output --------------------------------------------------------------------------------------


def _export(request: HttpRequest) -> tuple[engine.Result, engine.Signature, str]:
    return choosing.export(request.user, request.GET, dates.today())


def _file(data: bytes, filename: str, content_type: str) -> FileResponse:
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename, content_type=content_type
    )


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def table_xlsx(request: HttpRequest) -> HttpResponse:
    result, signature, name = _export(request)
    return _file(xlsx.render(result, signature), f"{name}.xlsx", XLSX)


@require_perm(Perm.VIEW_AGGREGATE)
@require_POST
def table_pdf(request: HttpRequest) -> HttpResponse:
    """The A4 PDF is typeset on the background worker (a few seconds of layout with the CJK
    font): the page queues it and the 后台任务 page shows its progress and the download."""
    choice = _choice(request, request.POST)
    wanted = {k: request.POST.get(k, "") for k in choosing.PARAMS}
    jobs.start(
        task=tasks.table_pdf,
        kind="table_pdf",
        title=f"{choice.table.form_no or choice.table.title} {choice.unit.name} "
        f"{choice.period.label}（PDF）",
        owner=request.user,
        unit_code=choice.unit.code,
        owner_id=request.user.pk,
        params=wanted,
    )
    messages.success(request, "PDF 正在后台生成，完成后可在本页下载。")
    return redirect("system:job_list")


# --- name lists ----------------------------------------------------------------------------------


def _leaf(table: engine.Table, column_id: str) -> engine.Column:
    if not column_id:
        return next(c for c in table.leaves if engine.drillable(table, c))
    leaf = table.column(column_id)
    if leaf is None:
        raise Http404("未找到该栏目")
    return leaf


def _row_id(table: engine.Table, row_id: str) -> str:
    if table.by_units:
        return ""
    fixed = table.fixed_row(row_id) if row_id else table.rows[0]
    if fixed is None:
        raise Http404("未找到该行")
    return fixed.id  # type: ignore[union-attr]  # a table not by units has fixed rows


def _decorate(user: Any, rows: list[drill.DrillRow]) -> None:
    codes = {r.unit_code for r in rows if r.unit_code}
    names = dict(Unit.objects.current().filter(code__in=codes).values_list("code", "name"))
    ids = [r.person.pk for r in rows]
    visible = set(Person.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    for row in rows:
        row.unit_name = names.get(row.unit_code, row.unit_code)
        row.linked = row.person.pk in visible


@require_perm(Perm.VIEW_PERSON)
@require_GET
def table_drill(request: HttpRequest, unit_code: str) -> HttpResponse:
    unit = get_visible_or_404(Unit.objects.current(), request.user, code=unit_code)
    choice = _choice(request, request.GET, unit=unit)
    leaf = _leaf(choice.table, request.GET.get("col", ""))
    row_id = _row_id(choice.table, request.GET.get("row", ""))
    spec = leaf.query or {}
    # A service cell whose rows are health details lists them only for the technicians and the
    # women's own township office (issue 5 item 6); the count stays on the table for everyone.
    allowed = spec.get("kind") != "service" or detail_allowed(
        request.user, spec.get("measure", ""), spec.get("side", "done")
    )
    found = (
        engine.members(
            choice.table,
            leaf.id,
            prefix=unit.prefix,
            period=choice.period,
            scope=choice.scope,
            row_id=row_id,
        )
        if allowed
        else None
    )
    page = paginate(request, found if found is not None else [])
    rows = drill.describe(
        page.object_list, scope=choice.scope, spec=leaf.query or {}, today=dates.today()
    )
    _decorate(request.user, rows)
    audit.record_request(
        request,
        action="report.drilldown",
        object_type="reports.table",
        object_id=choice.table.code,
        row_count=page.paginator.count,
        summary=f"col={leaf.id};unit={unit.code};period={choice.period.code};"
        f"scope={SCOPE_NAME[choice.scope]}",
    )
    context = {
        "choice": choice,
        "table": choice.table,
        "leaf": leaf,
        "page": page,
        "rows": rows,
        "has_list": found is not None,
        "allowed": allowed,
        "scope_label": Scope(choice.scope).label,
        "back": choice.query(),
        "row_label": (choice.table.fixed_row(row_id).label if row_id else ""),
    }
    return render(request, "reports/table_drill.html", context)


# --- submission ----------------------------------------------------------------------------------


@require_perm(Perm.SUBMIT_REPORT)
@require_POST
def table_submit(request: HttpRequest) -> HttpResponse:
    """The caller's own unit submits the chosen table for an ended period."""
    if request.POST.get("table", "") not in engine.tables() or not request.POST.get("period"):
        messages.error(request, "请选择要上报的报表和统计期间")
        return redirect("reports:table_list")
    choice = _choice(request, request.POST, unit=request.user.unit)
    try:
        if choice.error:
            raise ValidationError(choice.error)
        row = services.table_submission_submit(
            actor=Actor.of(request),
            table=choice.table,
            unit=choice.unit,
            period=choice.period,
            scope=choice.scope,
            reviewer=typed_text(request, "reviewer", 200),
        )
        messages.success(
            request,
            f"已上报{choice.table.title}（{choice.period.label}）第{row.version}版，本期报表已锁定",
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(f"{reverse('reports:table_view')}?{choice.query()}")


def _status_rows(user: Any, choice: Choice) -> list[dict[str, Any]]:
    own = user.unit
    units = [*engine.sub_units(own), own] if own.level == Level.COUNTY else [own]
    found = (
        TableSubmission.objects.visible_to(user)
        .filter(
            table=choice.table.code,
            period=choice.period.code,
            scope=choice.scope,
            unit_code__in=[u.code for u in units],
        )
        .select_related("submitted_by")
    )
    latest: dict[str, TableSubmission] = {}
    for row in found:
        if row.unit_code not in latest or row.version > latest[row.unit_code].version:
            latest[row.unit_code] = row
    return [
        {"unit": u, "submission": latest.get(u.code), "query": choice.query(unit=u.code)}
        for u in units
    ]


@require_perm(Perm.SUBMIT_REPORT)
@require_GET
def table_status(request: HttpRequest) -> HttpResponse:
    """Which townships have submitted a table for a period (the county sees them all)."""
    choice = _choice(request, request.GET, unit=request.user.unit)
    rows = _status_rows(request.user, choice)
    missing = sum(1 for r in rows if r["submission"] is None)
    returned = sum(1 for r in rows if r["submission"] and r["submission"].status == "returned")
    context = {
        "choice": choice,
        "table": choice.table,
        "rows": rows,
        "tables": engine.tables().values(),
        "period_options": engine.period_options(choice.table, dates.today()),
        "scopes": [(SCOPE_NAME[s], s.label) for s in Scope],
        "scope_name": SCOPE_NAME[choice.scope],
        "missing": missing,
        "returned": returned,
        "submitted": len(rows) - missing - returned,
        "can_return": request.user.unit.level == Level.COUNTY,
    }
    return render(request, "reports/table_status.html", context)


@require_perm(Perm.SUBMIT_REPORT)
@require_POST
def table_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The county returns a township's latest submitted version with a reason (退回)."""
    submission = get_visible_or_404(TableSubmission, request.user, pk=pk)
    if request.user.unit.level != Level.COUNTY:
        audit.record_request(
            request,
            action="authz.denied",
            object_type="reports.tablesubmission",
            object_id=pk,
            result="denied",
            summary="只有县级可以退回",
        )
        raise PermissionDenied
    try:
        reason = typed_text(request, "reason", 200)
        services.table_submission_return(
            actor=Actor.of(request), submission=submission, reason=reason
        )
        messages.success(request, f"已退回第{submission.version}版，该单位可重新上报")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    params = urlencode(
        {
            "table": submission.table,
            "period": submission.period,
            "scope": SCOPE_NAME.get(submission.scope, "registered"),
        }
    )
    return redirect(f"{reverse('reports:table_status')}?{params}")


urlpatterns = [
    path("tables/", table_list, name="table_list"),
    path("tables/show/", table_view, name="table_view"),
    path("tables/export/xlsx/", table_xlsx, name="table_xlsx"),
    path("tables/export/pdf/", table_pdf, name="table_pdf"),
    path("tables/drill/<str:unit_code>/", table_drill, name="table_drill"),
    path("tables/status/", table_status, name="table_status"),
    path("tables/submit/", table_submit, name="table_submit"),
    path("tables/submissions/<int:pk>/return/", table_return, name="table_return"),
]
