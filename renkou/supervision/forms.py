"""Forms of the dated tasks' pages: plain fields; every rule of a task lives in
``services`` (a deadline before the issue date, a count without its name), so the form and the
demo command cannot disagree."""

from typing import Any

from django import forms

from renkou.common.forms import BaseForm, DateField
from renkou.supervision.constants import EvidenceKind


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
