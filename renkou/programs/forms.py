"""Forms of the pre-pregnancy exam pages. They check one step's input on its own (dates, choices,
numbers); the rules that need the file (one exam per couple and planned pregnancy, eligibility
before the exam, due dates) run in ``programs.services`` under the file's lock.

ID numbers are typed into POST forms only, never put into a URL. No form has a compulsory-check,
quota or penalty field: the service is voluntary.
"""

from datetime import date
from typing import Any

from django import forms

from renkou.common import dicts
from renkou.common.forms import BaseForm, DateField, normalise, styled
from renkou.geo.constants import county_of
from renkou.geo.models import ServicePoint
from renkou.people.forms import NAME_PATTERN, looks_like_number
from renkou.programs.constants import (
    OUTCOME_DICT,
    RISK_DICT,
    CloseReason,
    Counselling,
    CoupleStatus,
    FollowUpKind,
    FollowUpMethod,
    RiskCategory,
    result_items,
)
from renkou.programs.models import CoupleFile, Exam, FollowUp, RiskAssessment
from renkou.programs.selectors import CoupleFilter
from renkou.programs.services import ItemValue

PICK = [("", "请选择")]
DATE_HINT = {"placeholder": "如 2024-03-05"}
STATUS_CHOICES = [("", "全部"), ("active", "服务中（未结案）"), *CoupleStatus.choices]
ITEM_STATES = [("", "未检"), ("0", "正常"), ("1", "异常")]
YES_NO = [("", "请选择"), ("0", "无"), ("1", "有")]


def _date(label: str, *, required: bool = True) -> DateField:
    return DateField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs=DATE_HINT),
        error_messages={"required": f"请填写{label}"},
    )


