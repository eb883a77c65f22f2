"""Rankings beyond one board (issue 14 item 4): the townships' places across years from the
frozen results (定格) of earlier years, and the county among the prefecture's counties from the
figures entered for the other counties beside this county's own, read from the system (its
frozen or live county score, the one indicator definition). Aggregates only: no person."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from renkou.assessment import sheets, sources
from renkou.assessment.models import CountyFigure, Scheme, ScoreSnapshot
from renkou.common.periods import fp_year
from renkou.geo.constants import county_of, full_code

TOTAL = "total"
TOTAL_LABEL = "考核总分（地区对县考核）"
# Indicators where the lower figure ranks first (a growth rate, a sex ratio at birth above the
# normal range); every other figure ranks the higher first.
LOWER_FIRST = frozenset({"natural_growth_rate", "sex_ratio_at_birth", "birth_rate"})


# --- trend across years ----------------------------------------------------------------------


@dataclass
class TrendCell:
    rank: int
    total: str
    vetoed: bool


@dataclass
class Trend:
    years: list[int]
    snapshots: dict[int, ScoreSnapshot]
    rows: list[tuple[str, str, list[TrendCell | None]]]  # (unit code, name, one cell a year)


def trend(county: str, prefix: str) -> Trend:
    """Every township's rank and total in each year that has a frozen result: the newest
    published township scheme of the year with a snapshot, its newest version. Rows within
    ``prefix`` only (a township sees its own)."""
    chosen: dict[int, ScoreSnapshot] = {}
    found = (
        ScoreSnapshot.objects.filter(
            scheme__unit_code=full_code(county),
            scheme__level=Scheme.Level.TOWNSHIP,
            scheme__status=Scheme.Status.PUBLISHED,
        )
        .select_related("scheme")
        .order_by("scheme__year", "scheme__version", "version")
    )
    for snap in found:
        chosen[snap.scheme.year] = snap  # the newest scheme version and snapshot win
    years = sorted(chosen)
    names: dict[str, str] = {}
    cells: dict[str, dict[int, TrendCell]] = {}
    for year in years:
        for row in chosen[year].data:
            code = row["unit"]
            if not code.startswith(prefix):
                continue
            names[code] = row["unit_name"]
            cells.setdefault(code, {})[year] = TrendCell(
                row["rank"], row["total"], bool(row.get("vetoes"))
            )
    rows = [(code, names[code], [cells[code].get(y) for y in years]) for code in sorted(cells)]
    return Trend(years, chosen, rows)


# --- the county among the prefecture's counties ----------------------------------------------


def measures() -> list[tuple[str, str]]:
    """What may be compared: the assessment total and every statistics indicator."""
    kind = sources.kinds().get("indicator")
    return [(TOTAL, TOTAL_LABEL), *(kind.choices() if kind else [])]


@dataclass
class CountyRow:
    name: str
    value: Decimal | None
    own: bool = False
    rank: int = 0
    figure: CountyFigure | None = None
    note: str = ""


@dataclass
class Comparison:
    year: int
    measure: str
    label: str
    lower_first: bool
    rows: list[CountyRow] = field(default_factory=list)

    @property
    def own(self) -> CountyRow | None:
        return next((r for r in self.rows if r.own), None)


def own_total(county: str, year: int, on: date) -> tuple[Decimal | None, str]:
    """This county's own total for the year: the newest county-level scheme's frozen result
    if there is one, else its live score as of ``on``."""
    scheme = (
        Scheme.objects.filter(
            unit_code=full_code(county),
            year=year,
            level=Scheme.Level.COUNTY,
            status=Scheme.Status.PUBLISHED,
        )
        .order_by("-version")
        .first()
    )
    if scheme is None:
        return None, "本县尚无该年度的县级考核方案"
    snap = scheme.snapshots.order_by("-version").first()
    if snap is not None and snap.data:
        return Decimal(snap.data[0]["total"]), f"{scheme.label}定格第{snap.version}版"
    found = sheets.compute(scheme, on)
    if not found:
        return None, "本县尚无评分"
    return found[0].total, f"{scheme.label}，截至{on:%Y-%m-%d}实时得分"


def own_indicator(county: str, code: str, year: int, on: date) -> tuple[Decimal | None, str]:
    kind = sources.kinds().get("indicator")
    if kind is None:
        return None, ""
    when = min(on, fp_year(year).end)
    reading = kind.read([code], county=county, units=[county], year=year, on=when).get(
        (county, code)
    )
    if reading is None or reading.value is None:
        return None, "无数据"
    return Decimal(str(reading.value)), f"系统计算，截至{when:%Y-%m-%d}"


def rank(rows: list[CountyRow], *, lower_first: bool) -> None:
    """Equal figures share a place (1, 1, 3); a county without a figure comes last, unranked."""
    known = [r for r in rows if r.value is not None]
    known.sort(key=lambda r: (r.value if lower_first else -r.value, r.name))  # type: ignore[operator]  # None filtered out above
    previous: Decimal | None = None
    shared = 0
    for position, row in enumerate(known, 1):
        if row.value != previous:
            shared, previous = position, row.value
        row.rank = shared
    rows[:] = known + sorted((r for r in rows if r.value is None), key=lambda r: r.name)


def compare(user: Any, county_name: str, year: int, measure: str, on: date) -> Comparison:
    """This county and the counties entered for ``year`` and ``measure``, ranked."""
    county = county_of(getattr(user, "scope_prefix", "") or "")
    labels = dict(measures())
    lower_first = measure in LOWER_FIRST
    result = Comparison(year, measure, labels.get(measure, measure), lower_first)
    if measure == TOTAL:
        value, note = own_total(county, year, on)
    else:
        value, note = own_indicator(county, measure, year, on)
    result.rows.append(CountyRow(county_name, value, own=True, note=note))
    for figure in (
        CountyFigure.objects.visible_to(user)
        .filter(unit_code=full_code(county), year=year, measure=measure)
        .select_related("entered_by")
    ):
        result.rows.append(
            CountyRow(figure.county_name, figure.value, figure=figure, note=figure.note)
        )
    rank(result.rows, lower_first=lower_first)
    return result
