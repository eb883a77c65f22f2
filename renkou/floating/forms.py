"""Forms of the floating-population pages: fields and their shape only; every rule of a record
or certificate (required values, dates in order, one open stay) lives in ``services``, so the
pages, the demo command and the tests get the same Chinese messages."""

import re
from datetime import date
from typing import Any

from django import forms

from renkou.common import crypto, dicts, periods
from renkou.common.forms import BaseForm, DateField, choice_field, styled
from renkou.common.periods import Period
from renkou.floating.constants import (
    REASON_DICT,
    CheckResult,
    Direction,
    MessageKind,
    MessageStatus,
    MessageWay,
)
from renkou.floating.figures import STATES, TIMELY_LABELS

NAME_HINT = {"placeholder": "姓名或拼音"}


def _text(label: str, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class RecordForm(BaseForm):
    direction = forms.ChoiceField(label="流动类型", choices=Direction.choices, required=False)
    place_code = _text("来源地/去向地区划代码", 12, help_text="6位县级、9位乡级或12位村级代码")
    place_text = _text("来源地/去向地", 100, help_text="如：四川省南充市仪陇县")
    reason = forms.ChoiceField(label="流动原因", required=False)
    left_on = DateField(label="离开户籍地日期", required=False)
    arrived_on = DateField(label="流入/流出日期", required=False)
    residence = _text("居住地址", 200)
    employer = _text("工作单位", 100)
    contact = _text("联系电话", 20, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    expected_return = DateField(label="预计返回日期", required=False)
    returned_on = DateField(label="实际返回日期", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, record: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "reason").choices = [("", "请选择"), *dicts.choices(REASON_DICT)]
        if record is None:
            del self.fields["version"], self.fields["returned_on"]
        else:
            del self.fields["direction"]
            # The full number is never put into a page: empty keeps it (docs/masking.md).
            masked = crypto.mask(record.contact, crypto.PHONE) or "无"
            self.fields["contact"].widget.attrs["placeholder"] = f"不修改请留空（当前 {masked}）"
        styled(self)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CertificateForm(BaseForm):
    number = _text("证明编号", 40)
    authority = _text("发证机关", 100, help_text="户籍地乡镇人民政府或街道办事处")
    issued_on = DateField(label="发证日期", required=False)
    valid_until = DateField(label="有效期至", required=False)
    result = forms.ChoiceField(label="核验结果", choices=CheckResult.choices, required=False)
    checked_on = DateField(label="核验日期", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class FilterForm(BaseForm):
    """The list's filter; invalid values are dropped."""

    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    direction = forms.ChoiceField(
        label="流动类型", choices=[("", "全部"), *Direction.choices], required=False
    )
    name = forms.CharField(
        label="姓名", required=False, max_length=50, widget=forms.TextInput(attrs=NAME_HINT)
    )
    start = DateField(label="流动日期从", required=False)
    end = DateField(label="至", required=False)
    current = forms.BooleanField(label="仅未返回", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self, small=True)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        unit = data.get("unit") or ""
        data["unit"] = unit[:12] if unit.isascii() and unit.isdigit() else ""
        return data


class FindForm(BaseForm):
    name = forms.CharField(
        label="姓名", max_length=50, required=False, widget=forms.TextInput(attrs=NAME_HINT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self, small=True)

    def term(self) -> str:
        return self.cleaned_data.get("name", "").strip() if self.is_valid() else ""


class YearForm(BaseForm):
    year = forms.IntegerField(label="统计年度", min_value=2000, max_value=2100, required=False)


class MessageForm(BaseForm):
    way = forms.ChoiceField(label="收发", choices=MessageWay.choices, required=False)
    kind = forms.ChoiceField(label="类别", choices=MessageKind.choices, required=False)
    urgent = forms.BooleanField(label="紧急（现孕等，15日内反馈）", required=False)
    counterpart = _text("对方地区/单位", 100, help_text="如：四川省成都市武侯区某街道")
    subject = _text("协查对象（简述）", 100, help_text="协查所需的简要描述，不填身份证号和电话")
    subject_name = _text("协查对象姓名", 50)
    subject_birth_date = DateField(label="协查对象出生日期", required=False)
    subject_id_number = _text(
        "协查对象身份证号",
        18,
        help_text="来函载明时填写：加密保存，只用于匹配本地人员，页面只显示部分号码",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    question = forms.CharField(
        label="协查事项", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    dated_on = DateField(label="发出/收到日期", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class ReplyForm(BaseForm):
    reply = forms.CharField(
        label="反馈内容", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    replied_on = DateField(label="反馈日期", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class LinkForm(BaseForm):
    """确认协查对象: one of the candidates (``person``) or 本地无此人 (``none``)."""

    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    none = forms.BooleanField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def month_period(text: str) -> Period | None:
    """A month typed as 2027-05 (the monthly cut-off); None when it is not one."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", text or "", re.ASCII):
        return None
    year, number = int(text[:4]), int(text[5:])
    return periods.month(year, number) if 1 <= number <= 12 and year >= 2000 else None


class MonthForm(BaseForm):
    month = forms.CharField(
        label="月份",
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2027-05"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self, small=True)

    def clean_month(self) -> str:
        text = (self.cleaned_data.get("month") or "").strip()
        if text and month_period(text) is None:
            raise forms.ValidationError("月份应为“年-月”，如 2027-05")
        return text

    def period(self, today: date) -> Period:
        """The month asked for, else the current month."""
        chosen = month_period(self.cleaned_data.get("month", "")) if self.is_valid() else None
        return chosen or periods.month(today.year, today.month)


class MessageFilterForm(BaseForm):
    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    person = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    month = forms.CharField(required=False, max_length=7, widget=forms.HiddenInput)
    state = forms.ChoiceField(
        required=False, choices=[("", ""), *STATES.items()], widget=forms.HiddenInput
    )
    year = forms.IntegerField(
        required=False, min_value=2000, max_value=2100, widget=forms.HiddenInput
    )
    timely = forms.ChoiceField(
        required=False, choices=[("", ""), *TIMELY_LABELS.items()], widget=forms.HiddenInput
    )
    status = forms.ChoiceField(
        label="状态",
        choices=[("", "全部"), *MessageStatus.choices, ("overdue", "已逾期")],
        required=False,
    )
    way = forms.ChoiceField(
        label="收发", choices=[("", "全部"), *MessageWay.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self, small=True)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        unit = data.get("unit") or ""
        data["unit"] = unit[:12] if unit.isascii() and unit.isdigit() else ""
        data["month"] = month_period(data.get("month") or "")
        return data
