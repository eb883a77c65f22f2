"""Forms of the to-do pages: the list's filter (GET, no personal data), and the rule form."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from renkou.common.forms import BaseForm, BaseModelForm, styled
from renkou.todo.constants import TODO_ROLES, Filter
from renkou.todo.models import ReminderRule
from renkou.todo.schedule import parse_offset, parse_offsets
from renkou.todo.selectors import ItemFilter


class ItemFilterForm(BaseForm):
    """The list's filters; all are codes, dates or ids (an ID number goes by POST only)."""

    unit = forms.CharField(required=False, widget=forms.HiddenInput)
    rule = forms.TypedChoiceField(label="事项", required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label="状态", required=False, choices=Filter.choices)
    month = forms.CharField(
        label="到期月份", required=False, widget=forms.DateInput(attrs={"type": "month"})
    )

    def __init__(self, *args: Any, rules: list[ReminderRule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "全部事项"), *[(r.pk, r.name) for r in rules]]
        styled(self, small=True)

    def clean_unit(self) -> str:
        value = self.cleaned_data["unit"]
        return value if value.isdigit() and len(value) <= 12 else ""

    def clean_month(self) -> date | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError as exc:
            raise ValidationError("月份格式应为 YYYY-MM") from exc

    def filter(self) -> ItemFilter:
        if not self.is_valid():
            return ItemFilter()
        data = self.cleaned_data
        return ItemFilter(
            rule=data["rule"], unit=data["unit"], state=data["state"] or "", month=data["month"]
        )


class RuleForm(BaseModelForm):
    """A rule's fields; cross-field checks are ``services.validate_rule``."""

    roles = forms.MultipleChoiceField(
        label="可见角色", choices=TODO_ROLES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ReminderRule
        fields = (
            "name",
            "active",
            "population",
            "codes",
            "visit_reason",
            "offsets",
            "repeat",
            "lead_days",
            "grace_days",
            "expire_days",
            "roles",
            "basis",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["roles"] = self.instance.role_list
        styled(self)
        self.fields["roles"].widget.attrs["class"] = "form-check-input"

    def clean_offsets(self) -> str:
        value = self.cleaned_data["offsets"].replace("，", ",").replace(" ", "")
        parse_offsets(value)
        return value

    def clean_repeat(self) -> str:
        value = self.cleaned_data["repeat"].strip()
        if value:
            parse_offset(value)
        return value

    def clean_codes(self) -> str:
        return ",".join(
            c.strip() for c in self.cleaned_data["codes"].replace("，", ",").split(",") if c.strip()
        )

    def clean_roles(self) -> str:
        return ",".join(self.cleaned_data["roles"])

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
