"""Authentication backend that answers ``has_perm`` from the account's role."""

from typing import Any

from django.contrib.auth.backends import ModelBackend


class RoleBackend(ModelBackend):
    """Password sign-in as ModelBackend; permissions come from the role table, not from
    Django's per-user permission rows, so a role's rights are one reviewed list in code."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(user_obj.permissions)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
