"""Forms of the dated tasks' pages: plain fields; every rule of a task lives in
``services`` (a deadline before the issue date, a count without its name), so the form and the
demo command cannot disagree."""

from typing import Any

from django import forms

from renkou.common.forms import BaseForm, DateField
from renkou.supervision.constants import (
    EvidenceKind,
    InspectionKind,
    Outcome,
    SampleTopic,
    Severity,
)


class TaskForm(BaseForm):
    title = forms.CharField(label="工作内容", max_length=100)
    description = forms.CharField(
        label="要求", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    issued_on = DateField(label="下达日期")
    deadline = DateField(label="完成时限")
    photos_required = forms.IntegerField(label="须上传照片（张）", min_value=0, initial=0)
    documents_required = forms.IntegerField(label="须上传文件（份）", min_value=0, initial=0)
    count_required = forms.IntegerField(label="须完成数量", min_value=0, initial=0)
    count_label = forms.CharField(
        label="数量名称", max_length=30, required=False, help_text="如：建成文化大院（个）"
    )
    units = forms.MultipleChoiceField(
        label="责任单位",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个责任单位"},
    )

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = units
        if not self.is_bound:
            self.initial["units"] = [code for code, _ in units]


class EvidenceForm(BaseForm):
    kind = forms.ChoiceField(label="类型", choices=EvidenceKind.choices)
    note = forms.CharField(label="说明", max_length=100, required=False)
    file = forms.FileField(label="文件（PDF/JPG/PNG）")


class CountForm(BaseForm):
    count = forms.IntegerField(label="已完成数量", min_value=0, max_value=100000)


class CommentForm(BaseForm):
    comment = forms.CharField(label="意见", max_length=300, required=False)


class ResponsibleForm(BaseForm):
    responsible = forms.TypedChoiceField(
        label="责任人", coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, users: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "（未指定）"), *users]


class PlanForm(BaseForm):
    kind = forms.ChoiceField(label="督查类型", choices=InspectionKind.choices)
    title = forms.CharField(label="督查名称", max_length=100)
    first_day = DateField(label="第一站开始日期")
    days = forms.IntegerField(label="每站天数", min_value=1, max_value=60, initial=2)
    every = forms.IntegerField(
        label="各乡镇间隔天数", min_value=0, max_value=366, initial=7, help_text="0 表示同时开始"
    )
    period_start = DateField(label="抽样期间起")
    period_end = DateField(label="抽样期间止")
    units = forms.MultipleChoiceField(
        label="被督查乡镇（按顺序轮流）",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个乡镇"},
    )
    team = forms.MultipleChoiceField(
        label="督查组",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一名督查员"},
    )

    def __init__(
        self, *args: Any, units: list[tuple[str, str]], team: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("units", units), ("team", team)):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = choices


class SampleForm(BaseForm):
    rh_due = forms.IntegerField(
        label="应查生殖健康检查的妇女", min_value=0, max_value=200, initial=20
    )
    births = forms.IntegerField(label="本期出生登记", min_value=0, max_value=200, initial=10)
    benefits = forms.IntegerField(label="利益导向享受对象", min_value=0, max_value=200, initial=10)
    todo_done = forms.IntegerField(label="已办结的服务待办", min_value=0, max_value=200, initial=10)


class VerifyForm(BaseForm):
    outcome = forms.ChoiceField(label="核实结果", choices=Outcome.choices[1:])
    differs_field = forms.CharField(label="不符项", max_length=60, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class FindingForm(BaseForm):
    topic = forms.ChoiceField(
        label="类别", choices=[("", "综合"), *SampleTopic.choices], required=False
    )
    severity = forms.ChoiceField(label="程度", choices=Severity.choices)
    text = forms.CharField(label="发现的问题", max_length=300)
    deduction = forms.DecimalField(
        label="建议扣分", min_value=0, max_value=100, decimal_places=2, initial=0, required=False
    )


class NoticeForm(BaseForm):
    requirement = forms.CharField(label="整改要求", max_length=300)
    deadline = DateField(label="整改时限")


class RespondForm(BaseForm):
    response = forms.CharField(
        label="整改情况", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(label="整改照片（JPG/PNG/PDF）", required=False)


class RecheckForm(BaseForm):
    passed = forms.TypedChoiceField(
        label="复查结论",
        choices=[("1", "通过，销号"), ("0", "未通过，退回整改")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="复查意见", max_length=300, required=False)


class BulletinForm(BaseForm):
    title = forms.CharField(
        label="标题", max_length=100, initial="关于上半年服务工作督查情况的通报"
    )
    number = forms.CharField(label="文号", max_length=40, required=False)
    preface = forms.CharField(
        label="正文导语", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    first_day = DateField(label="问题发现日期起")
    last_day = DateField(label="问题发现日期止")


# --- 包乡包村 (issue 14 item 7) ----------------------------------------------------------------


class StaffFilterForm(BaseForm):
    township = forms.ChoiceField(label="乡镇", required=False)
    role = forms.ChoiceField(label="包联职责", required=False)
    current = forms.BooleanField(label="仅在职", required=False)

    def __init__(self, *args: Any, townships: list[tuple[str, str]], **kwargs: Any) -> None:
        from renkou.accounts.constants import AreaRole

        super().__init__(*args, **kwargs)
        for name, choices in (("township", townships), ("role", AreaRole.choices)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "全部"), *choices]


class StaffAssignmentForm(BaseForm):
    role = forms.ChoiceField(label="包联职责", error_messages={"required": "请选择包联职责"})
    unit_code = forms.ChoiceField(
        label="联系乡镇或村",
        help_text="包乡领导、包乡干部选乡镇，包村技术员选村（居）",
        error_messages={"required": "请选择联系乡镇或村"},
    )
    user = forms.TypedChoiceField(
        label="人员", coerce=int, error_messages={"required": "请选择人员"}
    )
    starts_on = DateField(label="起始日期", error_messages={"required": "请填写起始日期"})
    ends_on = DateField(label="终止日期", required=False, help_text="空白表示至今仍在包联")
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, str]],
        staff: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        from renkou.accounts.constants import AreaRole

        super().__init__(*args, **kwargs)
        for name, choices in (
            ("role", AreaRole.choices),
            ("unit_code", units),
            ("user", staff),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "请选择"), *choices]


class StaffChangeForm(BaseForm):
    """What may change of an open assignment: not the person or the unit (a new assignment)."""

    role = forms.ChoiceField(
        label="包联职责",
        error_messages={
            "required": "请选择包联职责",
            "invalid_choice": "该人员在此单位只能担任列表中的包联职责"
            "（乡镇：包乡领导、包乡干部；村：包村技术员）",
        },
    )
    starts_on = DateField(label="起始日期", error_messages={"required": "请填写起始日期"})
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "请选择"), *roles]


class StaffEndForm(BaseForm):
    ends_on = DateField(label="终止日期")
