"""The dashboard (首页 of county officers and leaders, and the bureau's 数据大屏): the headline
indicators of a unit against its targets, the same for each sub-unit with a ranking, births and
the sex ratio at birth by month, and data-quality alerts (domain.md §3, §11 task 4).

Everything comes from the monthly tallies (``renkou.reports.indicators.evaluate``), never from
the person table, in three queries whatever the size of the register (issue 4 item 7): the
unit, its sub-units, the villages without the overdue monthly report and the tallies'
checkpoint horizon (1); one
``evaluate`` for the sub-units and, as their sum, the unit (1: the period's flows and stock
changes, the pooled sex ratio's two earlier years, the trend's twelve months and the yearly
checkpoints, in one statement); the targets (1).

Every number carries its link: the indicator table of its unit (everyone who sees the
dashboard) and, for accounts that may read persons, the name lists behind its numerator and
denominator. Leaders get no name-list links (they never see a person). The result holds codes,
names of units and numbers only, so it can go to the big screen as JSON.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from renkou.common.figures import Figure, NameList, round_half_up
from renkou.common.periods import (
    Period,
    fp_year,
    fp_year_of,
    month,
    month_key,
    report_deadline,
)
from renkou.events import selectors
from renkou.events.constants import SCOPE_NAME, Scope
from renkou.events.models import MonthlyReport, TallyState
from renkou.geo.constants import Level, full_code
from renkou.geo.models import Unit
from renkou.reports.indicators import (
    BY_CODE,
    HEADLINE,
    SRB_FEW_BIRTHS,
    evaluate,
    name_list,
    period_params,
)
from renkou.reports.models import Target
from renkou.reports.targets import judge, targets_for

QUALITY = ("id_entry_rate", "completeness", "birth_timeliness")
COMPARED = (*HEADLINE, *(c for c in QUALITY if c not in HEADLINE))
DEFAULT_RANK = "natural_growth_rate"
QUALITY_FLOOR = 95.0  # a data-quality rate below this (%) is an alert
SRB_NORMAL = (103.0, 107.0)  # the normal range of the sex ratio at birth (domain.md §3)
TREND_MONTHS = 12
TREND_MEASURES = ("birth", "birth_m", "birth_f")
LEVEL_OF_PREFIX = {6: Level.COUNTY, 9: Level.TOWNSHIP, 12: Level.VILLAGE}
PART_OF_YEAR = "所选期间不是完整的计生年度：比率按期内数计算、未年化，与年度目标的比较仅供参考"
PART_LABEL = {Level.COUNTY: "乡镇", Level.TOWNSHIP: "村（居）"}


@dataclass(frozen=True)
class Links:
    """Where the numbers of one dashboard lead: the indicator page of a unit
    (``reports:indicators``) and the name list behind one side of a figure
    (``reports:indicator_list``, only for accounts that may read persons). A period the
    indicator pages cannot name leads to the dashboard of the unit instead.

    A dashboard has hundreds of links over a few paths and periods, so each path is reversed
    and each period's query encoded once; unit and indicator codes are plain ASCII."""

    period: Period
    scope: str  # the scope's name (registered / resident / managed)
    person_links: bool
    cache: dict = field(default_factory=dict, compare=False)

    def _path(self, name: str, *args: str) -> str:
        key = (name, args)
        if key not in self.cache:
            self.cache[key] = reverse(name, args=args)
        return self.cache[key]

    def _query(self, period: Period | None) -> str | None:
        """The period and scope as the indicator pages read them; None if they cannot."""
        period = period or self.period
        if period.code not in self.cache:
            picked = period_params(period)
            self.cache[period.code] = (
                None if picked is None else urlencode({**picked, "scope": self.scope})
            )
        return self.cache[period.code]

    def table(self, unit_code: str, period: Period | None = None) -> str:
        query = self._query(period)
        if query is None:
            return self.dashboard(unit_code)
        return f"{self._path('reports:indicators')}?unit={unit_code}&{query}"

    def names(self, names: NameList | None) -> str | None:
        """The link to a figure's name list, for accounts that may read persons."""
        if not self.person_links or names is None:
            return None
        key = ("query", names.query)  # the same few queries for every unit of the page
        if key not in self.cache:
            self.cache[key] = urlencode(names.query)
        return f"{self._path(names.view, *names.args)}?{self.cache[key]}"

    def dashboard(self, unit_code: str) -> str:
        query = urlencode({"period": self.period.code, "scope": self.scope})
        return f"{self._path('reports:dashboard')}?unit={unit_code}&{query}"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{round_half_up(value, 1):.1f}"


