"""Reads behind the indicator pages, the API and ``manage.py indicators``: the name-list parts of
a figure, the ranking of sub-units, the figures as JSON objects (issue 4 items 3, 4)."""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from renkou.assessment import indicators as service_indicators
from renkou.common.figures import Figure
from renkou.common.periods import Period, fp_year, fp_year_of
from renkou.events import selectors
from renkou.geo.constants import PREFIX_LENGTH, Level, full_code
from renkou.geo.models import Unit
from renkou.reports import targets
from renkou.reports.forms import target_year
from renkou.reports.indicators import (
    AVG,
    BY_CODE,
    END,
    FLOW,
    INDICATORS,
    OCCURRENCE,
    START,
    Indicator,
    evaluate,
    variant,
)
from renkou.reports.models import Target

# --- the name-list parts of a figure ----------------------------------------------------------

MEASURE_LABELS = {
    "birth": "出生",
    "birth_m": "出生男婴",
    "birth_f": "出生女婴",
    "birth_ok": "政策内出生",
    "birth_timely": "按时上报的出生",
    "death": "死亡",
    "pop": "人口",
    "pop_id": "有有效居民身份号码的人口",
    "pop_full": "必采项齐全的人口",
    "w15_49": "15—49岁妇女",
    "mwcba": "已婚育龄妇女",
    "cuser": "采取节育措施的已婚育龄妇女",
    "nofert": "无生育条件的已婚育龄妇女（未避孕：不孕、绝经）",
    "fmar_f": "女性初婚",
    "fmar_f_late": "女性晚婚（23岁及以上初婚）",
    "fmar_f_early": "女性早婚（19岁及以下初婚）",
    "marriage": "结婚",
    "move_in": "县外迁入",
    "within_in": "县内迁入",
    "move_out": "迁往县外",
    "move_within": "县内迁出",
    "flow_in": "流入",
    "flow_out": "流出",
    "o_in": "其他增加",
    "o_out": "其他减少",
}
PARITY = {"1": "一孩", "2": "二孩", "3": "多孩", "u": "孩次不详"}
SEX = {"m": "男婴", "f": "女婴"}


def measure_label(measure: str) -> str:
    if measure.startswith("rbirth"):
        return measure_label(measure[1:]) + "（按报告日期）"
    if measure in MEASURE_LABELS:
        return MEASURE_LABELS[measure]
    parts = measure.split("_")
    if parts[0] == "birth" and parts[1].startswith("p"):
        return PARITY[parts[1][1:]] + (SEX.get(parts[2], "") if len(parts) > 2 else "出生")
    if parts[0] == "birth" and parts[1].startswith("a"):
        lo = int(parts[1][1:])
        return f"{lo}—{lo + 4}岁妇女所生"
    if measure.startswith("w"):
        lo = int(measure[1:])
        return f"{lo}—{lo + 4}岁妇女"
    return measure


@dataclass(frozen=True)
class Part:
    """One name list behind a figure: a term of its numerator or denominator, read at one day
    for a stock. The side's value is Σ sign × weight × rows over its parts."""

    side: str
    term: int
    day: str  # "" for a flow over the period, "start" or "end" for a stock
    measure: str
    sign: int
    weight: float

    @property
    def is_stock(self) -> bool:
        return self.day != ""

    @property
    def lists_persons(self) -> bool:
        """A list of persons (a stock, or the other changes) rather than of events."""
        return self.is_stock or self.measure in selectors.OTHER

    def label(self, period: Period) -> str:
        text = measure_label(self.measure)
        if self.day == "start":
            text += f"（期初，{period.day_before:%Y-%m-%d}日末）"
        elif self.day == "end":
            text += f"（期末，{period.end:%Y-%m-%d}日末）"
        if self.sign < 0:
            text = f"减：{text}"
        return text

    def params(self) -> dict[str, str]:
        return {"side": self.side, "term": str(self.term), "day": self.day}


def parts(ind: Indicator, side: str) -> list[Part]:
    terms = ind.numerator if side == "numerator" else ind.denominator
    out = []
    for i, t in enumerate(terms):
        if t.mode == FLOW:
            out.append(Part(side, i, "", t.measure, t.sign, 1))
        elif t.mode in (START, END):
            out.append(Part(side, i, "start" if t.mode == START else "end", t.measure, t.sign, 1))
        elif t.mode == AVG:
            out.extend(Part(side, i, day, t.measure, t.sign, 0.5) for day in ("start", "end"))
    return out


def part_rows(part: Part, *, scope: str, prefix: str, period: Period) -> Any:
    """The persons (stock) or counted events (flow) of one part, in the unit ``prefix``."""
    if part.is_stock:
        day = period.day_before if part.day == "start" else period.end
        return selectors.stock_persons(part.measure, scope=scope, prefix=prefix, day=day)
    if part.measure in selectors.OTHER:
        return selectors.other_persons(part.measure, scope=scope, prefix=prefix, period=period)
    return selectors.flow_events(part.measure, scope=scope, prefix=prefix, period=period)


def part_count(part: Part, *, scope: str, prefix: str, period: Period) -> int:
    rows = part_rows(part, scope=scope, prefix=prefix, period=period)
    return rows.count() if part.is_stock else len(rows)


@dataclass
class Row:
    figure: Figure  # with its target, if the unit has one
    indicator: Indicator
    unit: Unit | None = None
    name: str = ""
    rank: int | None = None


def lower_units(unit: Unit) -> list[Unit]:
    if unit.level >= Level.VILLAGE:
        return []
    return list(
        Unit.objects.current()
        .filter(level=unit.level + 1, prefix__startswith=unit.prefix)
        .order_by("code")
    )


