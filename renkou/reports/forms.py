"""Forms of the indicator and target pages. They validate only; the pages call the writes.

The period picker is two selects, a year and a part of it (the FP year, its halves, a quarter,
a month or the calendar year), read into a period code of ``renkou.common.periods``: the FP
year and its halves are named by the year they end in, quarters, months and the calendar year
by the calendar year.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from renkou.common import periods
from renkou.common.forms import BaseForm, BaseModelForm, styled
from renkou.common.periods import Period, PeriodError
from renkou.events.constants import SCOPE_BY_NAME, Scope
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.reports.indicators import BY_CODE, INDICATORS, OCCURRENCE, REPORT
from renkou.reports.models import Target

FP, CALENDAR = "fp", "cal"
PARTS = [
    (FP, "统计年度"),
    ("H1", "统计年度上半年"),
    ("H2", "统计年度下半年"),
    *((f"Q{q}", f"第{q}季度") for q in range(1, 5)),
    *((f"M{m:02d}", f"{m}月") for m in range(1, 13)),
    (CALENDAR, "日历年（1—12月）"),
]
SCOPE_CHOICES = [(name, Scope(code).label) for name, code in SCOPE_BY_NAME.items()]
SIDES = (("numerator", "分子"), ("denominator", "分母"))
BIRTHS_BY_CHOICES = [
    (OCCURRENCE, "按出生日期"),
    (REPORT, "按报告日期（迟报计入报告期）"),
]
DAYS = (("", "期间内"), ("start", "期初"), ("end", "期末"))


def period_code(year: int, part: str) -> tuple[str, bool]:
    """(period code, calendar?) of a year and a part of the picker."""
    if part == FP:
        return str(year), False
    if part == CALENDAR:
        return str(year), True
    if part.startswith("M"):
        return f"{year}-{part[1:]}", False
    return f"{year}{part}", False


def target_year(period: Period, calendar: bool) -> int:
    """The year whose targets a period is judged against: the calendar year for a calendar
    year, otherwise the FP year its last day falls in (a quarter or month belongs to the FP
    year it is part of)."""
    whole_calendar_year = calendar and period.code.isdigit()
    return period.end.year if whole_calendar_year else periods.fp_year_of(period.end)


def year_choices() -> list[tuple[str, str]]:
    first = periods.stats_start().year
    last = periods.fp_year_of(timezone.localdate()) + 1
    return [(str(y), f"{y}年") for y in range(last, first - 1, -1)]


class PeriodForm(BaseForm):
    """Year, part and scope: the statistical period and population scope of a page."""

    year = forms.TypedChoiceField(label="年份", coerce=int)
    part = forms.ChoiceField(label="期间", choices=PARTS)
    scope = forms.ChoiceField(label="口径", choices=SCOPE_CHOICES)
    births_by = forms.ChoiceField(label="出生统计", choices=BIRTHS_BY_CHOICES)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        today = timezone.localdate()
        defaults = {
            "year": str(periods.fp_year_of(today)),
            "part": FP,
            "scope": "registered",
            "births_by": OCCURRENCE,
        }
        merged = {**defaults, **{k: v for k, v in (data or {}).items() if v not in ("", None)}}
        super().__init__(merged, **kwargs)
        self.fields["year"].choices = year_choices()
        styled(self, small=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        code, calendar = period_code(data["year"], data["part"])
        try:
            data["period"] = periods.parse(code, calendar=calendar)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc
        data["calendar"] = calendar
        data["scope_code"] = SCOPE_BY_NAME[data["scope"]]
        data["target_year"] = target_year(data["period"], calendar)
        return data

    def params(self) -> dict[str, str]:
        """The query string of the chosen period and scope (for links)."""
        data = self.cleaned_data
        out = {"year": str(data["year"]), "part": data["part"], "scope": data["scope"]}
        if data.get("births_by") == REPORT:
            out["births_by"] = REPORT
        return out


class IndicatorPageForm(PeriodForm):
    """The indicator page: period, scope, and the indicator of the comparison table."""

    rank = forms.ChoiceField(
        label="比较指标", required=False, choices=[(i.code, i.name) for i in INDICATORS]
    )


class DrillForm(PeriodForm):
    """Which list behind a figure: the indicator, its numerator or denominator, the term of
    that side, and for an average the day (start or end)."""

    indicator = forms.ChoiceField(choices=[(i.code, i.name) for i in INDICATORS])
    side = forms.ChoiceField(choices=SIDES, required=False)
    term = forms.IntegerField(min_value=0, required=False)
    day = forms.ChoiceField(choices=DAYS, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        ind = BY_CODE[data["indicator"]]
        data["side"] = data.get("side") or "numerator"
        if data["side"] == "denominator" and not ind.denominator:
            data["side"] = "numerator"
        terms = ind.numerator if data["side"] == "numerator" else ind.denominator
        term = data.get("term") or 0
        data["term"] = term if term < len(terms) else 0
        return data


# --- targets --------------------------------------------------------------------------------


def target_units(user: Any) -> list[Unit]:
    """Units a target can be set for: the county and townships in the caller's scope."""
    return list(
        Unit.objects.current()
        .visible_to(user)
        .filter(level__in=(Level.COUNTY, Level.TOWNSHIP))
        .order_by("code")
    )


class TargetForm(BaseModelForm):
    """A yearly target: unit (county or township), year, indicator, direction and value."""

    unit_code = forms.ChoiceField(label="单位")
    indicator = forms.ChoiceField(label="指标")
    value = forms.DecimalField(
        label="目标值",
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("-99999999.99"),
        error_messages={"invalid": "请输入数字，如 9.31"},
    )
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, help_text="统计年度，以结束的年份命名"
    )

    class Meta:
        model = Target
        fields = ["unit_code", "year", "indicator", "direction", "value"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = target_units(user)
        self.fields["unit_code"].choices = (
            [(u.code, f"{'　' * (u.level - units[0].level)}{u.name}") for u in units]
            if units
            else []
        )
        self.fields["indicator"].choices = [
            ("", "请选择"),
            *((i.code, f"{i.name}（{i.unit or '比值'}）") for i in INDICATORS),
        ]
        if not self.is_bound and self.instance.pk is None:
            self.initial.setdefault("year", periods.fp_year_of(timezone.localdate()))
        styled(self, small=True)

    def clean_indicator(self) -> str:
        code = self.cleaned_data["indicator"]
        if code not in BY_CODE:
            raise forms.ValidationError("没有这个指标")
        return code

    def validate_unique(self) -> None:
        """One target per unit, year and indicator (a Chinese message, not Django's)."""
        data = self.cleaned_data
        if not {"unit_code", "year", "indicator"} <= set(data):
            return
        same = Target.objects.filter(
            unit_code=data["unit_code"], year=data["year"], indicator=data["indicator"]
        )
        if self.instance.pk is not None:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            self.add_error("indicator", "该单位本年度已有此指标的目标，请修改原目标")


class TargetFilterForm(BaseForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    indicator = forms.ChoiceField(label="指标", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "全部"), *year_choices()]
        self.fields["indicator"].choices = [("", "全部"), *((i.code, i.name) for i in INDICATORS)]
        styled(self, small=True)
