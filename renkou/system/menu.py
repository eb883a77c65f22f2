"""The left menu: modules and their pages, each with the permission that shows it.

Menus are data (RuoYi ``sys_menu``), filtered by the signed-in account's permissions, so a
village administrator never sees the system-management module.

An account that reads people's data only under a grant (the 督查员, issue 14 item 6) is not
offered the person lists outside a visit: they would be empty (``renkou.geo.scope``).
"""

import functools
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from renkou.accounts.constants import Perm, Role
from renkou.geo.scope import person_grants

# The pages that list people's data (or figures computed from it, row by row): hidden from an
# account whose person grants are empty today.
PERSON_PAGE_PERMS = frozenset({Perm.VIEW_PERSON, Perm.VIEW_QUALITY})


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
    Module(
        "基础信息",
        "bi-diagram-3",
        (
            MenuItem("区划单位", "geo:unit_list", Perm.VIEW_UNIT, "bi-geo-alt"),
            MenuItem("服务网络", "geo:servicepoint_list", Perm.VIEW_UNIT, "bi-hospital"),
        ),
    ),
    Module(
        "户籍管理",
        "bi-house-door",
        (
            MenuItem("家庭户", "people:household_list", Perm.VIEW_PERSON, "bi-house"),
            MenuItem("人员管理", "people:person_list", Perm.VIEW_PERSON, "bi-person-lines-fill"),
            MenuItem("人员登记", "people:person_create", Perm.EDIT_PERSON, "bi-person-plus"),
            MenuItem("人员导入", "people:import_list", Perm.IMPORT_PERSON, "bi-upload"),
            MenuItem("导出审批", "people:export_approval_list", Perm.UNMASK_PERSON, "bi-clipboard"),
            MenuItem("我的导出申请", "people:export_request_list", Perm.UNMASK_PERSON, "bi-shield"),
        ),
    ),
    Module(
        "人口变动",
        "bi-journal-text",
        (
            MenuItem("变动登记簿", "events:event_list", Perm.VIEW_PERSON, "bi-journal-text"),
            MenuItem("登记变动", "events:event_create", Perm.RECORD_EVENT, "bi-journal-plus"),
            MenuItem("待审核变动", "events:review_queue", Perm.CONFIRM_EVENT, "bi-check2-circle"),
            MenuItem(
                "月报上报情况", "events:monthly_overview", Perm.VIEW_AGGREGATE, "bi-calendar2"
            ),
            MenuItem("变动导入", "events:import_list", Perm.IMPORT_EVENT, "bi-upload"),
        ),
    ),
    Module(
        "孕前优生",
        "bi-heart-pulse",
        (
            MenuItem("夫妇档案", "programs:couple_list", Perm.VIEW_PERSON, "bi-people"),
            MenuItem("随访到期", "programs:followup_due", Perm.VIEW_PERSON, "bi-alarm"),
            MenuItem("目标人群", "programs:target_list", Perm.VIEW_AGGREGATE, "bi-bullseye"),
            MenuItem("覆盖与随访", "programs:coverage", Perm.VIEW_AGGREGATE, "bi-graph-up"),
        ),
    ),
    # menu:rh (reproductive-health services module goes here)
    Module(
        "生殖健康",
        "bi-clipboard2-pulse",
        (
            MenuItem("服务对象查找", "programs:rh_find", Perm.VIEW_PERSON, "bi-search"),
            MenuItem(
                "生殖健康检查", "programs:rh_check_list", Perm.VIEW_PERSON, "bi-clipboard2-check"
            ),
            MenuItem("妇科治疗", "programs:treatment_list", Perm.VIEW_PERSON, "bi-bandaid"),
            MenuItem("避孕节育随访", "programs:visit_list", Perm.VIEW_PERSON, "bi-telephone"),
            MenuItem("药具发放", "programs:supply_list", Perm.VIEW_PERSON, "bi-box-seam"),
            MenuItem("服务人次统计", "programs:rh_counts", Perm.VIEW_AGGREGATE, "bi-bar-chart"),
        ),
    ),
    # menu:todo (to-do lists module goes here)
    Module(
        "服务信息引导",
        "bi-list-check",
        (
            MenuItem("我的待办", "todo:item_list", Perm.VIEW_PERSON, "bi-check2-square"),
            MenuItem("服务提醒规则", "todo:rule_list", Perm.MANAGE_TODO_RULE, "bi-sliders"),
        ),
    ),
    # menu:assessment (service quotas module goes here)
    Module(
        "任务指标",
        "bi-flag",
        (
            MenuItem("完成情况", "assessment:overview", Perm.VIEW_AGGREGATE, "bi-speedometer"),
            MenuItem("指标管理", "assessment:quota_list", Perm.MANAGE_QUOTA, "bi-list-check"),
        ),
    ),
    Module(
        "目标管理考核",
        "bi-award",
        (
            MenuItem("考核看板", "assessment:mine", Perm.VIEW_ASSESSMENT, "bi-speedometer2"),
            MenuItem(
                "考核方案", "assessment:scheme_list", Perm.VIEW_ASSESSMENT, "bi-journal-check"
            ),
            MenuItem(
                "领导责任档案",
                "assessment:responsibility_list",
                Perm.VIEW_ASSESSMENT,
                "bi-person-badge",
            ),
        ),
    ),
    Module(
        "督查与重点工作",
        "bi-clipboard-check",
        (
            MenuItem(
                "重点工作", "supervision:task_list", Perm.VIEW_SUPERVISION, "bi-calendar-check"
            ),
            MenuItem("包乡包村", "supervision:staff_list", Perm.VIEW_SUPERVISION, "bi-people"),
        ),
    ),
    Module(
        "流动人口",
        "bi-signpost-split",
        (
            MenuItem("流动人口登记", "floating:record_list", Perm.VIEW_PERSON, "bi-person-walking"),
            MenuItem("登记流动", "floating:record_find", Perm.EDIT_PERSON, "bi-person-plus"),
            MenuItem("协查函件", "floating:message_list", Perm.VIEW_PERSON, "bi-envelope"),
            MenuItem("婚育证明查验率", "floating:check_rate", Perm.VIEW_AGGREGATE, "bi-graph-up"),
        ),
    ),
    Module(
        "举报",
        "bi-megaphone",
        (
            MenuItem("举报台账", "tipoffs:list", Perm.VIEW_TIPOFF, "bi-journal-text"),
            MenuItem("登记举报", "tipoffs:create", Perm.INTAKE_TIPOFF, "bi-plus-square"),
            MenuItem("举报统计", "tipoffs:stats", Perm.VIEW_TIPOFF_STATS, "bi-bar-chart"),
            MenuItem("举报奖励发放", "tipoffs:reward_list", Perm.PAY_REWARD, "bi-cash-coin"),
            MenuItem("“两非”案件", "cases:list", Perm.VIEW_CASE, "bi-folder2-open"),
            MenuItem("“两非”案件统计", "cases:stats", Perm.VIEW_CASE_STATS, "bi-bar-chart-line"),
        ),
    ),
    # menu:benefits (benefit programmes module goes here)
    Module(
        "利益导向",
        "bi-gift",
        (
            MenuItem("全覆盖名单", "benefits:screening", Perm.VIEW_PERSON, "bi-list-check"),
            MenuItem("资格查询", "benefits:eligibility_search", Perm.VIEW_PERSON, "bi-search"),
            MenuItem(
                "申请审核", "benefits:application_list", Perm.VIEW_PERSON, "bi-clipboard-check"
            ),
            MenuItem("公示", "benefits:notice_list", Perm.VIEW_PERSON, "bi-megaphone"),
            MenuItem(
                "享受对象台账", "benefits:beneficiary_list", Perm.VIEW_PERSON, "bi-journal-text"
            ),
            MenuItem("年审", "benefits:reconfirmation_list", Perm.MANAGE_BENEFIT_RULE, "bi-repeat"),
            MenuItem("发放清册", "benefits:roll_list", Perm.PAY_BENEFIT, "bi-cash-stack"),
            MenuItem("年度对账", "benefits:reconciliation", Perm.PAY_BENEFIT, "bi-calculator"),
            MenuItem("利益导向指标", "benefits:figures", Perm.VIEW_AGGREGATE, "bi-graph-up"),
            MenuItem(
                "项目与标准", "benefits:program_list", Perm.VIEW_AGGREGATE, "bi-journal-bookmark"
            ),
        ),
    ),
    Module(
        "统计分析",
        "bi-bar-chart-line",
        (
            MenuItem("统计概览", "reports:dashboard", Perm.VIEW_AGGREGATE, "bi-speedometer2"),
            MenuItem("统计指标", "reports:indicators", Perm.VIEW_AGGREGATE, "bi-graph-up-arrow"),
            MenuItem(
                "人口变动平衡表", "reports:balance", Perm.VIEW_AGGREGATE, "bi-distribute-vertical"
            ),
            MenuItem("统计报表", "reports:table_list", Perm.VIEW_AGGREGATE, "bi-table"),
            MenuItem(
                "报表上报情况", "reports:table_status", Perm.SUBMIT_REPORT, "bi-check2-square"
            ),
            MenuItem("年度目标", "reports:target_list", Perm.VIEW_AGGREGATE, "bi-bullseye"),
            MenuItem("数据大屏", "reports:bigscreen", Perm.VIEW_AGGREGATE, "bi-display"),
        ),
    ),
    Module(
        "数据质量",
        "bi-clipboard-check",
        (
            MenuItem("质量分析", "people:quality", Perm.VIEW_QUALITY, "bi-graph-up"),
            MenuItem("疑似重复人员", "people:duplicate_list", Perm.VIEW_QUALITY, "bi-people"),
        ),
    ),
    Module(
        "系统管理",
        "bi-gear",
        (
            MenuItem("用户管理", "system:user_list", Perm.MANAGE_USER, "bi-people"),
            MenuItem("授权申请", "system:request_list", Perm.MANAGE_USER, "bi-person-check"),
            MenuItem("字典管理", "system:dict_list", Perm.MANAGE_DICT, "bi-book"),
        ),
    ),
    Module(
        "安全管理",
        "bi-shield-lock",
        (
            MenuItem("账号审批", "system:approval_list", Perm.APPROVE_ACCOUNT, "bi-person-check"),
            MenuItem("在线用户", "system:session_list", Perm.MANAGE_SECURITY, "bi-broadcast"),
            MenuItem(
                "登录日志", "system:loginlog_list", Perm.VIEW_LOGIN_LOG, "bi-box-arrow-in-right"
            ),
        ),
    ),
    Module(
        "审计",
        "bi-journal-check",
        (MenuItem("审计日志", "system:audit_list", Perm.VIEW_AUDIT_LOG, "bi-journal-text"),),
    ),
    Module(
        "个人中心",
        "bi-person-circle",
        (
            MenuItem("后台任务", "system:job_list", Perm.VIEW_JOBS, "bi-hourglass-split"),
            MenuItem("修改密码", "accounts:password", None, "bi-key"),
            MenuItem("双因素认证", "accounts:mfa", None, "bi-phone"),
        ),
    ),
)


