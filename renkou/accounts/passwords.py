"""Password policy profiles (security.md §0.1: ASVS 5.0 and 等保 disagree, so both ship).

``mlps`` (default for Chinese deployments, GB/T 22239 身份鉴别 a): 8+ characters, 3 of the 4
character classes, expires after 90 days, none of the last 5 reused, kept at least 1 day before
the user changes it again (else six changes in a row cycle back to the old one; 等保 assessors
ask for a minimum age beside the history), initial password changed at first sign-in, and not a
common password nor one with a few characters added around it (``12345678Aa``: composition rules
push people to decorate a common password). ``asvs`` (ASVS 5.0 6.2): 12+ characters, not on the
common-password list, no composition rules and no expiry. Both refuse a password containing the
user name.
"""

import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone


@dataclass(frozen=True)
class Profile:
    name: str
    min_length: int
    min_classes: int
    expiry_days: int
    history: int
    common_list: bool
    common_variants: bool = False  # also refuse a common password with ≤ 4 characters added
    min_age_days: int = 0  # the user's own change waits this long after the last one


PROFILES = {
    "mlps": Profile("mlps", 8, 3, 90, 5, common_list=True, common_variants=True, min_age_days=1),
    "asvs": Profile("asvs", 12, 0, 0, 0, common_list=True),
}
MAX_LENGTH = 128


def profile() -> Profile:
    try:
        return PROFILES[settings.RENKOU_PASSWORD_PROFILE]
    except KeyError as exc:
        raise ImproperlyConfigured("RENKOU_PASSWORD_PROFILE must be mlps or asvs") from exc


def _classes(password: str) -> int:
    groups = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() or c in string.punctuation for c in password),
    ]
    return sum(groups)


class ProfileValidator:
    """Django password validator enforcing the active profile."""

    def validate(self, password: str, user: Any = None) -> None:
        rules = profile()
        errors = []
        if len(password) < rules.min_length:
            errors.append(f"密码长度至少 {rules.min_length} 位")
        if len(password) > MAX_LENGTH:
            errors.append(f"密码长度不能超过 {MAX_LENGTH} 位")
        if rules.min_classes and _classes(password) < rules.min_classes:
            errors.append("密码须包含大写字母、小写字母、数字、符号中的至少 3 类")
        username = getattr(user, "username", "") or ""
        if len(username) >= 3 and username.lower() in password.lower():
            errors.append("密码不能包含用户名")
        if rules.common_list and _is_common(password, variants=rules.common_variants):
            errors.append("该密码过于常见，容易被猜中")
        if user is not None and rules.history and _reused(password, user, rules.history):
            errors.append(f"不能与最近 {rules.history} 次使用过的密码相同")
        if errors:
            raise ValidationError(errors, code="password_policy")

    def get_help_text(self) -> str:
        rules = profile()
        text = f"至少 {rules.min_length} 位"
        if rules.min_classes:
            text += "，含大写字母、小写字母、数字、符号中的至少 3 类"
        if rules.history:
            text += f"，不能与最近 {rules.history} 次密码相同"
        if rules.min_age_days:
            text += f"，修改后 {rules.min_age_days} 天内不能再次修改"
        if rules.expiry_days:
            text += f"，每 {rules.expiry_days} 天须更换"
        return text + "。"


_common = CommonPasswordValidator()


DECORATION = 4  # characters a user typically adds around a common password ("Aa", "1!", "@2024")
CORE = 6  # shorter cores would match too much by chance


def _is_common(password: str, *, variants: bool = False) -> bool:
    text = password.lower().strip()
    if text in _common.passwords:
        return True
    if not variants:
        return False
    for start in range(DECORATION + 1):
        for end in range(DECORATION + 1 - start):
            core = text[start : len(text) - end]
            if len(core) >= CORE and core in _common.passwords:
                return True
    return False


def min_age_message(user: Any) -> str:
    days = profile().min_age_days
    after = timezone.localtime(user.password_changed_at + timedelta(days=days))
    return (
        f"密码修改后 {days} 天内不能再次修改（以免连续修改绕过历史密码检查），"
        f"请在 {after:%Y-%m-%d %H:%M} 以后再改；忘记密码请联系系统管理员重置。"
    )


def too_soon(user: Any) -> bool:
    """Is it too early for the user's own change (minimum age)? A change the account must make
    — the first after an activation or reset, or after expiry — is never too soon."""
    days = profile().min_age_days
    changed: datetime | None = getattr(user, "password_changed_at", None)
    if not days or changed is None or user.must_change_password or user.password_expired():
        return False
    return timezone.now() - changed < timedelta(days=days)


def _reused(password: str, user: Any, depth: int) -> bool:
    if not getattr(user, "pk", None):
        return False
    if user.password and check_password(password, user.password):
        return True
    recent = user.password_history.all()[: depth - 1]
    return any(check_password(password, old.password) for old in recent)
