"""Sign-in, password and account forms. Messages are plain Chinese for county staff."""

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.db.models import QuerySet

from renkou.accounts.constants import Role
from renkou.accounts.models import User
from renkou.accounts.passwords import min_age_message, too_soon
from renkou.common.forms import BaseForm
from renkou.geo.models import Unit


class LoginForm(BaseForm):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)

    username.widget.attrs.update(autocomplete="username", autofocus=True)
    password.widget.attrs.update(autocomplete="current-password")


class TokenForm(BaseForm):
    token = forms.RegexField(
        label="动态口令",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "请输入手机验证器显示的 6 位数字"},
    )
    token.widget.attrs.update(autocomplete="one-time-code", inputmode="numeric", autofocus=True)


class PasswordChangeForm(BaseForm):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput,
    )
    confirm = forms.CharField(label="确认新密码", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["new_password"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )

    def clean_old_password(self) -> str:
        value: str = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("原密码不正确")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if too_soon(self.user):
            raise forms.ValidationError(min_age_message(self.user), code="password_min_age")
        new, confirm = data.get("new_password"), data.get("confirm")
        if new and confirm and new != confirm:
            self.add_error("confirm", "两次输入的新密码不一致")
        elif new:
            try:
                password_validation.validate_password(new, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data


class UserForm(BaseForm):
    """Create or edit an account; the unit must lie in the administrator's own county."""

    username = forms.RegexField(
        label="用户名",
        regex=r"^[a-zA-Z][a-zA-Z0-9_.-]{2,29}$",
        error_messages={"invalid": "用户名须以字母开头，3–30 位字母、数字或 _ . -"},
    )
    full_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    unit = forms.ModelChoiceField(label="所属单位", queryset=Unit.objects.none())
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    mfa_required = forms.BooleanField(label="强制双因素认证", required=False)
    reason = forms.CharField(
        label="申请事由",
        max_length=200,
        required=False,
        help_text="新增账号、授予可查看人员信息或审计日志的角色、变更这类账号的单位或重新启用，"
        "以及修改三员账号，都须经安全管理员审批；请写明依据（如任职文件、工作调动）",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, units: QuerySet[Unit], editing: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Unit], self.fields["unit"]).queryset = units
        self.editing = editing
        if editing is not None:
            self.fields["username"].disabled = True

    def clean_username(self) -> str:
        value: str = self.cleaned_data["username"]
        if self.editing is None and User.objects.filter(username__iexact=value).exists():
            raise forms.ValidationError("该用户名已被使用")
        return value


class ReasonForm(BaseForm):
    """申请事由 of a password reset request."""

    reason = forms.CharField(
        label="申请事由",
        max_length=200,
        help_text="如：本人忘记密码、手机验证器丢失；审批后由安全管理员把激活码交给本人",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(BaseForm):
    """审批意见: optional when approving, required when rejecting (the service checks)."""

    note = forms.CharField(label="审批意见", max_length=200, required=False)


class ActivationStartForm(BaseForm):
    username = forms.CharField(label="用户名", max_length=150)
    code = forms.CharField(
        label="激活码",
        max_length=40,
        help_text="安全管理员交给您的 16 位激活码，如 ABCD-EFGH-JKLM-NPQR（短横线可不输入）",
    )
    username.widget.attrs.update(autocomplete="username", autofocus=True)
    code.widget.attrs.update(autocomplete="one-time-code", autocapitalize="characters")


class ActivationForm(PasswordChangeForm):
    """New password (and, when the account must use two-factor, the first TOTP code)."""

    token = forms.RegexField(
        label="动态口令",
        regex=r"^\s*\d{6}\s*$",
        required=False,
        error_messages={"invalid": "请输入手机验证器显示的 6 位数字"},
    )
    token.widget.attrs.update(autocomplete="one-time-code", inputmode="numeric")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["old_password"]
        if user.needs_mfa:
            self.fields["token"].required = True
        else:
            del self.fields["token"]
