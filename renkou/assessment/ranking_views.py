"""Pages of the rankings beyond one board (issue 14 item 4): the townships' places across the
years' frozen results (历年排名), and the county among the prefecture's counties (地区各县市对比)
from figures entered or imported for the other counties. Aggregates only: every assessment role
reads them (a township its own row of the trend); entering and importing the other counties'
figures need ``assessment.manage_scheme`` (county officers)."""

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.assessment import county_import, ranking, services
from renkou.assessment.models import CountyFigure
from renkou.assessment.scheme_forms import CompareForm, CountyFigureForm, CountyImportForm
from renkou.assessment.scheme_views import _county
from renkou.common import dates, xlsx
from renkou.common.actors import Actor
from renkou.common.forms import error_text, styled
from renkou.common.periods import fp_year_of
from renkou.common.permissions import require_perm
from renkou.geo.constants import county_of, full_code
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import unit_names
from renkou.people.importing.files import FileRefused


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def trend(request: HttpRequest) -> HttpResponse:
    """历年排名: each township's rank and total in every year with a frozen result."""
    prefix = request.user.scope_prefix or ""
    found = ranking.trend(county_of(prefix), prefix)
    return render(request, "assessment/trend.html", {"trend": found})


def _compare_url(year: int, measure: str) -> str:
    return f"{reverse('assessment:prefecture')}?year={year}&measure={measure}"


@require_perm(Perm.VIEW_ASSESSMENT)
@require_GET
def prefecture(request: HttpRequest) -> HttpResponse:
    """地区各县市对比: this county (its figure from the system) among the counties entered."""
    measures = ranking.measures()
    form = CompareForm(request.GET or None, measures=measures)
    year, measure = fp_year_of(dates.today()), ranking.TOTAL
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"] or year
        measure = form.cleaned_data["measure"] or measure
    code = full_code(county_of(request.user.scope_prefix or ""))
    county_name = unit_names([code]).get(code, "本县")
    found = ranking.compare(request.user, county_name, year, measure, dates.today())
    can_manage = request.user.has_perm(Perm.MANAGE_SCHEME)
    initial = {"year": year, "measure": measure}
    context = {
        "county_name": county_name,
        "form": styled(CompareForm(initial=initial, measures=measures), small=True),
        "comparison": found,
        "can_manage": can_manage,
        "entry_form": styled(CountyFigureForm(initial=initial, measures=measures))
        if can_manage
        else None,
        "import_form": styled(CountyImportForm(initial={"year": year})) if can_manage else None,
    }
    return render(request, "assessment/prefecture.html", context)


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def county_figure_save(request: HttpRequest) -> HttpResponse:
    form = CountyFigureForm(request.POST, measures=ranking.measures())
    year = fp_year_of(dates.today())
    measure = ranking.TOTAL
    try:
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        data = form.cleaned_data
        year, measure = data["year"], data["measure"]
        services.county_figure_set(actor=Actor.of(request), county=_county(request), **data)
        messages.success(request, f"已保存{data['county_name']}的数值。")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(_compare_url(year, measure))


@require_perm(Perm.MANAGE_SCHEME)
@require_POST
def county_figure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(CountyFigure.objects.all(), request.user, pk=pk)
    year, measure = row.year, row.measure
    services.county_figure_delete(actor=Actor.of(request), figure=row)
    messages.success(request, "已删除。")
    return redirect(_compare_url(year, measure))


@require_perm(Perm.MANAGE_SCHEME)
@require_http_methods(["GET", "POST"])
def county_figures_import(request: HttpRequest) -> HttpResponse:
    """导入各县市数据: a spreadsheet of the other counties' figures; any bad row refuses the
    whole file and every error is listed by row, column and reason."""
    form = CountyImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"year": fp_year_of(dates.today())},
    )
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload, year = form.cleaned_data["file"], form.cleaned_data["year"]
        county = _county(request)
        try:
            saved = _import(request, county, year, upload)
        except county_import.ImportRefused as exc:
            errors = exc.errors
            form.add_error(None, exc.messages[0])
        except (FileRefused, ValidationError) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"已导入 {len(saved)} 条数据。")
            return redirect(_compare_url(year, saved[0].measure))
    context = {
        "form": styled(form),
        "errors": errors[:500],
        "error_count": len(errors),
        "measures": ranking.measures(),
    }
    return render(request, "assessment/county_import.html", context)


@require_perm(Perm.MANAGE_SCHEME)
@require_GET
def county_figures_template(request: HttpRequest) -> HttpResponse:
    """下载模板: the import's workbook, from the importer's own columns."""
    response = HttpResponse(county_import.template(), content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "各县市数据导入模板.xlsx")
    return response


def _import(request: HttpRequest, county: Any, year: int, upload: Any) -> list[CountyFigure]:
    suffix = Path(upload.name).suffix.lower()[:5]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"counties{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        rows = county_import.read(path, upload.name, county=county, year=year)
    return services.county_figures_import(
        actor=Actor.of(request), county=county, year=year, rows=rows
    )
