"""The service coverage indicators (domain.md §3) per unit, shaped like
``renkou.reports.indicators.Figure`` so the statistics pages can show them beside the others:
pre-pregnancy coverage, high-risk detection, early-pregnancy and outcome follow-up rates, the RH
check rate, and treatment task completion (蓝氧 person-times ÷ the unit's quota). Numerators and
denominators are name-list lengths (``assessment.measures``); coverage's denominator adds the
township's target-population adjustment, which has no names."""

from dataclasses import dataclass, field
from datetime import date

from renkou.assessment import measures as M
from renkou.assessment.selectors import quota_of

PERCENT = "%"
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


@dataclass
class Figure:
    code: str
    name: str
    unit_symbol: str
    unit_code: str
    period: str
    scope: str
    numerator: float
    denominator: float | None
    value: float | None
    display: str
    warnings: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit_code.ljust(12, "0"),
            "measure_unit": self.unit_symbol,
            "period": self.period,
            "scope": self.scope,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": None if self.value is None else round(self.value, 1),
            "value_unrounded": self.value,
            "value_display": self.display,
            "warnings": list(self.warnings),
            **self.extra,
        }


def _rate(numerator: int, denominator: int | None) -> tuple[float | None, str]:
    if not denominator or denominator <= 0:
        return None, "—"
    value = numerator * 100 / denominator
    return value, f"{value:.1f}%"


def figure(code: str, prefix: str, year: int, today: date, scope: str = M.DEFAULT_SCOPE) -> Figure:
    measure, name = BY_CODE[code]
    unit_code = prefix.ljust(12, "0")
    warnings: list[str] = []
    extra: dict = {"measure": measure}
    if code == "treatment_completion":
        quota = quota_of(unit_code, year, measure)
        points = [p.pk for p in quota.service_points.all()] if quota else []
        done, _ = M.counted(measure, prefix, year, today, scope, service_points=points or None)
        denominator = int(quota.target) if quota else None
        if quota is None:
            warnings.append("该单位本年度未下达蓝氧治疗任务")
        extra["veto"] = bool(quota and quota.veto)
    else:
        done, denominator = M.counted(measure, prefix, year, today, scope)
        extra["adjustment"] = M.adjustment(measure, prefix, year)
    value, display = _rate(done, denominator)
    return Figure(
        code,
        name,
        PERCENT,
        unit_code,
        str(year),
        scope,
        done,
        denominator,
        value,
        display,
        warnings,
        extra,
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