# The home page's 常用功能 of each role: its daily work, not every page of the menu (a village
# administrator registers persons and events, does the to-do list and takes applications; the
# big screen and the yearly targets are the county's). Roles not listed get their whole menu.
SHORTCUTS: dict[str, tuple[str, ...]] = {
    Role.VILLAGE_ADMIN: (
        "people:person_create",
        "people:person_list",
        "people:household_list",
        "events:event_create",
        "events:event_list",
        "todo:item_list",
        "programs:rh_find",
        "programs:supply_list",
        "benefits:eligibility_search",
        "benefits:application_list",
    ),
    Role.TOWNSHIP_OFFICER: (
        "people:person_list",
        "people:household_list",
        "events:review_queue",
        "events:monthly_overview",
        "todo:item_list",
        "programs:couple_list",
        "benefits:application_list",
        "benefits:notice_list",
        "assessment:overview",
        "supervision:task_list",
        "reports:table_status",
    ),
    Role.TECHNICIAN: (
        "programs:rh_find",
        "programs:rh_check_list",
        "programs:treatment_list",
        "programs:visit_list",
        "programs:supply_list",
        "programs:couple_list",
        "programs:followup_due",
        "todo:item_list",
    ),
    # The person and event lists show only during a visit (the sampled persons); data quality
    # and duplicates are the township's work, not a sample's.
    Role.INSPECTOR: (
        "supervision:inspection_list",
        "supervision:task_list",
        "people:person_list",
        "events:event_list",
        "assessment:overview",
        "reports:indicators",
        "reports:table_list",
    ),
}


