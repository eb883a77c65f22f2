"""Forms of the tip-offs: Chinese labels and messages; the services check again."""

from decimal import Decimal
from typing import Any

from django import forms

from renkou.common.forms import BaseForm, DateField
from renkou.tipoffs.constants import STAFF_CHANNELS, Category, Finding

TEXTAREA = forms.Textarea(attrs={"rows": 4})
REQUIRED = "此项为必填项"


def _required(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        field.error_messages["required"] = REQUIRED


class TipoffForm(BaseForm):
    """The matter: where, what kind, about whom, what happened; and who reports (optional)."""

    unit_code = forms.ChoiceField(label="事项所在乡镇")
    category = forms.ChoiceField(label="举报类别", choices=Category.choices)
    subject = forms.CharField(label="被举报的机构或人员", max_length=100)
    place = forms.CharField(label="发生地点", max_length=100, required=False)
    content = forms.CharField(label="举报内容", max_length=2000, widget=TEXTAREA)
    informant_name = forms.CharField(
        label="举报人姓名",
        max_length=50,
        required=False,
        help_text="可匿名；留名便于核实和领取奖励",
    )
    informant_contact = forms.CharField(
        label="联系电话或地址",
        max_length=50,
        required=False,
        help_text="仅本举报的承办人可见，加密保存",
    )

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_code"].choices = [("", "请选择")] + units  # type: ignore[attr-defined]  # ChoiceField
        _required(self)


class PublicForm(TipoffForm):
    """The public web form, with the proof-of-work puzzle and its answer (filled by the
    page's script)."""

    puzzle = forms.CharField(widget=forms.HiddenInput, required=False)
    answer = forms.CharField(widget=forms.HiddenInput, required=False, max_length=12)


class IntakeForm(TipoffForm):
    """Staff entering a tip-off received at the window, by phone or by letter."""

    channel = forms.ChoiceField(label="举报方式", choices=STAFF_CHANNELS)
    received_on = DateField(label="受理日期")

    field_order = ["channel", "received_on"]


class AckForm(BaseForm):
    code = forms.CharField(
        label="回执码",
        max_length=30,
        help_text="提交举报时页面显示的12位回执码",
        error_messages={"required": "请输入回执码"},
    )


class AssignForm(BaseForm):
    handler = forms.TypedChoiceField(label="承办人", coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, users: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [("", "请选择")] + users  # type: ignore[attr-defined]  # ChoiceField
        self.fields["handler"].error_messages["required"] = "请选择承办人"


class StepForm(BaseForm):
    done_on = DateField(label="日期", error_messages={"required": "请填写日期"})
    text = forms.CharField(
        label="调查情况", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = "请填写调查情况"


class ConcludeForm(BaseForm):
    finding = forms.ChoiceField(label="核查结论", choices=[("", "请选择"), *Finding.choices])
    result = forms.CharField(label="处理结果", max_length=2000, widget=TEXTAREA)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self)


class RewardForm(BaseForm):
    grant = forms.TypedChoiceField(
        label="奖励决定",
        choices=[("1", "给予奖励"), ("0", "不予奖励")],
        coerce=lambda v: v == "1",
    )
    amount = forms.DecimalField(
        label="奖励金额（元）",
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        error_messages={
            "invalid": "请输入金额，如 500 或 500.00",
            "max_decimal_places": "金额最多保留到分（两位小数）",
            "max_digits": "金额过大",
            "min_value": "金额不能为负数",
        },
    )
    note = forms.CharField(label="奖励依据", max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def amount_fen(self) -> int | None:
        amount = self.cleaned_data.get("amount")
        return None if amount is None else int(amount * 100)


class PayForm(BaseForm):
    paid_on = DateField(label="发放日期", error_messages={"required": "请填写发放日期"})
    voucher = forms.CharField(label="凭证号", max_length=40)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voucher"].error_messages["required"] = "请填写凭证号"
