"""Roles and what each may do (RuoYi-style: a role grants permission strings; the account's
unit decides where). Deny by default: a permission not listed here is granted to nobody.

Separation of duties (三员, 等保 访问控制): the system, security and audit administrators hold
no person-data permission, and only the audit administrator reads the audit log. Leaders see
aggregate figures only, never a person.
"""

from django.db import models

from renkou.geo import constants as geo


class Role(models.TextChoices):
    VILLAGE_ADMIN = "village_admin", "村计生专干"
    TOWNSHIP_OFFICER = "township_officer", "乡镇计生办"
    COUNTY_OFFICER = "county_officer", "县局业务人员"
    TECHNICIAN = "technician", "服务技术人员"
    INSPECTOR = "inspector", "督查员"
    LEADER = "leader", "领导"
    SYS_ADMIN = "sys_admin", "系统管理员"
    SEC_ADMIN = "sec_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"
    FINANCE = "finance", "财务人员"


class Perm:
    """Permission strings, ``<app>.<codename>`` as Django's ``has_perm`` expects."""

    VIEW_UNIT = geo.VIEW_UNIT
    MANAGE_UNIT = geo.MANAGE_UNIT
    MANAGE_NETWORK = geo.MANAGE_NETWORK
    MANAGE_USER = "accounts.manage_user"
    MANAGE_SECURITY = "accounts.manage_security"
    APPROVE_ACCOUNT = "accounts.approve_account"
    VIEW_LOGIN_LOG = "accounts.view_login_log"
    VIEW_AUDIT_LOG = "common.view_audit_log"
    MANAGE_DICT = "common.manage_dict"
    VIEW_PERSON = "people.view_person"
    EDIT_PERSON = "people.edit_person"
    UNMASK_PERSON = "people.unmask_person"
    EXPORT_PERSON = "people.export_person"
    IMPORT_PERSON = "people.import_person"
    MERGE_PERSON = "people.merge_person"
    VIEW_QUALITY = "people.view_quality"
    VIEW_AGGREGATE = "reports.view_aggregate"
    RECORD_EVENT = "events.record_event"
    CONFIRM_EVENT = "events.confirm_event"
    IMPORT_EVENT = "events.import_event"
    MANAGE_TARGET = "reports.manage_target"
    SUBMIT_REPORT = "reports.submit_report"
    VIEW_JOBS = "common.view_jobs"
    MANAGE_COUPLE = "programs.manage_couple"
    CONFIRM_ELIGIBILITY = "programs.confirm_eligibility"
    RECORD_EXAM = "programs.record_exam"
    VIEW_EXAM_DETAIL = "programs.view_exam_detail"
    RECORD_RH = "programs.record_rh"
    RECORD_FOLLOWUP = "programs.record_followup"
    MANAGE_QUOTA = "assessment.manage_quota"
    MANAGE_SCHEME = "assessment.manage_scheme"
    VIEW_ASSESSMENT = "assessment.view_assessment"
    ASSESS = "assessment.assess"
    ACKNOWLEDGE_LETTER = "assessment.acknowledge_letter"
    MANAGE_TODO_RULE = "todo.manage_rule"
    VIEW_SUPERVISION = "supervision.view"
    MANAGE_TASK = "supervision.manage_task"
    REPORT_TASK = "supervision.report_task"
    INSPECT = "supervision.inspect"
    APPLY_BENEFIT = "benefits.apply"
    REVIEW_BENEFIT = "benefits.review"
    MANAGE_BENEFIT_RULE = "benefits.manage_rule"
    PAY_BENEFIT = "benefits.pay"
    VIEW_TIPOFF = "tipoffs.view"
    INTAKE_TIPOFF = "tipoffs.intake"
    ASSIGN_TIPOFF = "tipoffs.assign"
    DECIDE_REWARD = "tipoffs.decide_reward"
    PAY_REWARD = "tipoffs.pay_reward"
    VIEW_TIPOFF_STATS = "tipoffs.view_stats"
    VIEW_CASE = "cases.view"
    EDIT_CASE = "cases.edit"
    VIEW_CASE_STATS = "cases.view_stats"


