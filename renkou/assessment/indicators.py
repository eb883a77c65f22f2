"""The service coverage indicators (domain.md §3) per unit, as ``renkou.common.figures.Figure``
like every other figure, so the statistics pages and the API show them beside the others:
pre-pregnancy coverage, high-risk detection, early-pregnancy and outcome follow-up rates, the RH
check rate, and treatment task completion (蓝氧 person-times ÷ the unit's quota). Numerators and
denominators are name-list lengths (``assessment.measures``); coverage's denominator adds the
township's target-population adjustment, which has no names."""

from datetime import date

from renkou.assessment import measures as M
from renkou.assessment.selectors import quota_of
from renkou.common.figures import PERCENT, Figure, NameList, ratio
from renkou.events.constants import SCOPE_NAME
from renkou.geo.constants import full_code

# (code, measure, name)
INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("prepreg_coverage", "prepreg_exam", "孕前优生目标人群覆盖率"),
    ("prepreg_high_risk", "prepreg_high_risk", "高风险人群检出率"),
    ("prepreg_early_followup", "prepreg_early_followup", "早孕随访率"),
    ("prepreg_outcome_followup", "prepreg_outcome_followup", "妊娠结局随访率"),
    ("rh_check_rate", "rh_check", "已婚育龄妇女生殖健康检查率"),
    ("treatment_completion", "treatment", "蓝氧治疗任务完成率"),
)
BY_CODE = {code: (measure, name) for code, measure, name in INDICATORS}


def _names(measure: str, unit_code: str, year: int, side: str) -> NameList:
    query = (("measure", measure), ("side", side), ("year", str(year)))
    return NameList("assessment:names", (unit_code,), query)


def figure(code: str, prefix: str, year: int, today: date, scope: str = M.DEFAULT_SCOPE) -> Figure:
    """One service indicator of the unit ``prefix`` for the FP year, as of ``today``: a rate of
    its measure's two name lists, or for 蓝氧 completion the treatments counted for the unit's
    quota ÷ the quota's number (whose denominator has no names)."""
    measure, name = BY_CODE[code]
    unit_code = full_code(prefix)
    warnings: list[str] = []
    extra: dict = {"measure": measure}
    lists = {"numerator_list": _names(measure, unit_code, year, "done")}
    if code == "treatment_completion":
        quota = quota_of(unit_code, year, measure)
        points = [p.pk for p in quota.service_points.all()] if quota else []
        done, _ = M.counted(measure, prefix, year, today, scope, service_points=points or None)
        denominator = int(quota.target) if quota else None
        if quota is None:
            warnings.append("该单位本年度未下达蓝氧治疗任务")
        extra["veto"] = bool(quota and quota.veto)
        value = None if denominator is None else ratio(done, denominator)
    else:
        done, denominator = M.counted(measure, prefix, year, today, scope)
        extra["adjustment"] = M.adjustment(measure, prefix, year)
        lists["denominator_list"] = _names(measure, unit_code, year, "base")
        value = ratio(done, denominator)
    return Figure(
        code,
        name,
        done,
        denominator,
        value,
        PERCENT,
        1,
        unit_code=prefix,
        period=str(year),
        scope=SCOPE_NAME.get(scope, scope),
        warnings=warnings,
        extra=extra,
        **lists,
    )


def evaluate(
    prefix: str,
    year: int,
    today: date,
    codes: tuple[str, ...] | None = None,
    scope: str = M.DEFAULT_SCOPE,
) -> dict[str, Figure]:
    """The service indicators of one unit (code prefix) and FP year, as of ``today``."""
    return {code: figure(code, prefix, year, today, scope) for code in codes or BY_CODE}
