"""Forms of the benefit pages. They parse input only; the rules live in the services."""

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from renkou.benefits.constants import NOTICE_DAYS, DocumentKind, LineStatus, Status
from renkou.common.forms import ID_MAX, INT_MAX, BaseForm

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


def version_field() -> forms.IntegerField:
    """The row's ``version`` the page was opened with (optimistic lock, security.md RL1); the
    view passes a missing one as 0, which no row has, so it is refused as stale."""
    return forms.IntegerField(required=False, max_value=INT_MAX, widget=forms.HiddenInput)


GRADES = [("", "—"), ("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级")]


class IdSearchForm(BaseForm):
    """ID numbers only by POST, never in a URL."""

    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
    )


class DeclaredForm(BaseForm):
    """What the register does not hold, from the documents (残疾证, 鉴定, 光荣证)."""

    disability_grade = forms.ChoiceField(
        label="子女残疾等级（残疾证）",
        choices=GRADES,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    complication_grade = forms.ChoiceField(
        label="手术并发症等级",
        choices=GRADES[:4],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    disability_cert_no = forms.CharField(
        label="残疾证号", max_length=30, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    one_child_cert_no = forms.CharField(
        label="独生子女父母光荣证号",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )

    def declared(self) -> dict[str, Any]:
        """The declared values only (not the programme or the village's opinion of a subclass)."""
        keys = DeclaredForm.base_fields
        return {k: v for k, v in self.cleaned_data.items() if k in keys and v}


def declared_shown(declared: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of what an application declares, as the form asked for it; keys the form
    no longer asks for (older applications) are left out."""
    rows = []
    for key, field in DeclaredForm.base_fields.items():
        value = str(declared.get(key) or "")
        if value:
            choices = dict(getattr(field, "choices", []))
            rows.append((str(field.label), str(choices.get(value, value))))
    return rows


class ApplicationForm(DeclaredForm):
    program = forms.ChoiceField(label="申报项目", widget=forms.Select(attrs=SELECT))
    village_opinion = forms.CharField(
        label="村（居）委会评议意见",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    field_order = ["program", "village_opinion"]

    def __init__(self, *args: Any, programs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(p.code, p.name) for p in programs]


class CorrectForm(DeclaredForm):
    comment = forms.CharField(
        label="补正说明", max_length=500, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    version = version_field()


class ReviewForm(BaseForm):
    action = forms.ChoiceField(
        choices=[
            (a, a)
            for a in (
                "approve",
                "return",
                "reject",
                "finalise",
                "advance",
                "cancel",
                "archive",
                "withdraw",
            )
        ]
    )
    comment = forms.CharField(max_length=500, required=False)
    confirm_reason = forms.CharField(max_length=300, required=False)
    version = version_field()


class DocumentForm(BaseForm):
    kind = forms.ChoiceField(
        label="材料类型", choices=DocumentKind.choices, widget=forms.Select(attrs=SELECT)
    )
    file = forms.FileField(label="文件（PDF/JPG/PNG）", widget=forms.ClearableFileInput(attrs=TEXT))


class ApplicationFilterForm(BaseForm):
    program = forms.ChoiceField(label="项目", required=False, widget=forms.Select(attrs=SELECT))
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *Status.choices],
        widget=forms.Select(attrs=SELECT),
    )
    name = forms.CharField(
        label="姓名", max_length=50, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args: Any, programs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", "全部"), *((p.code, p.name) for p in programs)]

    def values(self) -> dict[str, str]:
        return self.cleaned_data if self.is_valid() else {"program": "", "status": "", "name": ""}


class ScreeningFilterForm(BaseForm):
    """The 全覆盖 list's search (GET): programme, verdict, name or pinyin."""

    program = forms.ChoiceField(label="项目", required=False, widget=forms.Select(attrs=SELECT))
    verdict = forms.ChoiceField(
        label="判定",
        required=False,
        choices=[("", "全部"), ("pass", "符合"), ("unknown", "待核实")],
        widget=forms.Select(attrs=SELECT),
    )
    name = forms.CharField(
        label="姓名", max_length=50, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args: Any, programs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", "全部"), *((p.code, p.name) for p in programs)]

    def values(self) -> dict[str, str]:
        if self.is_valid():
            return self.cleaned_data
        return {"program": "", "verdict": "", "name": ""}


class RuleVersionForm(BaseForm):
    effective_from = forms.DateField(label="生效日期", widget=DATE)
    conditions = forms.CharField(
        label="条件（JSON）",
        widget=forms.Textarea(attrs={**TEXT, "rows": 14, "class": "form-control text-mono"}),
    )
    note = forms.CharField(
        label="说明", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    source = forms.CharField(
        label="政策依据", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def clean_conditions(self) -> Any:
        try:
            return json.loads(self.cleaned_data["conditions"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"不是有效的 JSON：第 {exc.lineno} 行 {exc.msg}") from exc


class RuleTestForm(IdSearchForm, DeclaredForm):
    day = forms.DateField(label="测试日期", widget=DATE)


class AmountForm(BaseForm):
    effective_from = forms.DateField(label="执行日期", widget=DATE)
    grade = forms.ChoiceField(
        label="等级", choices=GRADES[:4], required=False, widget=forms.Select(attrs=SELECT)
    )
    yuan = forms.CharField(label="标准（元）", max_length=12, widget=forms.TextInput(attrs=TEXT))
    source = forms.CharField(
        label="依据", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def clean_yuan(self) -> int:
        """Yuan as typed → integer fen (Decimal, never float)."""
        try:
            value = Decimal(self.cleaned_data["yuan"].strip())
        except InvalidOperation as exc:
            raise forms.ValidationError("请输入金额，如 590 或 12.50") from exc
        fen = value * 100
        if fen != fen.to_integral_value() or value < 0:
            raise forms.ValidationError("金额最多两位小数，且不能为负")
        return int(fen)


class NoticeForm(BaseForm):
    program = forms.ChoiceField(label="项目", widget=forms.Select(attrs=SELECT))
    unit = forms.ChoiceField(label="公示单位", widget=forms.Select(attrs=SELECT))
    starts_on = forms.DateField(label="公示开始日期", widget=DATE)
    days = forms.IntegerField(
        label="公示天数",
        initial=NOTICE_DAYS,
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs=TEXT),
    )
    contact = forms.CharField(
        label="监督电话/信箱", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args: Any, programs: Any = (), units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(p.code, p.name) for p in programs]
        self.fields["unit"].choices = [(u.code, u.name) for u in units]


class ObjectionForm(BaseForm):
    application = forms.IntegerField(max_value=ID_MAX, widget=forms.HiddenInput)
    received_on = forms.DateField(label="收到日期", widget=DATE)
    channel = forms.CharField(
        label="来源", max_length=50, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    content = forms.CharField(
        label="异议内容", max_length=1000, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )


# --- beneficiaries, payments, re-confirmation (issue 6 items 5–7) ---------------------------


class AccountForm(BaseForm):
    """一卡通账号: typed by village/township staff, checked (Luhn) by the service."""

    account = forms.CharField(
        label="一卡通账号",
        max_length=30,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off", "inputmode": "numeric"}),
    )
    bank = forms.CharField(
        label="开户机构", max_length=50, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    version = version_field()


class RollForm(BaseForm):
    program = forms.ChoiceField(label="项目", widget=forms.Select(attrs=SELECT))
    period = forms.CharField(
        label="发放期间",
        max_length=7,
        help_text="年度如 2026，半年如 2026H1",
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "2026 或 2026H1"}),
    )

    def __init__(self, *args: Any, programs: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(p.code, p.name) for p in programs]


class LineFilterForm(BaseForm):
    """The roll page's search (GET): name or pinyin, township, line status."""

    name = forms.CharField(
        label="姓名", max_length=50, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    township = forms.ChoiceField(label="乡镇", required=False, widget=forms.Select(attrs=SELECT))
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *LineStatus.choices],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, townships: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", "全部"), *townships.items()]

    def values(self) -> dict[str, str]:
        if self.is_valid():
            return self.cleaned_data
        return {"name": "", "township": "", "status": ""}


class ResultForm(BaseForm):
    file = forms.FileField(
        label="银行结果文件", widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )
    version = version_field()


class ReconfirmForm(BaseForm):
    year = forms.IntegerField(
        label="年度", min_value=2004, max_value=2100, widget=forms.NumberInput(attrs=TEXT)
    )


class DecideForm(BaseForm):
    accept = forms.ChoiceField(choices=[("1", "确认"), ("0", "不予采纳")])
    reason = forms.CharField(max_length=300, required=False)


class UnitYearForm(BaseForm):
    """``?unit=<prefix>&year=<yyyy>`` of the figure and reconciliation pages."""

    unit = forms.RegexField(regex=r"^\d{6}(\d{3}){0,2}$", required=False)
    year = forms.IntegerField(min_value=2004, max_value=2100, required=False)

    def value(self, name: str, default: Any) -> Any:
        if self.is_bound and self.is_valid() and self.cleaned_data.get(name):
            return self.cleaned_data[name]
        return default
