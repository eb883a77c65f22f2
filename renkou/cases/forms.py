"""Forms of the “两非” cases: Chinese labels and messages; the services check again."""

from typing import Any

from django import forms

from renkou.cases.constants import Outcome, ReferredTo, Source, SubjectKind, SubjectType
from renkou.common import crypto
from renkou.common.forms import BaseForm, DateField

TEXTAREA = forms.Textarea(attrs={"rows": 4})
REQUIRED = "此项为必填项"
OPTIONAL = (
    "source_note",
    "subject_licence",
    "subject_address",
    "subject_id_number",
    "subject_phone",
)


def _required(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        field.error_messages["required"] = REQUIRED


def _choices(values: Any) -> list[tuple[str, str]]:
    return [("", "请选择"), *values]


class CaseForm(BaseForm):
    """The case: where, against whom (an institution or a person), what happened."""

    source = forms.ChoiceField(label="案件来源", choices=_choices(Source.choices))
    source_note = forms.CharField(
        label="来源说明",
        max_length=100,
        help_text="如报告的医疗机构、移交的部门",
    )
    opened_on = DateField(label="立案日期")
    unit_code = forms.ChoiceField(label="所涉乡镇")
    subject_type = forms.ChoiceField(label="当事方", choices=_choices(SubjectType.choices))
    subject_kind = forms.ChoiceField(label="当事方类别", choices=_choices(SubjectKind.choices))
    subject_name = forms.CharField(label="当事机构或人员名称", max_length=100)
    subject_licence = forms.CharField(label="执业许可证或执业证书编号", max_length=40)
    subject_address = forms.CharField(label="地址", max_length=200)
    subject_id_number = forms.CharField(
        label="公民身份号码", max_length=30, help_text="当事方为个人时填写；加密保存，显示时遮蔽"
    )
    subject_phone = forms.CharField(
        label="联系电话", max_length=30, help_text="加密保存，显示时遮蔽"
    )
    facts = forms.CharField(label="案情", max_length=2000, widget=TEXTAREA)

    def __init__(
        self, *args: Any, units: list[tuple[str, str]], case: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_code"].choices = _choices(units)  # type: ignore[attr-defined]  # ChoiceField
        _required(self)
        for name in OPTIONAL:
            self.fields[name].required = False
        if case is not None:
            # Source and opening date stay as opened; the numbers are never put into a page
            # in full (docs/masking.md): empty keeps them.
            del self.fields["source"], self.fields["opened_on"]
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
            for name, kind in (
                ("subject_id_number", crypto.ID_NUMBER),
                ("subject_phone", crypto.PHONE),
            ):
                masked = crypto.mask(getattr(case, name), kind) or "无"
                self.fields[name].widget.attrs["placeholder"] = f"不修改请留空（当前 {masked}）"


class StepForm(BaseForm):
    done_on = DateField(label="日期", error_messages={"required": "请填写日期"})
    text = forms.CharField(
        label="调查情况", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = "请填写调查情况"


class EvidenceForm(BaseForm):
    title = forms.CharField(label="材料名称", max_length=100)
    file = forms.FileField(label="文件（PDF、JPG、PNG）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = "请填写材料名称"
        self.fields["file"].error_messages["required"] = "请选择文件"
        self.fields["file"].error_messages["empty"] = "文件是空的"


class ReferForm(BaseForm):
    referred_to = forms.ChoiceField(label="移送机关", choices=_choices(ReferredTo.choices))
    referral_body = forms.CharField(
        label="接收机关名称", max_length=100, help_text="如 某县卫生健康综合监督执法局"
    )
    referred_on = DateField(label="移送日期")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self)


class CloseForm(BaseForm):
    outcome = forms.ChoiceField(label="结案结果", choices=_choices(Outcome.choices))
    decision = forms.CharField(label="处理决定或调查结论", max_length=2000, widget=TEXTAREA)
    closed_on = DateField(label="结案日期")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self)