PERMISSION_LABELS = {
    Perm.VIEW_UNIT: "查看区划与服务网络",
    Perm.MANAGE_UNIT: "维护区划与服务网络",
    Perm.MANAGE_NETWORK: "服务网络：维护开放时间、改造情况、设备与执业许可证",
    Perm.MANAGE_USER: "用户管理",
    Perm.MANAGE_SECURITY: "安全策略、在线用户与强退、解锁",
    Perm.APPROVE_ACCOUNT: "审批账号授权（新增账号、授予人员或审计权限、重置密码、三员账号变更）",
    Perm.VIEW_LOGIN_LOG: "查看登录日志",
    Perm.VIEW_AUDIT_LOG: "查看与导出审计日志",
    Perm.MANAGE_DICT: "字典管理",
    Perm.VIEW_PERSON: "查看个人信息（本单位及下级）",
    Perm.EDIT_PERSON: "登记与修改户和人员",
    Perm.UNMASK_PERSON: "查看完整身份证号和电话（留痕）",
    Perm.EXPORT_PERSON: "导出人员名单",
    Perm.IMPORT_PERSON: "批量导入人员",
    Perm.MERGE_PERSON: "处理重复人员（合并）",
    Perm.VIEW_QUALITY: "数据质量",
    Perm.VIEW_AGGREGATE: "查看统计汇总",
    Perm.RECORD_EVENT: "登记人口变动（出生、死亡、婚姻、迁移、流动）",
    Perm.CONFIRM_EVENT: "审核人口变动",
    Perm.IMPORT_EVENT: "批量导入人口变动",
    Perm.MANAGE_TARGET: "制定年度目标",
    Perm.SUBMIT_REPORT: "上报与锁定统计报表",
    Perm.VIEW_JOBS: "查看本人后台任务",
    Perm.MANAGE_COUPLE: "孕前优生：建档、登记怀孕、随访与结案",
    Perm.CONFIRM_ELIGIBILITY: "孕前优生：确认服务资格（发服务通知单）",
    Perm.RECORD_EXAM: "孕前优生：录入检查结果与风险评估",
    Perm.VIEW_EXAM_DETAIL: "查看检查结果、风险因素、妇科检查与治疗、随访详情（留痕）",
    Perm.RECORD_RH: "生殖健康：录入妇科检查与治疗（含蓝氧）",
    Perm.RECORD_FOLLOWUP: "录入随访（孕前优生早孕与结局、避孕节育术后）与药具发放",
    Perm.MANAGE_QUOTA: "制定年度任务指标（含一票否决项）",
    Perm.MANAGE_SCHEME: "制定与发布目标管理责任制考核方案",
    Perm.VIEW_ASSESSMENT: "查看目标管理责任制考核（方案、看板、评分表，本单位及下级）",
    Perm.ASSESS: "考核评分：人工评分项、扣分、年终定格",
    Perm.ACKNOWLEDGE_LETTER: "确认本乡镇的目标管理责任书",
    Perm.MANAGE_TODO_RULE: "维护服务提醒规则",
    Perm.VIEW_SUPERVISION: "查看重点工作与督查（本单位及下级）",
    Perm.MANAGE_TASK: "下达重点工作、确认完成",
    Perm.REPORT_TASK: "重点工作：上传佐证、报告完成；整改反馈",
    Perm.INSPECT: "督查：安排督查、抽样核实、记录问题、下发整改通知与复查",
    Perm.APPLY_BENEFIT: "利益导向：受理与提交申请",
    Perm.REVIEW_BENEFIT: "利益导向：审核、公示与审批",
    Perm.MANAGE_BENEFIT_RULE: "利益导向：维护项目、规则与标准",
    Perm.PAY_BENEFIT: "利益导向：生成发放清册、下载含完整账号的银行文件、导入银行结果（留痕）",
    Perm.VIEW_TIPOFF: "举报：查看本单位及下级的举报（举报人信息仅承办人可见）",
    Perm.INTAKE_TIPOFF: "举报：登记窗口、电话、信函举报",
    Perm.ASSIGN_TIPOFF: "举报：指定承办人",
    Perm.DECIDE_REWARD: "举报：决定奖励金额",
    Perm.PAY_REWARD: "举报：登记奖励发放（财务）",
    Perm.VIEW_TIPOFF_STATS: "举报：查看统计（不含举报人信息）",
    Perm.VIEW_CASE: "“两非”案件：查看本单位及下级的案件",
    Perm.EDIT_CASE: "“两非”案件：立案、调查、上传证据、移送与结案",
    Perm.VIEW_CASE_STATS: "“两非”案件：查看统计（不含当事方信息）",
}

_WORKER = {Perm.VIEW_UNIT, Perm.VIEW_PERSON, Perm.VIEW_AGGREGATE, Perm.VIEW_JOBS}

