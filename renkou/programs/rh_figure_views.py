"""服务人次统计: person-times of the reproductive-health services per township (a county) or per
village (a township) for a period — counts only (``reports.view_aggregate``: leaders too).

On this aggregate page a viewer without person access sees no cell of fewer than 5 below
township level ("<5", with complementary suppression, ``figures.small_cells``).
"""

from datetime import date
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from renkou.accounts.constants import Perm
from renkou.common import dates
from renkou.common.htmx import render_page
from renkou.common.periods import Period, PeriodError, fp_year, fp_year_of, parse
from renkou.common.permissions import require_perm
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.programs import counts, figures
from renkou.programs.constants import BLUE_OXYGEN, SMALL_CELL

CHILD_LENGTH = {Level.COUNTY: 9, Level.TOWNSHIP: 12}
SUPPRESSED = "<5"
# (key, label, rows of a prefix and period, what to count: "pk", "person" distinct, or a sum)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("checks", "检查人次"),
    ("checked", "检查人数"),
    ("abnormal", "有异常发现人数"),
    ("treatments", "治疗人次"),
    ("blue", "其中蓝氧治疗"),
    ("visits", "随访人次"),
    ("supplies", "药具发放人次"),
    ("quantity", "发放药具数量"),
)


def _sources(prefix: str, period: Period) -> dict[str, tuple[QuerySet, str]]:
    start, end = period.start, period.end
    checks = counts.rh_checks(prefix, start, end)
    supplies = counts.supplies(prefix, start, end)
    return {
        "checks": (checks, "pk"),
        "checked": (checks, "person"),
        "abnormal": (checks.filter(abnormal=True), "person"),
        "treatments": (counts.treatments(prefix, start, end), "pk"),
        "blue": (counts.treatments(prefix, start, end, kind=BLUE_OXYGEN), "pk"),
        "visits": (counts.contraception_visits(prefix, start, end), "pk"),
        "supplies": (supplies, "pk"),
        "quantity": (supplies, "sum"),
    }


def _measure(rows: QuerySet, how: str) -> Any:
    if how == "sum":
        return Sum("quantity")
    return Count("person", distinct=True) if how == "person" else Count("pk")


def table(prefix: str, period: Period, length: int | None) -> dict[str, dict[str, int]]:
    """{child prefix (or "" for the unit itself): {column: count}}, one query per column."""
    found: dict[str, dict[str, int]] = {}
    for key, (rows, how) in _sources(prefix, period).items():
        rows = rows.order_by()
        if length is None:
            value = rows.aggregate(n=_measure(rows, how))["n"] or 0
            found.setdefault("", {})[key] = value
            continue
        grouped = rows.annotate(g=Substr("unit_code", 1, length)).values("g")
        for item in grouped.annotate(n=_measure(rows, how)):
            found.setdefault(item["g"], {})[key] = item["n"] or 0
    return found


def _period(request: HttpRequest, today: date) -> tuple[Period, str]:
    code = request.GET.get("period", "").strip()
    if not code:
        return fp_year(fp_year_of(today)), ""
    try:
        return parse(code), ""
    except PeriodError as exc:
        return fp_year(fp_year_of(today)), str(exc)


def _cells(values: list[dict[str, int]], suppress: bool) -> list[list[Any]]:
    shown: list[list[Any]] = [[] for _ in values]
    for key, _label in COLUMNS:
        column = [v.get(key, 0) for v in values]
        hide = figures.small_cells(column) if suppress else [False] * len(column)
        for i, (count, hidden) in enumerate(zip(column, hide, strict=True)):
            shown[i].append(SUPPRESSED if hidden else count)
    return shown


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def rh_counts(request: HttpRequest) -> HttpResponse:
    """服务人次: the unit's total and one row per township (county) or village (township)."""
    today = dates.today()
    prefix = request.GET.get("unit", "") or request.user.scope_prefix or ""
    unit = get_visible_or_404(
        Unit.objects.current(), request.user, prefix=prefix if prefix.isdigit() else ""
    )
    period, error = _period(request, today)
    persons = request.user.person_pages_open
    length = CHILD_LENGTH.get(unit.level)
    units: list[Unit] = []
    if length:
        level = Level.TOWNSHIP if length == 9 else Level.VILLAGE
        units = list(
            Unit.objects.current()
            .filter(level=level, prefix__startswith=unit.prefix)
            .order_by("code")
        )
    grouped = table(unit.prefix, period, length) if length else {}
    total = table(unit.prefix, period, None)[""]
    below = not persons and unit.level >= Level.TOWNSHIP
    cells = _cells([grouped.get(u.prefix, {}) for u in units], below)
    village_total = not persons and unit.level == Level.VILLAGE
    total_cells = [
        SUPPRESSED if village_total and total.get(k, 0) < SMALL_CELL else total.get(k, 0)
        for k, _label in COLUMNS
    ]
    context = {
        "unit": unit,
        "period": period,
        "error": error,
        "columns": COLUMNS,
        "persons": persons,
        "rows": list(zip(units, cells, strict=True)),
        "total": total_cells,
        "suppressed": below,
        "code": request.GET.get("period", ""),
        "ancestors": [
            u for u in unit.ancestors() if u.prefix.startswith(request.user.scope_prefix or "")
        ],
    }
    return render_page(request, "programs/rh_counts.html", context, partial="results")
