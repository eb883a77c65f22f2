"""The service coverage indicators (domain.md §3) per unit, as ``renkou.common.figures.Figure``
like every other figure, so the statistics pages and the API show them beside the others:
pre-pregnancy coverage, high-risk detection, early-pregnancy and outcome follow-up rates, the RH
check rate, and treatment task completion (蓝氧 person-times ÷ the unit's quota). Numerators and
denominators are name-list lengths (``assessment.measures``); coverage's denominator adds the
township's target-population adjustment, which has no names.

Each figure carries the unit's task quota (任务指标) of its measure as its target, with the
quota's veto flag and deadline (docs/indicators.md §9): a rate quota (pre-pregnancy coverage
80 %) is the target itself; a count quota (蓝氧 1,500 person-times) is the denominator of the
completion rate, whose target is 100 %. A unit without a 蓝氧 quota of its own (the county, when
the quotas went to the townships) is measured against the sum of the quotas of the units below
it, with the treatments at all of their counted service points."""

from datetime import date
from decimal import Decimal
from typing import Any

from renkou.assessment import measures as M
from renkou.assessment.models import TaskQuota
from renkou.assessment.selectors import quota_of
from renkou.common.figures import AT_LEAST, PERCENT, Figure, NameList, Target, ratio
from renkou.events.constants import SCOPE_NAME
from renkou.geo.constants import full_code, level_of
from renkou.geo.scope import prefix_range

COMPLETE = Decimal(100)  # a count quota is met at 100 % completion

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
    extra: dict[str, Any] = {"measure": measure}
    lists = {"numerator_list": _names(measure, unit_code, year, "done")}
    quota = quota_of(unit_code, year, measure)
    target = None
    if quota is not None:
        extra.update(veto=quota.veto, deadline=quota.deadline.isoformat())
    if code == "treatment_completion":
        quotas = [quota] if quota is not None else _quotas_below(prefix, year, measure)
        points = sorted({p.pk for q in quotas for p in q.service_points.all()})
        done, _ = M.counted(measure, prefix, year, today, scope, service_points=points or None)
        denominator = sum(int(q.target) for q in quotas) if quotas else None
        if not quotas:
            warnings.append("该单位本年度未下达蓝氧治疗任务")
        elif quota is None:
            extra["summed"] = len(quotas)
            warnings.append(f"本单位未单独下达蓝氧治疗任务，按下级{len(quotas)}个单位的任务合计")
        if quotas:
            target = Target(COMPLETE, AT_LEAST, veto=bool(quota and quota.veto))
        extra.setdefault("veto", False)
        value = None if denominator is None else ratio(done, denominator)
    else:
        done, denominator = M.counted(measure, prefix, year, today, scope)
        extra["adjustment"] = M.adjustment(measure, prefix, year)
        lists["denominator_list"] = _names(measure, unit_code, year, "base")
        value = ratio(done, denominator)
        if quota is not None:
            target = Target(quota.target, AT_LEAST, veto=quota.veto)
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
        target=target,
        warnings=warnings,
        extra=extra,
        **lists,
    )


def _quotas_below(prefix: str, year: int, measure: str) -> list[TaskQuota]:
    """The quotas of ``measure`` set for the units below ``prefix`` — the townships', not also
    their villages' (a village quota is a share of its township's)."""
    rows = (
        TaskQuota.objects.filter(year=year, measure=measure, **prefix_range("unit_code", prefix))
        .exclude(unit_code=full_code(prefix))
        .prefetch_related("service_points")
        .order_by("unit_code")
    )
    quotas = list(rows)
    if not quotas:
        return []
    top = min(level_of(q.unit_code) for q in quotas)
    return [q for q in quotas if level_of(q.unit_code) == top]


def evaluate(
    prefix: str,
    year: int,
    today: date,
    codes: tuple[str, ...] | None = None,
    scope: str = M.DEFAULT_SCOPE,
) -> dict[str, Figure]:
    """The service indicators of one unit (code prefix) and FP year, as of ``today``."""
    return {code: figure(code, prefix, year, today, scope) for code in codes or BY_CODE}