_REGISTRAR = {
    Perm.EDIT_PERSON,
    Perm.UNMASK_PERSON,
    Perm.EXPORT_PERSON,
    Perm.VIEW_QUALITY,
    Perm.RECORD_EVENT,
}
_REVIEWER = {Perm.IMPORT_PERSON, Perm.CONFIRM_EVENT, Perm.IMPORT_EVENT, Perm.SUBMIT_REPORT}
# Free pre-pregnancy exam (renkou.programs): files and follow-ups by the village, township and
# county staff, eligibility by the township and county, exams by the service technicians; health
# details in full only for technicians and the woman's own township office (issue 5 item 6).
# Reproductive-health checks and treatments by the technicians; contraception follow-ups and
# free supplies by technicians and village/township staff. Service quotas and reminder rules by
# county officers. Benefits: village and township staff file, township and county review.
_SERVICES_VILLAGE = {Perm.MANAGE_COUPLE, Perm.RECORD_FOLLOWUP, Perm.APPLY_BENEFIT}
_SERVICES_TOWNSHIP = {
    Perm.MANAGE_COUPLE,
    Perm.CONFIRM_ELIGIBILITY,
    Perm.VIEW_EXAM_DETAIL,
    Perm.RECORD_FOLLOWUP,
    Perm.APPLY_BENEFIT,
    Perm.REVIEW_BENEFIT,
}
_SERVICES_COUNTY = {
    Perm.MANAGE_NETWORK,
    Perm.MANAGE_COUPLE,
    Perm.CONFIRM_ELIGIBILITY,
    Perm.MANAGE_QUOTA,
    Perm.MANAGE_SCHEME,
    Perm.VIEW_ASSESSMENT,
    Perm.ASSESS,
    Perm.RECORD_FOLLOWUP,
    Perm.MANAGE_TODO_RULE,
    Perm.REVIEW_BENEFIT,
    Perm.MANAGE_BENEFIT_RULE,
    Perm.VIEW_SUPERVISION,
    Perm.MANAGE_TASK,
    Perm.INSPECT,
}
_SERVICES_TECHNICIAN = {
    Perm.RECORD_EXAM,
    Perm.VIEW_EXAM_DETAIL,
    Perm.RECORD_RH,
    Perm.RECORD_FOLLOWUP,
}

# Tip-offs (举报, renkou.tipoffs): received, assigned and handled by township and county offices;
# the reward decided by the county, paid by finance; statistics for leaders too.
_TIPOFFS = {
    Perm.VIEW_TIPOFF,
    Perm.INTAKE_TIPOFF,
    Perm.ASSIGN_TIPOFF,
    Perm.VIEW_TIPOFF_STATS,
}
# “两非” cases (renkou.cases): opened and handled by township and county offices; statistics
# for leaders too (counts, never the subject).
_CASES = {Perm.VIEW_CASE, Perm.EDIT_CASE, Perm.VIEW_CASE_STATS}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VILLAGE_ADMIN: frozenset(_WORKER | _REGISTRAR | _SERVICES_VILLAGE),
    Role.TOWNSHIP_OFFICER: frozenset(
        _WORKER
        | _REGISTRAR
        | _REVIEWER
        | _SERVICES_TOWNSHIP
        | {Perm.VIEW_ASSESSMENT, Perm.ACKNOWLEDGE_LETTER, Perm.VIEW_SUPERVISION, Perm.REPORT_TASK}
        | _TIPOFFS
        | _CASES
    ),
    Role.COUNTY_OFFICER: frozenset(
        _WORKER | _REGISTRAR | _REVIEWER | {Perm.MERGE_PERSON, Perm.MANAGE_TARGET}
    )
    | _SERVICES_COUNTY
    | _TIPOFFS
    | _CASES
    | {Perm.DECIDE_REWARD},
    Role.TECHNICIAN: frozenset(_WORKER | _SERVICES_TECHNICIAN),
    Role.INSPECTOR: frozenset(
        _WORKER
        | {
            Perm.VIEW_QUALITY,
            Perm.VIEW_ASSESSMENT,
            Perm.ASSESS,
            Perm.VIEW_SUPERVISION,
            Perm.INSPECT,
        }
    ),
    Role.LEADER: frozenset(
        {
            Perm.VIEW_UNIT,
            Perm.VIEW_AGGREGATE,
            Perm.VIEW_ASSESSMENT,
            Perm.VIEW_SUPERVISION,
            Perm.VIEW_JOBS,
            Perm.VIEW_TIPOFF_STATS,
            Perm.VIEW_CASE_STATS,
        }
    ),
    Role.SYS_ADMIN: frozenset(
        {Perm.VIEW_UNIT, Perm.MANAGE_UNIT, Perm.MANAGE_USER, Perm.MANAGE_DICT, Perm.VIEW_JOBS}
    ),
    Role.SEC_ADMIN: frozenset(
        {Perm.MANAGE_SECURITY, Perm.APPROVE_ACCOUNT, Perm.VIEW_LOGIN_LOG, Perm.VIEW_JOBS}
    ),
    # The audit administrator approves only changes to a security administrator's account
    # (renkou.accounts.approvals: the second administrator when the approver is the target).
    Role.AUDIT_ADMIN: frozenset(
        {Perm.VIEW_AUDIT_LOG, Perm.APPROVE_ACCOUNT, Perm.VIEW_LOGIN_LOG, Perm.VIEW_JOBS}
    ),
    # The county's finance staff: payment rolls and bank results only (the full bank-account
    # numbers leave the system only in the bank file they download, audited).
    # Tip-off rewards too: the tip-off's number, township and amount, never the informant
    # (renkou.tipoffs; the informant collects the reward with the acknowledgement code).
    Role.FINANCE: frozenset({Perm.PAY_BENEFIT, Perm.PAY_REWARD, Perm.VIEW_JOBS}),
}