def _target(fig: Figure) -> dict | None:
    if fig.target is None:
        return None
    return {
        "display": fig.target_display,
        "value": float(fig.target.value),
        "direction": fig.target.direction,
        "met": fig.met,
        "label": fig.verdict,
        "gap": fig.gap,
        "gap_display": fig.gap_display,
    }


def _cell(fig: Figure, links: Links) -> dict:
    return {
        "code": fig.code,
        "name": fig.name,
        "measure_unit": fig.unit_symbol,
        "value": fig.value,
        "display": fig.display,
        "numerator": fig.numerator,
        "numerator_display": _number(fig.numerator),
        "denominator": fig.denominator,
        "denominator_display": _number(fig.denominator),
        "warnings": list(fig.warnings),
        "extra": dict(fig.extra),
        "target": _target(fig),
        "links": {
            "table": links.table(full_code(fig.unit_code)),
            "numerator": links.names(fig.numerator_list),
            "denominator": links.names(fig.denominator_list),
        },
    }


def _cells(figures: dict[str, Figure], targets: dict, links: Links) -> dict:
    return {
        code: _cell(judge(fig, targets.get((full_code(fig.unit_code), code))), links)
        for code, fig in figures.items()
    }


def _lower_first(code: str, prefix: str, targets: dict) -> bool:
    """Rank lower values first when the target is "≤" (the unit's own target, else one of its
    sub-units'), as the indicator page does; otherwise higher first."""
    own = targets.get((full_code(prefix), code))
    found = own or next((t for (_unit, c), t in targets.items() if c == code), None)
    return found is not None and found.direction == Target.Direction.AT_MOST


def _ranking(parts: list[dict], code: str, lower_first: bool) -> list[dict]:
    """Sub-units by the value of one indicator (no value last, unranked); equal values as
    displayed share a rank."""
    sign = 1 if lower_first else -1
    ordered = sorted(
        parts,
        key=lambda p: (
            p["figures"][code]["value"] is None,
            sign * (p["figures"][code]["value"] or 0),
            p["code"],
        ),
    )
    rows: list[dict] = []
    for i, part in enumerate(ordered, 1):
        cell = part["figures"][code]
        shown = cell["display"]
        rank = rows[-1]["rank"] if rows and rows[-1]["display"] == shown else i
        rows.append(
            {
                "rank": rank if cell["value"] is not None else None,
                "code": part["code"],
                "name": part["name"],
                "value": cell["value"],
                "display": shown,
                "target": cell["target"],
                "link": cell["links"]["table"],
                "dashboard": part["dashboard"],
            }
        )
    return rows


def _months(last: date, count: int) -> list[tuple[int, int]]:
    index = last.year * 12 + last.month - 1
    return [divmod(i, 12) for i in range(index - count + 1, index + 1)]


def _trend_months(period: Period, today: date) -> list[Period]:
    """The 12 months that end with the period's last month (or the current month, if the
    period has not ended)."""
    return [month(y, m + 1) for y, m in _months(min(period.end, today), TREND_MONTHS)]


def _trend(
    prefix: str, months: list[Period], scope: str, raw: dict, links: Links, today: date
) -> dict:
    """Births (boys, girls) and the sex ratio at birth in each month of ``months``, from the
    flows ``evaluate`` read beside the figures (``raw``, keyed by measure and month code). A
    month not yet over (the current one) is marked ``partial`` and labelled with the day it
    reaches, so that its short bar is not read as a month with few births."""
    unit_code = full_code(prefix)
    out: dict[str, list] = {
        "months": [],
        "labels": [],
        "births": [],
        "male": [],
        "female": [],
        "sex_ratio": [],
        "table_links": [],
        "birth_links": [],
        "partial": [],
    }
    for one in months:
        y, m = one.start.year, one.start.month
        male, female = raw.get(("birth_m", one.code), 0), raw.get(("birth_f", one.code), 0)
        partial = one.end > today
        out["months"].append(one.code)
        out["labels"].append(f"{y}年{m}月" + (f"（至{today.day}日）" if partial else ""))
        out["partial"].append(partial)
        out["births"].append(raw.get(("birth", one.code), 0))
        out["male"].append(male)
        out["female"].append(female)
        out["sex_ratio"].append(round_half_up(male / female * 100, 1) if female else None)
        out["table_links"].append(links.table(unit_code, period=one))
        out["birth_links"].append(links.names(name_list("births", prefix, "numerator", one, scope)))
    total = sum(out["births"])
    notes = []
    if any(out["partial"]):
        notes.append(f"{today.month}月尚未结束，只计到{today.day}日（浅色柱），不是整月数")
    if total < SRB_FEW_BIRTHS:
        notes.append(f"近{TREND_MONTHS}个月出生{total}人，按月计算的性别比波动很大，仅供参考")
    out["note"] = "；".join(notes)
    return out


