"""Forms of the reproductive-health service pages. They check one form's input on its own (dates,
choices, numbers); the clinic's rules that need the person, her card or other records run in
``programs.rh_services``. ID numbers are typed into POST forms only, never put into a URL."""

from datetime import date
from typing import Any

from django import forms

from renkou.common import dicts
from renkou.common.forms import INT_MAX, BaseForm, styled
from renkou.geo.constants import county_of
from renkou.geo.models import ServicePoint
from renkou.people.forms import NAME_PATTERN, looks_like_number
from renkou.people.models import Person
from renkou.programs.constants import (
    FINDING_DICT,
    REASON_METHODS,
    SUPPLY_DICT,
    TREATMENT_DICT,
    FollowUpMethod,
    VisitReason,
    VisitResult,
)
from renkou.programs.forms import PICK, Form, _date
from renkou.programs.models import RHCheck
from renkou.programs.rh_services import CLINIC_KINDS

TEXTAREA = {"rows": 2}


def _points(person: Person, clinics: bool) -> Any:
    rows = ServicePoint.objects.filter(
        is_active=True, unit_code__startswith=county_of(person.unit_code)
    )
    if clinics:
        rows = rows.filter(kind__in=CLINIC_KINDS)
    return rows.order_by("unit_code", "kind", "name")


def _point_field(person: Person, label: str, *, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=_points(person, required),
        required=required,
        empty_label="请选择",
        error_messages={"required": f"请选择{label}", "invalid_choice": "请选择本县在用的服务机构"},
    )


class RecordForm(Form):
    """A service record's form; ``version`` carries the optimistic lock of an edit."""

    version = forms.IntegerField(required=False, max_value=INT_MAX, widget=forms.HiddenInput)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        self.person = person
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class RHCheckForm(RecordForm):
    checked_on = _date("检查日期")
    service_point = forms.ModelChoiceField(queryset=ServicePoint.objects.none())
    examiner = forms.CharField(label="检查医生", max_length=50)
    consent_on = _date("知情同意日期")
    findings = forms.MultipleChoiceField(
        label="检查发现",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项检查发现"},
    )
    finding_notes = forms.CharField(
        label="检查所见", required=False, max_length=1000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    advice = forms.CharField(
        label="治疗建议", required=False, max_length=1000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    referred = forms.BooleanField(label="转诊", required=False)
    referral_to = forms.CharField(label="转诊机构及说明", required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_point"] = _point_field(self.person, "检查机构")
        self.fields["findings"].choices = dicts.choices(FINDING_DICT)
        styled(self)


class TreatmentForm(RecordForm):
    treated_on = _date("治疗日期")
    service_point = forms.ModelChoiceField(queryset=ServicePoint.objects.none())
    kind = forms.ChoiceField(label="治疗方式", error_messages={"required": "请选择治疗方式"})
    rh_check = forms.ModelChoiceField(
        label="来自检查（可不选）",
        required=False,
        queryset=RHCheck.objects.none(),
        empty_label="不关联",
    )
    doctor = forms.CharField(label="治疗医生", max_length=50)
    consent_on = _date("知情同意日期")
    diagnosis = forms.CharField(label="诊断", max_length=500, widget=forms.Textarea(attrs=TEXTAREA))
    notes = forms.CharField(
        label="治疗情况", required=False, max_length=1000, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_point"] = _point_field(self.person, "治疗机构")
        self.fields["kind"].choices = PICK + dicts.choices(TREATMENT_DICT)
        checks = RHCheck.objects.live().filter(person=self.person).order_by("-checked_on")
        self.fields["rh_check"].queryset = checks
        self.fields["rh_check"].label_from_instance = lambda c: f"{c.checked_on:%Y-%m-%d} 检查"
        styled(self)


class VisitForm(RecordForm):
    visited_on = _date("随访日期")
    reason = forms.ChoiceField(label="随访原因", choices=VisitReason.choices)
    method = forms.ChoiceField(
        label="随访方式",
        choices=PICK + FollowUpMethod.choices,
        error_messages={"required": "请选择随访方式"},
    )
    result = forms.ChoiceField(
        label="随访结果",
        choices=PICK + VisitResult.choices,
        error_messages={"required": "请选择随访结果"},
    )
    visitor = forms.CharField(label="随访人", max_length=50)
    notes = forms.CharField(
        label="随访情况", required=False, max_length=1000, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args: Any, reasons: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(r, VisitReason(r).label) for r in reasons]
        styled(self)


def reasons_for(method: str | None, ended: bool) -> list[str]:
    """The follow-up reasons that fit an episode's method (insertion, and removal once ended);
    ``None``: a pregnancy (after an abortion)."""
    if method is None:
        return [VisitReason.ABORTION]
    fits = [
        r
        for r, (methods, removal) in REASON_METHODS.items()
        if method in methods and (ended or not removal)
    ]
    return sorted(fits, key=lambda r: (REASON_METHODS[r][1], r))


class SupplyForm(RecordForm):
    issued_on = _date("发放日期")
    product = forms.ChoiceField(label="药具品种", error_messages={"required": "请选择药具品种"})
    quantity = forms.IntegerField(
        label="数量", min_value=1, max_value=500, error_messages={"required": "请填写数量"}
    )
    service_point = forms.ModelChoiceField(queryset=ServicePoint.objects.none())
    notes = forms.CharField(label="备注", required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = PICK + dicts.choices(SUPPLY_DICT)
        self.fields["service_point"] = _point_field(
            self.person, "发放机构（可不选）", required=False
        )
        styled(self)


class VoidForm(Form):
    reason = forms.CharField(
        label="作废原因", max_length=200, error_messages={"required": "请填写作废原因"}
    )
    version = forms.IntegerField(required=False, max_value=INT_MAX, widget=forms.HiddenInput)


# --- lists and search ---------------------------------------------------------------------------


class ServiceFilterForm(BaseForm):
    """The filter of a record list: unit (side tree), date range, code (kind, reason, product)
    and the person's name; invalid values are dropped."""

    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    start = _date("开始日期", required=False)
    end = _date("结束日期", required=False)
    code = forms.ChoiceField(label="类别", required=False)
    name = forms.CharField(
        label="姓名",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "姓名或拼音", "pattern": NAME_PATTERN}),
    )

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "全部"), *codes]
        if not codes:
            del self.fields["code"]
        for name in ("start", "end"):
            self.fields[name].label = "从" if name == "start" else "至"
        styled(self, small=True)

    def value(self, name: str) -> Any:
        if not self.is_bound or not self.is_valid():
            return None
        found = self.cleaned_data.get(name)
        if name == "unit":
            return found[:12] if (found or "").isdigit() else ""
        if name == "name":
            text = (found or "").strip()
            return "" if looks_like_number(text) else text
        return found or None


class FindForm(BaseForm):
    """Find a woman at the station by name (GET); an ID number goes by POST (IdSearchForm)."""

    name = forms.CharField(
        label="姓名",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "姓名或拼音首字母", "pattern": NAME_PATTERN}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self, small=True)

    def term(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        text = self.cleaned_data["name"].strip()
        return "" if looks_like_number(text) else text


def initial_today(today: date, *names: str) -> dict[str, date]:
    return dict.fromkeys(names, today)


class ImplantRemovalForm(Form):
    """登记皮下埋植取出: the day it was taken out (the card's version guards against a change
    made meanwhile)."""

    removed_on = _date("取出日期")
    card_version = forms.IntegerField(widget=forms.HiddenInput)