# Roles that read people's data only under a grant (issue 14 item 6): the 督查员 reads the
# sampled records of the township it inspects, during the visit, and no one else; outside a
# visit no person at all. Their unit rows (aggregates, assessment, tasks, inspections) keep the
# unit's scope. Fail closed: with no grant provider registered, such a role sees no person.
GRANTED_PERSON_ROLES = frozenset({Role.INSPECTOR})

# Roles whose scope is the whole county regardless of where the account sits (三员 work on
# the system, not on a part of the county).
COUNTY_WIDE_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
ADMIN_ROLES = COUNTY_WIDE_ROLES

# Permissions that read people's data (names, numbers, health, bank accounts) or the audit log.
# Giving an account a role that holds one of them — or any of the three administrators' roles —
# is a grant: the system administrator files it, a security administrator approves it (三员 by
# construction, issue 19 item 2; renkou.accounts.approvals).
PERSON_OR_AUDIT_PERMS = frozenset(
    {
        Perm.VIEW_PERSON,
        Perm.VIEW_EXAM_DETAIL,
        Perm.PAY_BENEFIT,
        Perm.UNMASK_PERSON,
        Perm.EXPORT_PERSON,
        Perm.VIEW_AUDIT_LOG,
    }
)
GRANT_ROLES = frozenset(
    role
    for role in Role
    if role in ADMIN_ROLES or ROLE_PERMISSIONS.get(role, frozenset()) & PERSON_OR_AUDIT_PERMS
)


class AreaRole(models.TextChoices):
    """包乡包村: what a member of staff is assigned to a township or village as (issue 14
    item 7), besides the unit the account belongs to."""

    TOWNSHIP_LEADER = "township_leader", "包乡领导"
    TOWNSHIP_OFFICER = "township_officer", "包乡干部"
    VILLAGE_TECHNICIAN = "village_technician", "包村技术员"


# The accounts each assignment may be given to, and the level of the unit it is to: a leader
# (or a county officer standing in) leads a township; county officers, inspectors and
# technicians are its officers; technicians (or township officers) look after a village.
AREA_ROLE_STAFF: dict[str, frozenset[str]] = {
    AreaRole.TOWNSHIP_LEADER: frozenset({Role.LEADER, Role.COUNTY_OFFICER}),
    AreaRole.TOWNSHIP_OFFICER: frozenset({Role.COUNTY_OFFICER, Role.INSPECTOR, Role.TECHNICIAN}),
    AreaRole.VILLAGE_TECHNICIAN: frozenset({Role.TECHNICIAN, Role.TOWNSHIP_OFFICER}),
}
AREA_ROLE_LEVEL: dict[str, int] = {
    AreaRole.TOWNSHIP_LEADER: geo.Level.TOWNSHIP,
    AreaRole.TOWNSHIP_OFFICER: geo.Level.TOWNSHIP,
    AreaRole.VILLAGE_TECHNICIAN: geo.Level.VILLAGE,
}