def _rate_alerts(name: str, cells: dict) -> list[dict]:
    alerts = []
    for code in QUALITY:
        cell = cells[code]
        if cell["value"] is not None and cell["value"] < QUALITY_FLOOR:
            alerts.append(
                {
                    "kind": code,
                    "level": "warning",
                    "unit": name,
                    "value": cell["value"],
                    "text": f"{name}{cell['name']}{cell['display']}，低于{QUALITY_FLOOR:g}%",
                    "link": cell["links"]["table"],
                }
            )
    cell = cells["sex_ratio_at_birth"]
    value = cell["value"]
    if value is not None and not SRB_NORMAL[0] <= value <= SRB_NORMAL[1]:
        births = int(cell["numerator"] + (cell["denominator"] or 0))
        caveat = f"（出生仅{births}人，小数字波动大，仅供参考）" if births < SRB_FEW_BIRTHS else ""
        alerts.append(
            {
                "kind": "sex_ratio_at_birth",
                "level": "danger" if not caveat else "warning",
                "unit": name,
                "value": value,
                "text": f"{name}出生人口性别比{cell['display']}，超出正常范围"
                f"{SRB_NORMAL[0]:g}—{SRB_NORMAL[1]:g}{caveat}",
                "link": cell["links"]["table"],
            }
        )
    return alerts


def due_month(today: date) -> date:
    """The first day of the latest month whose monthly report is already overdue."""
    y, m = divmod(today.year * 12 + today.month - 2, 12)
    first = date(y, m + 1, 1)
    if today <= report_deadline(first):
        y, m = divmod(first.year * 12 + first.month - 2, 12)
        first = date(y, m + 1, 1)
    return first


def _units(prefix: str, level: int, due: date) -> tuple[dict[str, str], list[tuple[str, str]], Any]:
    """One query: the names of the unit and its sub-units (by prefix), the villages below it
    without the monthly report of ``due`` (code, name) in code order, and the tallies'
    checkpoint horizon (``tally.horizon()``, read along)."""
    reported = MonthlyReport.objects.filter(month=month_key(due), unit_code=OuterRef("code"))
    rows = (
        Unit.objects.current()
        .filter(prefix__startswith=prefix)
        .filter(Q(prefix=prefix) | Q(level=level + 1) | Q(level=Level.VILLAGE))
        .annotate(
            reported=Exists(reported),
            horizon=Subquery(TallyState.objects.order_by("pk").values("horizon")[:1]),
        )
        .order_by("code")
        .values_list("prefix", "code", "name", "level", "reported", "horizon")
    )
    names, late, horizon = {}, [], selectors.READ
    for unit_prefix, code, name, unit_level, has_report, state in rows:
        horizon = state
        if unit_prefix == prefix or unit_level == level + 1:
            names[unit_prefix] = name
        if unit_level == Level.VILLAGE and not has_report:
            late.append((code, name))
    return names, late, horizon


def _late_alerts(
    prefix: str, names: dict[str, str], late: list[tuple[str, str]], due: date
) -> list[dict]:
    """Villages that have not submitted the monthly report (人口动态信息报告单) that is overdue,
    one alert per township."""
    by_town: dict[str, list[str]] = {}
    for code, name in late:  # grouped by township (by the village itself on its own page)
        by_town.setdefault(code[: max(len(prefix), 9)], []).append(name)
    deadline = report_deadline(due)
    overview = reverse("events:monthly_overview")
    return [
        {
            "kind": "late_report",
            "level": "danger",
            "unit": names.get(town, town),
            "value": len(villages),
            "villages": villages,
            "text": f"{names.get(town, town)}有{len(villages)}个村（居）未上报"
            f"{due.year}年{due.month}月人口动态信息报告单（截止{deadline:%m月%d日}）："
            + "、".join(villages),
            "link": f"{overview}?{urlencode({'month': f'{due:%Y-%m}', 'unit': town})}",
        }
        for town, villages in by_town.items()
    ]


