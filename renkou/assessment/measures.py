"""The service measures that quotas, indicators and the service tables count (domain.md §3
coverage rates, §11 tasks 4 and 8), each figure the length of its name list.

A measure (``renkou.common.figures.Measure``) is a *rate* (numerator ÷ denominator, e.g.
couples examined ÷ target couples) or a *count* (person-times, e.g. blue-oxygen treatments).
Each side is a lister ``(prefix, year, today[, scope]) -> QuerySet`` over a unit code prefix
(county 6, township 9, village 12 digits) and the FP year (``common.periods.fp_year``); the
figure is the list's ``count()``, so a figure and its name list cannot disagree. The
pre-pregnancy measures are ``programs.figures``' own, under the quota codes. The one number
without names is the pre-pregnancy target population's manual adjustment
(``programs.TargetPopulation``), added to that denominator as ``programs.figures`` does.

Lists are not scoped here: callers pass a prefix inside the user's subtree and scope the list
again (``selectors.names``). The reproductive-health measures read ``renkou.programs.counts``
(RH checks, treatments, contraception visits, supplies).
"""

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from renkou.common.figures import PERSON_TIMES, Measure, Side
from renkou.common.periods import Period, fp_year
from renkou.events.constants import Measure as TallyMeasure
from renkou.events.constants import Scope
from renkou.events.models import Spell
from renkou.events.selectors import stock_persons
from renkou.floating import figures as floating_figures
from renkou.geo.constants import TOWNSHIP_LENGTH, county_of
from renkou.geo.scope import prefix_range
from renkou.programs import counts, figures
from renkou.programs.constants import BLUE_OXYGEN
from renkou.programs.models import TargetPopulation

DEFAULT_SCOPE = Scope.REGISTERED  # the scope of the statistics dashboard's married-WCBA figure


def period(year: int) -> Period:
    return fp_year(year)


def stock_day(year: int, today: date) -> date:
    """The day a stock base is counted on: today within the year, else its first or last day."""
    span = period(year)
    return min(max(today, span.start), span.end)


# --- married WCBA and RH checks ----------------------------------------------------------------


def mwcba(prefix: str, year: int, today: date, scope: str = DEFAULT_SCOPE) -> QuerySet:
    """已婚育龄妇女 (the RH check rate's base) at the end of ``stock_day``: the tally's set."""
    day = stock_day(year, today)
    return stock_persons(TallyMeasure.MARRIED_WCBA, scope=scope, prefix=prefix, day=day)


def _mwcba_spells(prefix: str, year: int, today: date, scope: str) -> QuerySet[Spell]:
    """The spells ``stock_persons("mwcba")`` reads, with their unit: the same filter."""
    day = stock_day(year, today)
    return Spell.objects.filter(
        measure=TallyMeasure.MARRIED_WCBA,
        scope=scope,
        start__lte=day,
        **prefix_range("unit_code", prefix),
    ).filter(Q(end__isnull=True) | Q(end__gt=day))


def _checked_in_county(prefix: str, year: int) -> QuerySet:
    """Women with an RH check in the year anywhere in the county (ids)."""
    span = period(year)
    return counts.rh_checked_women(county_of(prefix), span.start, span.end).values("pk")


def mwcba_checked(prefix: str, year: int, today: date, scope: str = DEFAULT_SCOPE) -> QuerySet:
    """Married WCBA of the base with at least one RH check in the year (a subset of the base)."""
    return mwcba(prefix, year, today, scope).filter(pk__in=_checked_in_county(prefix, year))


def _spell_groups(spells: QuerySet, length: int) -> dict[str, int]:
    rows = spells.order_by().annotate(g=Substr("unit_code", 1, length)).values("g")
    return {r["g"]: r["n"] for r in rows.annotate(n=Count("person_id", distinct=True))}


def _mwcba_grouped(prefix: str, year: int, today: date, scope: str, length: int) -> dict:
    return _spell_groups(_mwcba_spells(prefix, year, today, scope), length)


def _checked_grouped(prefix: str, year: int, today: date, scope: str, length: int) -> dict:
    spells = _mwcba_spells(prefix, year, today, scope)
    checked = spells.filter(person_id__in=_checked_in_county(prefix, year))
    return _spell_groups(checked, length)


def rh_checks(prefix: str, year: int, today: date | None = None) -> QuerySet:
    span = period(year)
    return counts.rh_checks(prefix, span.start, span.end)


def rh_abnormal(prefix: str, year: int, today: date | None = None) -> QuerySet:
    return rh_checks(prefix, year, today).filter(abnormal=True)


def treatments_blue(
    prefix: str, year: int, today: date | None = None, service_points: Any = None
) -> QuerySet:
    """蓝氧 treatments (person-times); ``service_points``: records there count too."""
    span = period(year)
    return counts.treatments(
        prefix, span.start, span.end, kind=BLUE_OXYGEN, service_points=service_points
    )


def treatments_all(
    prefix: str, year: int, today: date | None = None, service_points: Any = None
) -> QuerySet:
    span = period(year)
    return counts.treatments(prefix, span.start, span.end, service_points=service_points)


def contraception_visits(prefix: str, year: int, today: date | None = None) -> QuerySet:
    span = period(year)
    return counts.contraception_visits(prefix, span.start, span.end)


def supplies(prefix: str, year: int, today: date | None = None) -> QuerySet:
    span = period(year)
    return counts.supplies(prefix, span.start, span.end)


# --- the registry --------------------------------------------------------------------------------

PREPREG = figures.MEASURES  # the pre-pregnancy measures: the same lists, quota codes of their own


