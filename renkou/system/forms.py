"""Forms of the administrators' pages. They validate only; services.py does the writes."""

import re
from typing import Any

from django import forms

from renkou.accounts.models import LoginLog
from renkou.common.forms import INT_MAX, BaseForm, DateField
from renkou.common.forms import styled as common_styled
from renkou.common.models import AuditEntry, DictItem, DictType
from renkou.system import selectors

ALIAS_SPLIT = re.compile(r"[、,，;；\n]+")
ALIAS_MAX = 50


def styled(form: forms.BaseForm, *, small: bool = False) -> forms.BaseForm:
    """``common.forms.styled``, with "请选择" as the empty choice of every model picker."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
            field.empty_label = "请选择"
    return common_styled(form, small=small)


class _DateRangeForm(BaseForm):
    """A search form whose valid fields become a JSON-safe filter dict (for background jobs)."""

    date_from = DateField(
        label="开始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = DateField(
        label="结束日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return data

    def filters(self) -> dict[str, str]:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = {}
        for name, value in data.items():
            if value in (None, ""):
                continue
            out[name] = value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
        return out


class AuditFilterForm(_DateRangeForm):
    username = forms.CharField(label="用户名", required=False, max_length=150)
    action = forms.CharField(
        label="操作",
        required=False,
        max_length=48,
        widget=forms.TextInput(attrs={"placeholder": "如 下载、导出、登录"}),
    )
    result = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *AuditEntry.Result.choices]
    )
    object_type = forms.CharField(label="对象类型", required=False, max_length=64)


class LoginLogFilterForm(_DateRangeForm):
    username = forms.CharField(label="用户名", required=False, max_length=150)
    ip = forms.CharField(label="地址", required=False, max_length=45)
    result = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *LoginLog.Result.choices]
    )


class DictTypeForm(BaseForm):
    code = forms.RegexField(
        label="字典类型",
        regex=r"^[a-z][a-z0-9_]{1,63}$",
        max_length=64,
        help_text="小写字母开头，字母、数字或下划线，如 sex、marital_status；保存后不能修改",
        error_messages={"invalid": "字典类型须以小写字母开头，2–64 位小写字母、数字或下划线"},
    )
    name = forms.CharField(label="字典名称", max_length=100)
    source = forms.CharField(label="依据标准", max_length=200, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    remark = forms.CharField(
        label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, editing: DictType | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            self.fields["code"].disabled = True

    def clean_code(self) -> str:
        value = self.cleaned_data["code"]
        if self.editing is None and DictType.objects.filter(code=value).exists():
            raise forms.ValidationError("该字典类型已存在")
        return value


class DictItemForm(BaseForm):
    value = forms.RegexField(
        label="字典键值",
        regex=r"^[0-9A-Za-z_.-]{1,32}$",
        max_length=32,
        help_text="即代码，如 1、01、10；保存后不能修改",
        error_messages={"invalid": "键值为 1–32 位字母、数字或 _ . -"},
    )
    label = forms.CharField(label="字典标签", max_length=100)
    sort = forms.IntegerField(label="排序", min_value=0, max_value=INT_MAX, initial=0)
    tag = forms.ChoiceField(
        label="标签样式", choices=DictItem.Tag.choices, initial=DictItem.Tag.DEFAULT
    )
    is_default = forms.BooleanField(
        label="默认值", required=False, help_text="新建记录时预先选中此项"
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    aliases = forms.CharField(
        label="别名",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="简称、旧称或常见写法，用顿号、逗号或换行分开，如“身份证”。"
        "导入表格中写的别名按本项的键值导入，导入结果中会注明。",
    )
    remark = forms.CharField(
        label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, dict_type: DictType, editing: DictItem | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.dict_type, self.editing = dict_type, editing
        if editing is not None:
            self.fields["value"].disabled = True

    def clean_aliases(self) -> list[str]:
        aliases: list[str] = []
        for word in ALIAS_SPLIT.split(self.cleaned_data.get("aliases") or ""):
            word = word.strip()
            if len(word) > ALIAS_MAX:
                raise forms.ValidationError(f"每个别名最多{ALIAS_MAX}个字：“{word[:10]}…”")
            if word and word not in aliases:
                aliases.append(word)
        clashes = selectors.alias_clashes(self.dict_type, aliases, self.editing)
        if clashes:
            raise forms.ValidationError("；".join(clashes))
        return aliases

    def clean_value(self) -> str:
        value = self.cleaned_data["value"]
        exists = DictItem.objects.filter(dict_type=self.dict_type, value=value).exists()
        if self.editing is None and exists:
            raise forms.ValidationError("该字典中已有此键值")
        return value