def _is_fp_year(period: Period) -> bool:
    whole = fp_year(fp_year_of(period.end))
    return (period.start, period.end) == (whole.start, whole.end)


def _parts(
    prefix: str,
    level: int,
    names: dict[str, str],
    period: Period,
    scope: str,
    targets_year: int,
    links: Links,
    months: list[Period],
    raw: dict,
    horizon: Any,
    today: date,
) -> tuple[dict, list[dict], dict]:
    """The unit's cells, each sub-unit's (in code order) and the targets found; the trend's
    monthly flows go into ``raw`` from the same query."""
    subs = sorted(p for p in names if p != prefix)
    trend = [(one.code, one, TREND_MEASURES) for one in months]
    by_part = {}
    if level < Level.VILLAGE:
        # One evaluation gives the sub-units and, as their sum, the unit itself.
        by_part = evaluate(
            COMPARED,
            prefix=prefix,
            period=period,
            scope=scope,
            group_len=len(prefix) + 3,
            groups=subs,
            with_total=True,
            also=trend,
            raw=raw,
            horizon=horizon,
            today=today,
        )
        own = by_part.pop(prefix)
    else:
        own = evaluate(
            COMPARED,
            prefix=prefix,
            period=period,
            scope=scope,
            also=trend,
            raw=raw,
            horizon=horizon,
            today=today,
        )[prefix]
    targets = targets_for([full_code(p) for p in [prefix, *by_part]], targets_year)
    parts = [
        {
            "code": full_code(p),
            "prefix": p,
            "name": names.get(p, p),
            "figures": _cells(figures, targets, links),
            "dashboard": links.dashboard(full_code(p)),
        }
        for p, figures in sorted(by_part.items())
    ]
    return _cells(own, targets, links), parts, targets


def dashboard_data(
    user_unit_prefix: str,
    period: Period,
    scope: str,
    *,
    person_links: bool = False,
    rank: str = DEFAULT_RANK,
    today: date | None = None,
) -> dict[str, Any]:
    """Everything the dashboard and the big screen show for the unit ``user_unit_prefix``
    (already checked to be in the caller's scope), ``period`` and ``scope`` (R/S/M)."""
    today = today or timezone.localdate()
    prefix = user_unit_prefix
    level = LEVEL_OF_PREFIX[len(prefix)]
    rank = rank if rank in COMPARED else DEFAULT_RANK
    links = Links(period, SCOPE_NAME[scope], person_links)
    due = due_month(today)
    names, late, horizon = _units(prefix, level, due)
    year = fp_year_of(period.end)
    months, raw = _trend_months(period, today), {}
    headline, parts, targets = _parts(
        prefix, level, names, period, scope, year, links, months, raw, horizon, today
    )
    alerts = _rate_alerts(names.get(prefix, prefix), headline)
    for part in parts:
        alerts += _rate_alerts(part["name"], part["figures"])
    alerts += _late_alerts(prefix, names, late, due)
    alerts.sort(key=lambda a: a["level"] != "danger")  # the most serious first (stable)
    notes = [] if _is_fp_year(period) else [PART_OF_YEAR]
    lower_first = _lower_first(rank, prefix, targets)
    return {
        "unit": {
            "code": full_code(prefix),
            "prefix": prefix,
            "name": names.get(prefix, prefix),
            "level": int(level),
        },
        "period": {
            "code": period.code,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "scope": {"code": scope, "name": SCOPE_NAME[scope], "label": Scope(scope).label},
        "target_year": year,
        "notes": notes,
        "indicators": [
            {"code": c, "name": BY_CODE[c].name, "unit": BY_CODE[c].unit} for c in COMPARED
        ],
        "headline": [headline[c] for c in HEADLINE],
        "quality": [headline[c] for c in QUALITY],
        "part_label": PART_LABEL.get(level, ""),
        "parts": parts,
        "ranking": {
            "indicator": rank,
            "name": BY_CODE[rank].name,
            "unit": BY_CODE[rank].unit,
            "lower_first": lower_first,
            "rows": _ranking(parts, rank, lower_first),
        },
        "trend": _trend(prefix, months, scope, raw, links, today),
        "alerts": alerts,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "table_link": links.table(full_code(prefix)),
    }