def _count(code: str, name: str, side: Side, definition: str = "") -> Measure:
    return Measure(code, name, side, unit_symbol=PERSON_TIMES, definition=definition)


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "prepreg_exam",
            "孕前优生目标人群覆盖率",
            PREPREG["coverage"].numerator,
            PREPREG["coverage"].denominator,
            adjusted=True,
            definition="年度内接受检查的夫妇数 ÷ 目标人群数（含乡镇人工调整）× 100%",
        ),
        Measure(
            "prepreg_high_risk",
            "高风险人群检出率",
            PREPREG["high_risk"].numerator,
            PREPREG["high_risk"].denominator,
            definition="评估为高风险的受检人数 ÷ 受检人数 × 100%",
        ),
        Measure(
            "prepreg_early_followup",
            "早孕随访率",
            PREPREG["early_follow_up"].numerator,
            PREPREG["early_follow_up"].denominator,
            definition="孕12周内完成的早孕随访 ÷ 应随访怀孕数 × 100%",
        ),
        Measure(
            "prepreg_outcome_followup",
            "妊娠结局随访率",
            PREPREG["outcome_follow_up"].numerator,
            PREPREG["outcome_follow_up"].denominator,
            definition="已随访的妊娠结局 ÷ 应随访的妊娠结局 × 100%",
        ),
        Measure(
            "rh_check",
            "已婚育龄妇女生殖健康检查率",
            Side("接受检查人数", mwcba_checked, "person", by_scope=True, grouper=_checked_grouped),
            Side("已婚育龄妇女数", mwcba, "person", by_scope=True, grouper=_mwcba_grouped),
            definition="年度内接受生殖健康检查的已婚育龄妇女 ÷ 已婚育龄妇女 × 100%",
        ),
        _count("rh_checks", "生殖健康检查人次", Side("检查人次", rh_checks, "rhcheck")),
        _count("rh_abnormal", "检查发现异常人次", Side("异常人次", rh_abnormal, "rhcheck")),
        _count(
            "treatment",
            "蓝氧治疗人次",
            Side("蓝氧治疗人次", treatments_blue, "treatment"),
            "年度内蓝氧治疗人次（按任务完成情况考核）",
        ),
        _count("treatment_all", "妇科治疗人次", Side("治疗人次", treatments_all, "treatment")),
        _count(
            "contraception_visits",
            "避孕节育随访人次",
            Side("随访人次", contraception_visits, "visit"),
        ),
        _count("supplies", "免费避孕药具发放人次", Side("发放人次", supplies, "supply")),
        # 流入育龄妇女婚育证明查验率: defined once in renkou.floating.figures.
        floating_figures.MEASURE,
        # 协查反馈及时率: defined once in renkou.floating.figures (a list of messages).
        floating_figures.TIMELY,
    )
}

# Measures a quota may name (the others are table columns only).
QUOTA_MEASURES = (
    "prepreg_exam",
    "prepreg_high_risk",
    "prepreg_early_followup",
    "prepreg_outcome_followup",
    "rh_check",
    "treatment",
    "treatment_all",
)


# Name lists whose rows are health details (who is high risk, who had an abnormal finding or a
# gynecological treatment): only for holders of programs.view_exam_detail — the technicians and
# the women's own township office — as programs:names does for the same lists (issue 5 item 6;
# docs/prepregnancy.md, docs/rh-services.md). Everyone else sees the counts.
DETAIL_LISTS = frozenset(
    {
        ("prepreg_high_risk", "done"),
        ("rh_abnormal", "done"),
        ("treatment", "done"),
        ("treatment_all", "done"),
    }
)


def detail_allowed(user: Any, code: str, side: str) -> bool:
    return (code, side) not in DETAIL_LISTS or user.has_perm("programs.view_exam_detail")


def done_rows(
    code: str,
    prefix: str,
    year: int,
    today: date,
    scope: str = DEFAULT_SCOPE,
    service_points: Any = None,
) -> QuerySet:
    """The name list of what a measure counts as done (``service_points``: count quotas only)."""
    side = MEASURES[code].numerator
    if service_points and side.kind == "treatment":
        return side.lister(prefix, year, today, service_points=service_points)
    return side.rows(prefix, year, today, scope)


def base_rows(
    code: str, prefix: str, year: int, today: date, scope: str = DEFAULT_SCOPE
) -> QuerySet | None:
    side = MEASURES[code].denominator
    return None if side is None else side.rows(prefix, year, today, scope)


def adjustment(code: str, prefix: str, year: int) -> int:
    """The target-population adjustment added to a rate's base (pre-pregnancy coverage)."""
    return figures.adjustment(prefix, year)[0] if MEASURES[code].adjusted else 0


def counted(
    code: str,
    prefix: str,
    year: int,
    today: date,
    scope: str = DEFAULT_SCOPE,
    service_points: Any = None,
) -> tuple[int, int | None]:
    """(done, base) of one unit: list lengths, the base plus its adjustment."""
    done = done_rows(code, prefix, year, today, scope, service_points).count()
    base = base_rows(code, prefix, year, today, scope)
    if base is None:
        return done, None
    return done, base.count() + adjustment(code, prefix, year)


def grouped_adjustment(code: str, prefix: str, year: int, length: int) -> dict[str, int]:
    """The adjustments by unit one level down (townships: their own; villages: none)."""
    if not MEASURES[code].adjusted or length > TOWNSHIP_LENGTH:
        return {}
    out: dict[str, int] = {}
    rows = TargetPopulation.objects.filter(year=year, **prefix_range("unit_code", prefix))
    for row in rows:
        out[row.unit_code[:length]] = out.get(row.unit_code[:length], 0) + row.adjustment
    return out