class Form(BaseForm):
    """Bootstrap classes, and the required fields starred by ``people/_field.html``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)

    @property
    def marked(self) -> frozenset[str]:
        return frozenset(n for n, f in self.fields.items() if f.required)


# --- lists ----------------------------------------------------------------------------------


class CoupleFilterForm(BaseForm):
    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label="妻子/丈夫姓名",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "姓名或拼音首字母", "pattern": NAME_PATTERN}),
    )
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self, small=True)

    def filter(self) -> CoupleFilter:
        if not self.is_bound or not self.is_valid():
            return CoupleFilter()
        data = self.cleaned_data
        unit = data.get("unit", "") if data.get("unit", "").isdigit() else ""
        name = data.get("name", "").strip()
        return CoupleFilter(
            unit=unit[:12],
            name="" if looks_like_number(name) else name,
            status=data.get("status", ""),
        )


class UnitYearForm(BaseForm):
    """``?unit=<prefix>&year=<FP year>`` of the figure pages; invalid values are dropped."""

    unit = forms.CharField(required=False, max_length=12)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)

    def value(self, name: str, default: Any) -> Any:
        if not self.is_bound or not self.is_valid():
            return default
        found = self.cleaned_data.get(name)
        if name == "unit" and not (found or "").isdigit():
            return default
        return found or default


# --- the couple file --------------------------------------------------------------------------


class CoupleOpenForm(Form):
    """建档: the wife by her ID number (unless chosen from her page or the target list), the
    husband by his ID number (his name too when he is not in the county's register)."""

    wife_id_number = forms.CharField(
        label="妻子身份证号",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    husband_id_number = forms.CharField(
        label="丈夫身份证号",
        max_length=40,
        required=False,
        help_text="丈夫在本县人员库中且已关联为配偶的，可不填",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    husband_name = forms.CharField(
        label="丈夫姓名", max_length=50, required=False, help_text="丈夫不在本县人员库中时填写"
    )
    sequence = forms.IntegerField(
        label="计划怀孕孩次",
        min_value=1,
        max_value=10,
        error_messages={"required": "请填写计划怀孕孩次"},
    )
    consent_on = _date("知情同意书签署日期")

    def __init__(self, *args: Any, wife: Any = None, today: date, **kwargs: Any) -> None:
        self.wife, self.today = wife, today
        super().__init__(*args, **kwargs)
        if wife is not None:
            del self.fields["wife_id_number"]
        else:
            self.fields["wife_id_number"].required = True

    def clean_wife_id_number(self) -> str:
        return normalise(self.cleaned_data.get("wife_id_number", ""))

    def clean_husband_id_number(self) -> str:
        return normalise(self.cleaned_data.get("husband_id_number", ""))

    def clean_consent_on(self) -> date:
        day = self.cleaned_data["consent_on"]
        if day > self.today:
            raise forms.ValidationError("签署日期不能晚于今天")
        return day


class ConfirmForm(Form):
    on = _date("资格确认日期")
    notice_no = forms.CharField(
        label="服务通知单编号", max_length=30, error_messages={"required": "请填写服务通知单编号"}
    )


class ExamForm(Form):
    """One spouse's exam: date, service point, doctor, and for each item its state (未检 / 正常 /
    异常), result and notes. Items left 未检 are not recorded."""

    examined_on = _date("检查日期")
    service_point = forms.ModelChoiceField(
        label="检查机构",
        queryset=ServicePoint.objects.none(),
        error_messages={"required": "请选择检查机构"},
    )
    examiner = forms.CharField(
        label="检查医生", max_length=50, error_messages={"required": "请填写检查医生"}
    )

    def __init__(
        self, *args: Any, couple: CoupleFile, spouse: str, exam: Exam | None, **kwargs: Any
    ) -> None:
        self.items = result_items(spouse)
        initial = kwargs.pop("initial", None) or {}
        if exam is not None:
            initial.update(
                examined_on=exam.examined_on,
                service_point=exam.service_point_id,
                examiner=exam.examiner,
            )
            for row in exam.items.all():
                initial.update(
                    {
                        f"s{row.item}": "1" if row.abnormal else "0",
                        f"r{row.item}": row.result,
                        f"n{row.item}": row.notes,
                    }
                )
        super().__init__(*args, initial=initial, **kwargs)
        county = county_of(couple.unit_code)
        self.fields["service_point"].queryset = ServicePoint.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField
            is_active=True,
            unit_code__startswith=county,
            kind__in=[ServicePoint.Kind.COUNTY_CENTRE, ServicePoint.Kind.TOWNSHIP_STATION],
        ).order_by("unit_code", "name")
        for item in self.items:
            self.fields[f"s{item.code}"] = forms.ChoiceField(
                label=item.name, choices=ITEM_STATES, required=False
            )
            # The item table shows no label per box: a screen reader names it by its item.
            self.fields[f"r{item.code}"] = forms.CharField(
                label="结果",
                max_length=500,
                required=False,
                widget=forms.TextInput(attrs={"aria-label": f"{item.name}结果"}),
            )
            self.fields[f"n{item.code}"] = forms.CharField(
                label="备注",
                max_length=500,
                required=False,
                widget=forms.TextInput(attrs={"aria-label": f"{item.name}备注"}),
            )
        styled(self, small=True)

    def rows(self) -> list[dict[str, Any]]:
        """The item fields grouped per item, for the template's table."""
        return [
            {
                "item": i,
                "state": self[f"s{i.code}"],
                "result": self[f"r{i.code}"],
                "notes": self[f"n{i.code}"],
            }
            for i in self.items
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.items:
            if not data.get(f"s{item.code}") and data.get(f"r{item.code}"):
                self.add_error(f"s{item.code}", "填写了结果的项目请选择正常或异常")
        return data

    def item_values(self) -> dict[int, ItemValue]:
        data = self.cleaned_data
        return {
            i.code: ItemValue(data[f"s{i.code}"] == "1", data[f"r{i.code}"], data[f"n{i.code}"])
            for i in self.items
            if data.get(f"s{i.code}")
        }


class AssessmentForm(Form):
    assessed_on = _date("评估日期")
    category = forms.ChoiceField(
        label="评估结论",
        choices=PICK + RiskCategory.choices,
        error_messages={"required": "请选择评估结论"},
    )
    factors = forms.MultipleChoiceField(
        label="风险因素", required=False, widget=forms.CheckboxSelectMultiple
    )
    details = forms.CharField(
        label="风险因素说明",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    counselled_on = _date("咨询指导日期", required=False)
    counselling = forms.ChoiceField(
        label="咨询指导方式", required=False, choices=PICK + Counselling.choices
    )
    counsellor = forms.CharField(label="咨询指导人员", required=False, max_length=50)
    referred = forms.BooleanField(label="转诊", required=False)
    referral_to = forms.CharField(label="转诊机构", required=False, max_length=200)
    referral_notes = forms.CharField(
        label="转诊说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, row: RiskAssessment | None, **kwargs: Any) -> None:
        if row is not None:
            kwargs["initial"] = {
                **{n: getattr(row, n) for n in self.base_fields},
                "factors": row.factor_codes,
            }
        super().__init__(*args, **kwargs)
        self.fields["factors"].choices = dicts.choices(RISK_DICT)  # type: ignore[attr-defined]  # a ChoiceField


class PregnancyForm(Form):
    lmp_on = _date("末次月经日期")
    recorded_on = _date("登记日期")


class FollowUpForm(Form):
    """早孕随访 (date, method, gestational weeks) or 妊娠结局随访 (also the outcome, its date, and
    for a live birth the birth weight and whether a birth defect was found)."""

    done_on = _date("随访日期")
    method = forms.ChoiceField(
        label="随访方式",
        choices=PICK + FollowUpMethod.choices,
        error_messages={"required": "请选择随访方式"},
    )
    weeks = forms.IntegerField(
        label="孕周", required=False, min_value=0, max_value=45, help_text="不填则按末次月经计算"
    )
    outcome = forms.ChoiceField(label="妊娠结局", required=False)
    outcome_on = _date("结局日期", required=False)
    birth_weight = forms.IntegerField(
        label="出生体重（克）", required=False, min_value=200, max_value=7000
    )
    birth_defect = forms.ChoiceField(label="出生缺陷", required=False, choices=YES_NO)
    notes = forms.CharField(
        label="随访情况", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, row: FollowUp, **kwargs: Any) -> None:
        if row.done_on is not None:
            names = [n for n in self.base_fields if n != "birth_defect"]
            initial = {n: getattr(row, n) for n in names}
            defect = row.birth_defect
            initial["birth_defect"] = "" if defect is None else "1" if defect else "0"
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if row.kind == FollowUpKind.EARLY:
            for name in ("outcome", "outcome_on", "birth_weight", "birth_defect"):
                del self.fields[name]
        else:
            del self.fields["weeks"]
            self.fields["outcome"].choices = PICK + dicts.choices(OUTCOME_DICT)  # type: ignore[attr-defined]  # a ChoiceField
            self.fields["outcome"].required = True
            self.fields["outcome_on"].required = True

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        defect = data.get("birth_defect")
        if defect is not None:
            data["birth_defect"] = None if defect == "" else defect == "1"
        return data


class CloseForm(Form):
    on = _date("结案日期")
    reason = forms.ChoiceField(
        label="结案原因",
        error_messages={"required": "请选择结案原因"},
        choices=PICK + [c for c in CloseReason.choices if c[0] != CloseReason.COMPLETED],
    )


class TargetForm(Form):
    adjustment = forms.IntegerField(
        label="人工调整（人）",
        min_value=-100_000,
        max_value=100_000,
        error_messages={"required": "请填写调整数，不调整填 0"},
    )
    reason = forms.CharField(
        label="调整原因", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
