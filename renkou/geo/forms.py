"""Forms for maintaining the unit tree (system administrator)."""

from django import forms

from renkou.common.forms import BaseForm, DateField
from renkou.geo.models import ServicePoint


class RenameForm(BaseForm):
    name = forms.CharField(label="新名称", max_length=100)
    valid_from = DateField(label="启用日期", help_text="从这一天起使用新名称；原名称保留在历史中")


class VillageGroupForm(BaseForm):
    number = forms.RegexField(
        label="组号", regex=r"^\d{2}$", error_messages={"invalid": "组号为 2 位数字，如 01"}
    )
    name = forms.CharField(label="组名", max_length=50, help_text="如：一组")


class ServicePointForm(BaseForm):
    kind = forms.ChoiceField(label="类型", choices=ServicePoint.Kind.choices)
    name = forms.CharField(label="名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
