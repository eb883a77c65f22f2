"""``forms.error_text``: a refused action's reasons as the one line staff read (it replaced
two ``_errors`` helpers and ten inline joins in the views)."""

from django.core.exceptions import PermissionDenied, ValidationError

from renkou.common.forms import error_text


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
