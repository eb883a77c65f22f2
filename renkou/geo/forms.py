"""Forms for maintaining the unit tree (system administrator)."""

from django import forms

from renkou.common.forms import INT_MAX, BaseForm, DateField, StyledForm
from renkou.geo.models import Equipment, ServicePoint


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


class _Versioned(StyledForm):
    version = forms.IntegerField(required=False, max_value=INT_MAX, widget=forms.HiddenInput)


class PointDetailsForm(_Versioned):
    address = forms.CharField(label="地址", max_length=200, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    hours = forms.CharField(
        label="开放时间", max_length=100, required=False, help_text="如：周一至周五 8:30—17:30"
    )
    renovation = forms.ChoiceField(
        label="改造情况", choices=ServicePoint.Renovation.choices, required=False
    )
    renovated_on = DateField(label="改造完成日期", required=False)


class EquipmentForm(_Versioned):
    kind = forms.ChoiceField(label="设备类型", choices=Equipment.Kind.choices)
    model_name = forms.CharField(label="型号", max_length=60, required=False)
    serial = forms.CharField(label="出厂编号", max_length=60, required=False)
    status = forms.ChoiceField(label="状态", choices=Equipment.Status.choices)
    installed_on = DateField(label="安装日期", required=False, help_text="未安装的不填")
    status_since = DateField(
        label="状态变更日期", required=False, help_text="故障停用或报废的，填写从哪一天起"
    )
    note = forms.CharField(label="备注", max_length=200, required=False)


class LicenceForm(_Versioned):
    number = forms.CharField(label="许可证号", max_length=40)
    scope = forms.CharField(
        label="执业范围", max_length=200, help_text="如：计划生育技术服务、生殖健康检查、妇科治疗"
    )
    issued_by = forms.CharField(label="发证机关", max_length=60)
    valid_from = DateField(label="有效期起")
    valid_until = DateField(label="有效期至")
