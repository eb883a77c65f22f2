"""Forms of the quota pages: one quota's fields, checked on their own; the rules that need the
unit and the year (levels, percent bounds, whole person-times) run in ``assessment.services``."""

from typing import Any

from django import forms

from renkou.assessment import measures as M
from renkou.assessment.models import ResponsibilityEntry
from renkou.common.forms import BaseForm, DateField, ModelMultipleChoiceField, styled
from renkou.geo.constants import Level
from renkou.geo.models import ServicePoint, Unit

DATE_HINT = {"placeholder": "如 2026-09-30"}


class QuotaForm(BaseForm):
    unit = forms.ChoiceField(label="单位")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    measure = forms.ChoiceField(
        label="服务项目", choices=[(c, M.MEASURES[c].name) for c in M.QUOTA_MEASURES]
    )
    target = forms.DecimalField(
        label="目标值",
        max_digits=8,
        decimal_places=1,
        min_value=0,
        help_text="比例项目填百分数（如 80 表示 80%），人次项目填人次",
    )
    deadline = DateField(label="完成期限", widget=forms.TextInput(attrs=DATE_HINT))
    veto = forms.BooleanField(label="一票否决", required=False)
    service_points = ModelMultipleChoiceField(
        label="同时计入的服务机构",
        queryset=ServicePoint.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="仅用于人次项目：在这些机构完成的服务不论服务对象属于哪个乡镇都计入本指标",
    )
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = (
            Unit.objects.current()
            .visible_to(user)
            .filter(level__in=(Level.COUNTY, Level.TOWNSHIP))
            .order_by("code")
        )
        self.fields["unit"].choices = [(u.code, u.name) for u in units]
        self.fields["service_points"].queryset = ServicePoint.objects.visible_to(user).filter(
            is_active=True
        )
        styled(self)


class YearForm(BaseForm):
    """``?unit=<prefix>&year=<FP year>&sort=<measure>``; invalid values are dropped."""

    unit = forms.CharField(required=False, max_length=12)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    sort = forms.CharField(required=False, max_length=40)

    def value(self, name: str, default: Any) -> Any:
        if not self.is_bound or not self.is_valid():
            return default
        found = self.cleaned_data.get(name)
        if name == "unit" and not (found or "").isdigit():
            return default
        return found or default


class ResponsibilityEntryForm(BaseForm):
    """A dated entry of a township's 领导责任档案; the rules live in ``responsibility``."""

    on = DateField(label="日期")
    kind = forms.ChoiceField(
        label="类型", choices=[("", "请选择"), *ResponsibilityEntry.Kind.choices]
    )
    note = forms.CharField(label="内容", max_length=300)