def shortcuts_for(user: object) -> list[dict]:
    """The home page's quick links: the role's daily pages among those its menu shows."""
    items = [item for module in menu_for(user, "") for item in module["items"]]
    wanted = SHORTCUTS.get(getattr(user, "role", ""))
    if wanted is None:
        return items
    by_name = {item["url_name"]: item for item in items}
    return [by_name[name] for name in wanted if name in by_name]


@functools.cache
def _visible(granted: frozenset[str], no_persons: bool) -> tuple[tuple[Module, tuple], ...]:
    """The modules and (item, address) pairs an account with these permissions sees: the same
    for every account of a role, so worked out once per process (reversing 60 addresses and
    checking 60 permissions took a third of a refused page's time)."""
    visible = []
    for module in MENU:
        items = tuple(
            (item, reverse(item.url_name))
            for item in module.items
            if (item.perm is None or item.perm in granted)
            and not (no_persons and item.perm in PERSON_PAGE_PERMS)
        )
        if items:
            visible.append((module, items))
    return tuple(visible)


MENU_PERMS = frozenset(item.perm for module in MENU for item in module.items if item.perm)


def menu_for(user: object, current_path: str) -> list[dict]:
    """The modules and items this user may see, with the active item marked."""
    granted = frozenset(perm for perm in MENU_PERMS if user.has_perm(perm))  # type: ignore[attr-defined]  # only signed-in users reach the menu
    modules = []
    for module, pairs in _visible(granted, person_grants(user) == ()):
        items = [
            {
                "label": item.label,
                "url_name": item.url_name,
                "url": url,
                "icon": item.icon,
                "active": current_path.startswith(url),
            }
            for item, url in pairs
        ]
        modules.append(
            {
                "label": module.label,
                "icon": module.icon,
                "items": items,
                "active": any(i["active"] for i in items),
            }
        )
    return modules


def menu_html(modules: list[dict]) -> SafeString:
    """The sidebar's modules and links, escaped, built here rather than in base.html: the
    template engine took 8 ms of every page over the county officer's 59 links, this < 1 ms."""
    return format_html_join(
        "",
        '<div class="menu-module"><button class="menu-toggle{}" type="button"'
        ' data-bs-toggle="collapse" data-bs-target="#menu-{}" aria-expanded="{}">'
        '<i class="bi {}"></i> {}</button><div class="collapse{}" id="menu-{}">{}</div></div>',
        (
            (
                "" if module["active"] else " collapsed",
                number,
                "true" if module["active"] else "false",
                module["icon"],
                module["label"],
                " show" if module["active"] else "",
                number,
                format_html_join(
                    "",
                    '<a class="menu-link sub{}" href="{}"><i class="bi {}"></i> {}</a>',
                    (
                        (
                            " active" if item["active"] else "",
                            item["url"],
                            item["icon"],
                            item["label"],
                        )
                        for item in module["items"]
                    ),
                ),
            )
            for number, module in enumerate(modules, start=1)
        ),
    )
