"""The indicators (domain.md §3): one definition each, used by the dashboard, the statutory
tables, the API and ``manage.py indicators``. Every value carries its numerator, denominator,
period, scope and unit, and both drill down to name lists (``renkou.events.selectors``).

A term is a tally measure read as a *flow* over the period, or as a *stock* at the end of the
day before the period (``start``), at its last day (``end``) or as their mean (``avg``, the
average population of domain.md §3). Rates are not annualised: a month's crude birth rate is
that month's births per thousand average population.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.utils import timezone

from renkou.common.figures import (
    PER_MILLE,
    PERCENT,
    PERSONS,
    RATIO,
    Figure,
    NameList,
    ratio,
    round_half_up,
)
from renkou.common.periods import Period, month_end
from renkou.events import selectors
from renkou.events.constants import AGE_GROUPS, SCOPE_NAME
from renkou.events.presence import add_years
from renkou.events.tally import OTHER_IN, OTHER_OUT, by_report
from renkou.geo.constants import full_code

FLOW, START, END, AVG = "flow", "start", "end", "avg"
SRB_FEW_BIRTHS = 1000  # below this many births a year the sex ratio is noisy (domain.md §3)
FEW_EVENTS = 20  # a rate whose numerator is this small gets a small-numbers warning


@dataclass(frozen=True)
class Term:
    measure: str
    mode: str = FLOW
    sign: int = 1


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...] = ()
    scale: int = 1
    decimals: int = 0
    definition: str = ""
    group: str = "人口"
    sex_ratio: bool = False  # adds a 3-year pooled value and a 95% interval
    tfr: bool = False  # value = 5 × Σ age-specific rates / 1000

    @property
    def terms(self) -> tuple[Term, ...]:
        return self.numerator + self.denominator


def _t(measure: str, mode: str = FLOW, sign: int = 1) -> tuple[Term, ...]:
    return (Term(measure, mode, sign),)


_ASFR = tuple(
    Indicator(
        f"asfr_{lo}_{hi}",
        f"{lo}—{hi}岁年龄别生育率",
        PER_MILLE,
        _t(f"birth_a{lo}"),
        _t(f"w{lo}", AVG),
        1000,
        2,
        f"{lo}—{hi}岁妇女所生活产数 ÷ 该年龄组妇女平均人数 × 1000‰",
        "生育",
    )
    for lo, hi in AGE_GROUPS
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator("births", "出生人数", PERSONS, _t("birth"), definition="期内出生（活产）人数"),
    Indicator("births_male", "出生男婴数", PERSONS, _t("birth_m"), definition="期内出生男婴数"),
    Indicator("births_female", "出生女婴数", PERSONS, _t("birth_f"), definition="期内出生女婴数"),
    Indicator(
        "births_parity1",
        "一孩出生数",
        PERSONS,
        _t("birth_p1"),
        group="生育",
        definition="按统计口径（夫妇双方现有子女加一）计算的第一孩出生数",
    ),
    Indicator(
        "births_parity2",
        "二孩出生数",
        PERSONS,
        _t("birth_p2"),
        group="生育",
        definition="第二孩出生数",
    ),
    Indicator(
        "births_parity3",
        "多孩出生数",
        PERSONS,
        _t("birth_p3"),
        group="生育",
        definition="第三孩及以上出生数",
    ),
    Indicator(
        "births_parity_unknown",
        "孩次不详出生数",
        PERSONS,
        _t("birth_pu"),
        group="生育",
        definition="孩次未能确定的出生数（单列，不计入一孩）",
    ),
    Indicator("deaths", "死亡人数", PERSONS, _t("death"), definition="期内死亡人数"),
    Indicator(
        "moves_in",
        "迁入人数",
        PERSONS,
        (Term("move_in"), Term("within_in")),
        definition="期内迁入本单位的人数（县外迁入 + 县内从其他村迁入）",
    ),
    Indicator(
        "moves_out",
        "迁出人数",
        PERSONS,
        (Term("move_out"), Term("move_within")),
        definition="期内从本单位迁出的人数（迁往县外 + 县内迁往其他村）",
    ),
    Indicator(
        "flows_in",
        "流入人数",
        PERSONS,
        _t("flow_in"),
        definition="期内流入本单位的人数（常住、管理人口增加；户籍人口不变）",
    ),
    Indicator(
        "flows_out",
        "流出人数",
        PERSONS,
        _t("flow_out"),
        definition="期内从本单位流出的人数（常住人口减少；户籍、管理人口不变）",
    ),
    Indicator(
        "other_changes",
        "其他变动",
        PERSONS,
        (Term(OTHER_IN), Term(OTHER_OUT, FLOW, -1)),
        definition="期内没有相应变动记录的人口增减（补录登记、重复或错误登记退出、"
        "退出未登记变动、县内流动等），逐人列出",
    ),
    Indicator(
        "population_start", "期初人口", PERSONS, _t("pop", START), definition="期初前一日末的人口数"
    ),
    Indicator(
        "population_end", "期末人口", PERSONS, _t("pop", END), definition="期末最后一日末的人口数"
    ),
    Indicator(
        "average_population",
        "平均人口",
        PERSONS,
        _t("pop", AVG),
        definition="（期初前一日末人口 + 期末最后一日末人口）÷ 2",
    ),
    Indicator(
        "crude_birth_rate",
        "出生率",
        PER_MILLE,
        _t("birth"),
        _t("pop", AVG),
        1000,
        2,
        "出生人数 ÷ 平均人口 × 1000‰",
    ),
    Indicator(
        "crude_death_rate",
        "死亡率",
        PER_MILLE,
        _t("death"),
        _t("pop", AVG),
        1000,
        2,
        "死亡人数 ÷ 平均人口 × 1000‰",
    ),
    Indicator(
        "natural_growth_rate",
        "人口自然增长率",
        PER_MILLE,
        (Term("birth"), Term("death", FLOW, -1)),
        _t("pop", AVG),
        1000,
        2,
        "（出生人数 − 死亡人数）÷ 平均人口 × 1000‰ = 出生率 − 死亡率",
    ),
    Indicator(
        "general_fertility_rate",
        "一般生育率",
        PER_MILLE,
        _t("birth"),
        _t("w15_49", AVG),
        1000,
        2,
        "出生人数 ÷ 15—49岁妇女平均人数 × 1000‰",
        "生育",
    ),
    *_ASFR,
    Indicator(
        "total_fertility_rate",
        "总和生育率",
        RATIO,
        tuple(Term(f"birth_a{lo}") for lo, _ in AGE_GROUPS),
        _t("w15_49", AVG),
        1,
        2,
        "5 × Σ 五岁组年龄别生育率 ÷ 1000（每名妇女平均生育子女数；县级数据人数少，宜看三年合计）",
        "生育",
        tfr=True,
    ),
    Indicator(
        "sex_ratio_at_birth",
        "出生人口性别比",
        RATIO,
        _t("birth_m"),
        _t("birth_f"),
        100,
        1,
        "出生男婴数 ÷ 出生女婴数 × 100（女婴=100）；正常范围103—107",
        "生育",
        sex_ratio=True,
    ),
    *(
        Indicator(
            f"sex_ratio_parity{k}",
            f"{label}性别比",
            RATIO,
            _t(f"birth_p{k}_m"),
            _t(f"birth_p{k}_f"),
            100,
            1,
            f"{label}男婴数 ÷ {label}女婴数 × 100",
            "生育",
            sex_ratio=True,
        )
        for k, label in ((1, "一孩"), (2, "二孩"), (3, "多孩"))
    ),
    *(
        Indicator(
            f"parity{k}_share",
            f"{label}率",
            PERCENT,
            _t(f"birth_p{k}"),
            _t("birth"),
            100,
            2,
            f"{label}出生数 ÷ 出生人数 × 100%",
            "生育",
        )
        for k, label in ((1, "一孩"), (2, "二孩"), (3, "多孩"))
    ),
    Indicator(
        "policy_compliant_birth_rate",
        "符合政策生育率",
        PERCENT,
        _t("birth_ok"),
        _t("birth"),
        100,
        2,
        "政策属性为“政策内”的出生数 ÷ 出生人数 × 100%（原计划生育率）",
        "生育",
    ),
    Indicator(
        "late_marriage_rate",
        "晚婚率",
        PERCENT,
        _t("fmar_f_late"),
        _t("fmar_f"),
        100,
        2,
        "23岁及以上初婚的女性 ÷ 女性初婚人数 × 100%",
        "婚姻",
    ),
    Indicator(
        "early_marriage_share",
        "早婚比例",
        PERCENT,
        _t("fmar_f_early"),
        _t("fmar_f"),
        100,
        2,
        "19岁及以下初婚的女性 ÷ 女性初婚人数 × 100%",
        "婚姻",
    ),
    Indicator(
        "married_wcba",
        "已婚育龄妇女人数",
        PERSONS,
        _t("mwcba", END),
        group="节育",
        definition="期末15—49岁已婚妇女人数",
    ),
    Indicator(
        "contraceptive_prevalence",
        "综合节育率",
        PERCENT,
        _t("cuser", END),
        _t("mwcba", END),
        100,
        2,
        "期末采取避孕节育措施的已婚育龄妇女 ÷ 已婚育龄妇女 × 100%",
        "节育",
    ),
    Indicator(
        "contraceptive_prevalence_fertile",
        "综合节育率（有生育条件）",
        PERCENT,
        _t("cuser", END),
        (Term("mwcba", END), Term("nofert", END, -1)),
        100,
        2,
        "期末采取避孕节育措施的已婚育龄妇女 ÷（已婚育龄妇女 − 因不孕、绝经未避孕者）× 100%",
        "节育",
    ),
    Indicator(
        "id_entry_rate",
        "身份证录入率",
        PERCENT,
        _t("pop_id", END),
        _t("pop", END),
        100,
        2,
        "期末人口中有有效居民身份号码（校验通过、无例外原因）者 ÷ 期末人口 × 100%",
        "数据质量",
    ),
    Indicator(
        "completeness",
        "信息完整率",
        PERCENT,
        _t("pop_full", END),
        _t("pop", END),
        100,
        2,
        "期末人口中必采项齐全者 ÷ 期末人口 × 100%",
        "数据质量",
    ),
    Indicator(
        "birth_timeliness",
        "出生及时上报率",
        PERCENT,
        _t("birth_timely"),
        _t("birth"),
        100,
        2,
        "次月5日（可配置）前报告的出生数 ÷ 出生人数 × 100%",
        "数据质量",
    ),
)
BY_CODE = {i.code: i for i in INDICATORS}

# Births by the period they happened in (occurrence, the default: the balance and the rates) or
# by the period they were reported in (report: the statutory tables' rule, 统计口径 #4, a birth
# found late counts as a birth of the period it is reported in; docs/indicators.md §4.3).
OCCURRENCE, REPORT = "occurrence", "report"
BIRTHS_BY = (OCCURRENCE, REPORT)


@lru_cache(maxsize=512)
def variant(code: str, births_by: str = OCCURRENCE) -> Indicator:
    """The indicator ``code`` with its birth terms counted by occurrence or by report date."""
    ind = BY_CODE[code]
    if births_by != REPORT:
        return ind

    def swap(terms: tuple[Term, ...]) -> tuple[Term, ...]:
        return tuple(replace(t, measure=by_report(t.measure)) for t in terms)

    return replace(ind, numerator=swap(ind.numerator), denominator=swap(ind.denominator))


def counts_births(ind: Indicator) -> bool:
    return any(t.measure.startswith(("birth", "rbirth")) for t in ind.terms)


HEADLINE = (
    "births",
    "deaths",
    "average_population",
    "crude_birth_rate",
    "crude_death_rate",
    "natural_growth_rate",
    "sex_ratio_at_birth",
    "policy_compliant_birth_rate",
    "contraceptive_prevalence",
    "id_entry_rate",
)


def period_params(period: Period) -> dict[str, str] | None:
    """The year and part of the indicator pages' period picker (``renkou.reports.forms``) that
    name ``period``; None for a run of months they cannot name."""
    code = period.code
    if code.isdigit():
        return {"year": code, "part": "fp"}
    if len(code) == 6 and code[4] in "HQ":
        return {"year": code[:4], "part": code[4:]}
    if len(code) == 7 and code[4] == "-":
        return {"year": code[:4], "part": f"M{code[5:]}"}
    return None


def name_list(
    code: str, prefix: str, side: str, period: Period, scope: str, births_by: str = OCCURRENCE
) -> NameList | None:
    """Where the persons or events behind one side (``numerator``, ``denominator``) of an
    indicator in the unit ``prefix`` are listed (``reports:indicator_list``); None for a period
    the indicator pages cannot name."""
    head = _list_query(period, scope, births_by)
    return None if head is None else _name_list(code, prefix, side, head)


def _name_list(code: str, prefix: str, side: str, head: tuple) -> NameList:
    query = (*head, ("indicator", code), ("side", side))
    return NameList("reports:indicator_list", (full_code(prefix),), query)


def _list_query(
    period: Period, scope: str, births_by: str = OCCURRENCE
) -> tuple[tuple[str, str], ...] | None:
    """The period and scope as the indicator pages read them (None: they cannot name it)."""
    picked = period_params(period)
    if picked is None:
        return None
    extra = (("births_by", REPORT),) if births_by == REPORT else ()
    return (*picked.items(), ("scope", SCOPE_NAME[scope]), *extra)


def _term_value(term: Term, cell: dict, period: Period) -> float:
    if term.mode == FLOW:
        return cell.get((term.measure, "flow"), 0)
    first, last = _day_keys(period.start, period.end)
    start = cell.get((term.measure, first), 0)
    end = cell.get((term.measure, last), 0)
    return start if term.mode == START else end if term.mode == END else (start + end) / 2


@lru_cache(maxsize=256)
def _day_keys(start: date, end: date) -> tuple[str, str]:
    """The stock keys of a period (its day before and its last day), as ``selectors.sums``
    names them: asked for every term of every indicator of every unit of a dashboard."""
    return (start - timedelta(days=1)).isoformat(), end.isoformat()


def _evaluate(
    ind: Indicator, cell: dict, period: Period
) -> tuple[float, float | None, float | None]:
    num = sum(t.sign * _term_value(t, cell, period) for t in ind.numerator)
    if not ind.denominator:
        return num, None, num
    den = sum(t.sign * _term_value(t, cell, period) for t in ind.denominator)
    if ind.tfr:
        total = 0.0
        for (lo, _hi), term in zip(AGE_GROUPS, ind.numerator, strict=True):
            women = _term_value(Term(f"w{lo}", AVG), cell, period)
            total += (_term_value(term, cell, period) / women * 1000) if women else 0.0
        return num, den, (5 * total / 1000 if den else None)
    return num, den, ratio(num, den, ind.scale) if den else None


def needed(indicators: Iterable[Indicator]) -> tuple[set[str], set[str]]:
    flows, stocks = set(), set()
    for ind in indicators:
        terms = list(ind.terms)
        if ind.tfr:
            terms += [Term(f"w{lo}", AVG) for lo, _ in AGE_GROUPS]
        for t in terms:
            (flows if t.mode == FLOW else stocks).add(t.measure)
    return flows, stocks


def shift_years(period: Period, years: int) -> Period:
    end = add_years(period.end, years)
    return replace(
        period,
        code=f"{period.code}{years:+d}y",
        start=add_years(period.start, years),
        end=month_end(end.year, end.month),
    )


def wilson_ratio(male: float, female: float, z: float = 1.96) -> tuple[float, float] | None:
    """95% interval of the sex ratio (males per 100 females) from the Wilson interval of the
    male share p: ratio = 100 p / (1 − p)."""
    n = male + female
    if n == 0:
        return None
    p = male / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = max(centre - half, 0.0), min(centre + half, 1.0)
    to_ratio = lambda q: 100 * q / (1 - q) if q < 1 else math.inf  # noqa: E731
    return to_ratio(lo), to_ratio(hi)


def _add_cells(target: dict, cell: dict) -> None:
    for key, value in cell.items():
        target[key] = target.get(key, 0) + value


def _earlier_years(period: Period) -> list[Period]:
    """The two periods before ``period`` a year and two years earlier (one contiguous span when
    the period is a whole year, so one query reads both)."""
    if add_years(period.start, 1) == period.end + timedelta(days=1):
        return [
            replace(
                period,
                code=f"{period.code}-2y..-1y",
                start=add_years(period.start, -2),
                end=period.day_before,
            )
        ]
    return [shift_years(period, -1), shift_years(period, -2)]


def evaluate(
    codes: Sequence[str],
    *,
    prefix: str,
    period: Period,
    scope: str,
    group_len: int | None = None,
    groups: Iterable[str] = (),
    with_total: bool = False,
    also: Sequence[tuple[str, Period, Sequence[str]]] = (),
    raw: dict | None = None,
    horizon: Any = selectors.READ,
    today: date | None = None,
    births_by: str = OCCURRENCE,
) -> dict[str, dict[str, Figure]]:
    """Figures of ``codes`` for the unit ``prefix`` (group_len None: the unit as a whole) or for
    each of its sub-units (group_len 9: townships), from the tallies (three queries; the
    three-year sex ratio's earlier years come in the same tally query). Sub-units with no
    tally rows in the period appear only when named in ``groups`` (their prefixes), with zeros.
    ``with_total``: the unit as a whole too (key ``prefix``), as the sum of its sub-units'
    counts (every measure is additive). ``also``: more flows read in the same query (see
    ``selectors.sums``), summed over the whole unit into ``raw`` as ``{(measure, label): n}``
    (the dashboard's monthly trend). ``horizon``: the checkpoint horizon if already read.
    ``today`` (default: the local date) tells how much of an unfinished period has passed."""
    today = today or timezone.localdate()
    inds = [variant(c, births_by) for c in codes]
    flows, stocks = needed(inds)
    length = group_len or len(prefix)
    # The sex ratio's two earlier years (its 3-year pooled value) come in the same query.
    sr_flows = sorted({t.measure for i in inds if i.sex_ratio for t in i.terms})
    earlier = (
        [(f"pooled{n}", when, sr_flows) for n, when in enumerate(_earlier_years(period))]
        if sr_flows
        else []
    )
    data = selectors.sums(
        scope=scope,
        prefix=prefix,
        group_len=length,
        flows=flows,
        stocks=stocks,
        period=period,
        stock_days=[period.day_before, period.end],
        also=[*earlier, *also],
        horizon=horizon,
    )
    extra = {(m, label) for label, _when, measures in also for m in measures}
    for cell in data.values():
        for key in extra & cell.keys():
            value = cell.pop(key)
            if raw is not None:
                raw[key] = raw.get(key, 0) + value
    pooled: dict[str, dict] = {}
    for group, cell in data.items():
        for label, _when, measures in earlier:
            for measure in measures:
                key = (measure, "flow")
                pooled.setdefault(group, {})[key] = pooled.get(group, {}).get(key, 0) + cell.pop(
                    (measure, label), 0
                )
    data = {group: cell for group, cell in data.items() if cell}  # earlier years only: not shown
    wanted = sorted(set(data) | set(groups)) if group_len else [prefix]
    if group_len and with_total:
        total, total_pooled = {}, {}
        for cell in data.values():
            _add_cells(total, cell)
        for cell in pooled.values():
            _add_cells(total_pooled, cell)
        data, pooled = {**data, prefix: total}, {**pooled, prefix: total_pooled}
        wanted = [prefix, *wanted]
    head = _list_query(period, scope, births_by)

    def lists(code: str, group: str, side: str) -> NameList | None:
        """The name list of one side (the period's part worked out once: a dashboard has
        hundreds)."""
        return None if head is None else _name_list(code, group, side, head)

    out: dict[str, dict[str, Figure]] = {}
    for group in wanted:
        cell = data.get(group, {})
        figures = {}
        for ind in inds:
            num, den, value = _evaluate(ind, cell, period)
            fig = Figure(
                ind.code,
                ind.name,
                num,
                den,
                value,
                ind.unit,
                ind.decimals,
                unit_code=group,
                period=period.code,
                scope=SCOPE_NAME.get(scope, scope),
                numerator_list=lists(ind.code, group, "numerator"),
                denominator_list=lists(ind.code, group, "denominator") if ind.denominator else None,
            )
            _warn(fig, ind, cell, pooled.get(group, {}), period, today)
            if births_by == REPORT and counts_births(ind):
                fig.extra["births_by"] = REPORT
            figures[ind.code] = fig
        out[group] = figures
    return out


def _warn(
    fig: Figure, ind: Indicator, cell: dict, pooled: dict, period: Period, today: date
) -> None:
    if ind.sex_ratio:
        male, female = fig.numerator, fig.denominator or 0
        births = male + female
        if 0 < births < SRB_FEW_BIRTHS:
            fig.warnings.append(
                f"出生数仅{int(births)}人，性别比波动大，请参考三年合计值和置信区间"
            )
            interval = wilson_ratio(male, female)
            if interval is not None:
                fig.extra["interval_95"] = [
                    round_half_up(x, 1) if math.isfinite(x) else None for x in interval
                ]
        m3 = male + sum(pooled.get((t.measure, "flow"), 0) for t in ind.numerator)
        f3 = female + sum(pooled.get((t.measure, "flow"), 0) for t in ind.denominator)
        fig.extra["pooled_3y"] = round_half_up(m3 / f3 * 100, 1) if f3 else None
        fig.extra["pooled_3y_births"] = int(m3 + f3)
    elif ind.unit in (PER_MILLE, RATIO) and ind.denominator and 0 < abs(fig.numerator) < FEW_EVENTS:
        fig.warnings.append(f"分子仅{int(fig.numerator)}，数值不稳定（小数字）")
    if ind.tfr and fig.numerator < 100:
        fig.warnings.append("出生数少，总和生育率仅供参考，宜看三年合计")
    if is_period_rate(ind) and (short := short_period(period, today)):
        fig.warnings.append(f"{short}，未年化，不能与全年数或年度目标直接比较")


def is_period_rate(ind: Indicator) -> bool:
    """Events over a period per average population (出生率, 总和生育率 …): its value grows with
    the length of the period, so a part of a year gives a part of the yearly rate."""
    return ind.tfr or (
        all(t.mode == FLOW for t in ind.numerator) and any(t.mode == AVG for t in ind.denominator)
    )


def short_period(period: Period, today: date) -> str:
    """How much of a year ``period`` covers, when less than a whole one ("" otherwise): a period
    shorter than a year, or one not yet over (only its days up to ``today`` hold events)."""
    last = min(period.end, today)
    days = (last - period.start).days + 1
    if days <= 0 or days >= 365:
        return ""
    length = f"{days}天" if days < 60 else f"约{round(days / 30.44)}个月"
    if period.end > today:
        return f"本期尚未结束，只含{length}（至{last.month}月{last.day}日）的变动"
    return f"统计期只有{length}"