def ranking(
    unit: Unit, code: str, *, period: Period, scope: str, year: int, births_by: str = OCCURRENCE
) -> tuple[list[Row], bool]:
    """The sub-units of ``unit`` (townships of a county, villages of a township) for one
    indicator, ranked, and whether lower ranks first: lower first when the target (the unit's,
    else one of the sub-units') is "≤", else higher first. Equal values (as displayed) share a
    rank; units without a value come last, unranked."""
    children = lower_units(unit)
    if not children:
        return [], False
    length = PREFIX_LENGTH[Level(unit.level + 1)]
    figures = evaluate(
        [code],
        prefix=unit.prefix,
        period=period,
        scope=scope,
        group_len=length,
        groups=[c.prefix for c in children],
        births_by=births_by,
    )
    by_prefix = {c.prefix: c for c in children}
    found = targets.targets_for([full_code(g) for g in figures] + [unit.code], year)
    ind = variant(code, births_by)
    rows = []
    for group, figs in figures.items():
        fig = targets.judge(figs[code], found.get((full_code(group), code)))
        child = by_prefix.get(group)
        rows.append(Row(fig, ind, child, child.name if child else group))
    own = found.get((unit.code, code)) or next(
        (t for (_u, c), t in found.items() if c == code), None
    )
    lower_first = own is not None and own.direction == Target.Direction.AT_MOST
    valued = [r for r in rows if r.figure.value is not None]
    valued.sort(
        key=lambda r: (
            r.figure.rounded if lower_first else -r.figure.rounded,
            r.unit.code if r.unit else r.name,
        )
    )
    for i, row in enumerate(valued):
        same = i > 0 and valued[i - 1].figure.rounded == row.figure.rounded
        row.rank = valued[i - 1].rank if same else i + 1
    return valued + [r for r in rows if r.figure.value is None], lower_first


def indicator_groups(
    unit: Unit, period: Period, scope: str, year: int, births_by: str = OCCURRENCE
) -> list[tuple[str, list[Row]]]:
    figures = evaluate(
        [i.code for i in INDICATORS],
        prefix=unit.prefix,
        period=period,
        scope=scope,
        births_by=births_by,
    )[unit.prefix]
    targets.attach(figures, unit.code, year)
    grouped: dict[str, list[Row]] = {}
    for ind in INDICATORS:
        row = Row(figures[ind.code], variant(ind.code, births_by))
        grouped.setdefault(ind.group, []).append(row)
    return list(grouped.items())


# --- the figures as JSON objects (the API and ``manage.py indicators``) ------------------------


def figure_rows(
    unit: Unit,
    *,
    period: Period,
    calendar: bool,
    scope: str,
    codes: list[str],
    sub_units: bool = False,
    births_by: str = OCCURRENCE,
) -> list[dict[str, Any]]:
    """The figures of ``codes`` for ``unit`` (and, with ``sub_units``, for each of its
    townships or villages) as JSON objects: ``Figure.as_dict`` plus the period's label and
    days, the unit's name, and ``target``/``direction``/``met``/``gap`` where a target is set."""
    service = [c for c in codes if c in service_indicators.BY_CODE]
    codes = [c for c in codes if c in BY_CODE]
    year = target_year(period, calendar)
    children = lower_units(unit) if sub_units else []
    found = (
        evaluate(codes, prefix=unit.prefix, period=period, scope=scope, births_by=births_by)
        if codes
        else {}
    )
    if children and codes:
        found.update(
            evaluate(
                codes,
                prefix=unit.prefix,
                period=period,
                scope=scope,
                group_len=len(children[0].prefix),
                groups=[c.prefix for c in children],
                births_by=births_by,
            )
        )
    names = {unit.prefix: unit.name, **{c.prefix: c.name for c in children}}
    goals = targets.targets_for([full_code(p) for p in found], year)
    rows = []
    for prefix, figures in found.items():
        for code in codes:
            fig = targets.judge(figures[code], goals.get((full_code(prefix), code)))
            rows.append(
                {
                    **fig.as_dict(),
                    "unit_name": names.get(prefix, ""),
                    "period_label": period.label,
                    "period_start": period.start.isoformat(),
                    "period_end": period.end.isoformat(),
                    "target_year": year,
                }
            )
    if service:
        rows += service_rows(unit, children, period, service)
    return rows


def service_rows(
    unit: Unit, children: list[Unit], period: Period, codes: list[str]
) -> list[dict[str, Any]]:
    """The service coverage indicators (issue 5: pre-pregnancy coverage, high-risk detection,
    follow-up rates, RH check rate, 蓝氧 completion; ``renkou.assessment.indicators``) in the
    same JSON shape. They are yearly: the FP year that contains the period's last day, in the
    registered population, against the units' task quotas rather than indicator targets."""
    year = fp_year_of(period.end)
    whole = fp_year(year)
    today = timezone.localdate()
    rows = []
    for one in [unit, *children]:
        figures = service_indicators.evaluate(one.prefix, year, today, codes=tuple(codes))
        for code in codes:
            fig = figures[code]
            row = {
                **fig.as_dict(),
                "unit_name": one.name,
                "period_label": whole.label,
                "period_start": whole.start.isoformat(),
                "period_end": whole.end.isoformat(),
                "target_year": year,
            }
            if (whole.start, whole.end) != (period.start, period.end):
                row["warnings"] = [*row["warnings"], f"服务覆盖指标按统计年度计算（{whole.label}）"]
            rows.append(row)
    return rows


def target_text(target: Target) -> str:
    """``≤9.31‰``, ``≥96.5%``, ``≤107``: the target as the pages show it."""
    ind = BY_CODE.get(target.indicator)
    return f"{targets.of(target).display}{ind.unit if ind else ''}"
