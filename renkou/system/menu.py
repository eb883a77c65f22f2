"""The left menu: modules and their pages, each with the permission that shows it.

Menus are data (RuoYi ``sys_menu``), filtered by the signed-in account's permissions, so a
village administrator never sees the system-management module.
"""

from dataclasses import dataclass

from django.urls import reverse

from renkou.accounts.constants import Perm


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    perm: str | None  # None: every signed-in account
    icon: str = "bi-dot"


@dataclass(frozen=True)
class Module:
    label: str
    icon: str
    items: tuple[MenuItem, ...]


MENU: tuple[Module, ...] = (
    Module("基础信息", "bi-diagram-3", (
        MenuItem("区划单位", "geo:unit_list", Perm.VIEW_UNIT, "bi-geo-alt"),
        MenuItem("服务网络", "geo:servicepoint_list", Perm.VIEW_UNIT, "bi-hospital"),
    )),
    Module("系统管理", "bi-gear", (
        MenuItem("用户管理", "system:user_list", Perm.MANAGE_USER, "bi-people"),
        MenuItem("字典管理", "system:dict_list", Perm.MANAGE_DICT, "bi-book"),
    )),
    Module("安全管理", "bi-shield-lock", (
        MenuItem("在线用户", "system:session_list", Perm.MANAGE_SECURITY, "bi-broadcast"),
        MenuItem("登录日志", "system:loginlog_list", Perm.VIEW_LOGIN_LOG, "bi-box-arrow-in-right"),
    )),
    Module("审计", "bi-journal-check", (
        MenuItem("审计日志", "system:audit_list", Perm.VIEW_AUDIT_LOG, "bi-journal-text"),
    )),
    Module("个人中心", "bi-person-circle", (
        MenuItem("后台任务", "system:job_list", Perm.VIEW_JOBS, "bi-hourglass-split"),
        MenuItem("修改密码", "accounts:password", None, "bi-key"),
        MenuItem("双因素认证", "accounts:mfa", None, "bi-phone"),
    )),
)  # fmt: skip


def menu_for(user: object, current_path: str) -> list[dict]:
    """The modules and items this user may see, with the active item marked."""
    modules = []
    for module in MENU:
        items = []
        for item in module.items:
            if item.perm is not None and not user.has_perm(item.perm):  # type: ignore[attr-defined]
                continue
            url = reverse(item.url_name)
            items.append({"label": item.label, "url": url, "icon": item.icon,
                          "active": current_path.startswith(url)})  # fmt: skip
        if items:
            modules.append({"label": module.label, "icon": module.icon, "items": items,
                            "active": any(i["active"] for i in items)})  # fmt: skip
    return modules
