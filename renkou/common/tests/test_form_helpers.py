"""The form helpers every app shares: ``error_text`` (a refused action's reasons as the one
line staff read; it replaced two ``_errors`` helpers and ten inline joins in the views) and
``styled`` (Bootstrap classes; it replaced the ``_css`` of people, programs and reports)."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from renkou.common.forms import error_text, styled


def test_every_reason_of_a_validation_error_on_one_line():
    exc = ValidationError(["该批次已锁定", "请先核对名单"])
    assert error_text(exc) == "该批次已锁定；请先核对名单"
    by_field = ValidationError({"amount": ["金额不能为负"], "note": ["请填写说明"]})
    assert error_text(by_field) == "金额不能为负；请填写说明"


def test_a_refusal_without_words_gets_the_fallback():
    assert error_text(PermissionDenied(), fallback="无权办理") == "无权办理"
    assert error_text(PermissionDenied("只能办理本乡的申请"), fallback="无权办理") == (
        "只能办理本乡的申请"
    )
    assert error_text(PermissionDenied()) == ""


class _Everything(forms.Form):
    name = forms.CharField(widget=forms.TextInput(attrs={"class": "name-key"}))
    sex = forms.ChoiceField(choices=[("1", "男"), ("2", "女")])
    agreed = forms.BooleanField(required=False)
    factors = forms.MultipleChoiceField(
        choices=[("a", "甲")], widget=forms.CheckboxSelectMultiple, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _classes(form):
    return {name: field.widget.attrs.get("class") for name, field in form.fields.items()}


def test_each_widget_gets_its_bootstrap_class_after_its_own():
    form = _Everything()
    assert styled(form) is form
    assert _classes(form) == {
        "name": "name-key form-control",
        "sex": "form-select",
        "agreed": "form-check-input",
        "factors": None,  # a checkbox group is styled by its template
        "version": None,  # nothing to see
    }


def test_small_widgets_for_the_search_forms_above_lists():
    form = styled(_Everything(), small=True)
    assert _classes(form)["name"] == "name-key form-control form-control-sm"
    assert _classes(form)["sex"] == "form-select form-select-sm"
    assert _classes(form)["agreed"] == "form-check-input"
    assert _classes(_Everything())["name"] == "name-key"  # the class's own widgets untouched


def test_styling_twice_changes_nothing():
    """A form styled when built (StyledForm) and again by its view keeps one of each class."""
    form = styled(styled(_Everything()))
    assert _classes(form)["name"] == "name-key form-control"
    assert _classes(styled(form, small=True))["sex"] == "form-select form-select-sm"
