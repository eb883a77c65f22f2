"""The audit trail in words for the audit administrator (issue 11 item 8).

Audit rows keep their codes (``person.view``, ``benefits.application_approve``): they are
hashed into the chain and must never change. The pages read them in Chinese: an action code is
named by its words (the object, then the verb, e.g. ``benefits.roll_lock`` → 锁定发放清册),
an object type by its model's name, a permission by its label. A code the vocabulary does not
know is shown as 其他操作 with the code in the tooltip, so nothing is hidden.
"""

import re
from functools import lru_cache

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from renkou.accounts.constants import PERMISSION_LABELS
from renkou.accounts.models import LoginLog
from renkou.benefits.constants import Action

# Whole codes whose words do not compose well; sign-ins and the steps of a benefit application
# are named as their own pages name them.
ACTIONS = {
    **{f"auth.{value}": f"登录：{label}" for value, label in LoginLog.Result.choices},
    **{
        f"benefits.application_{value}": f"利益导向申请：{label}" for value, label in Action.choices
    },
    "authz.denied": "越权访问被拒绝",
    "scope.grant_read": "督查期间查阅抽样人员信息",
    "accounts.staff_assignment_add": "安排包乡包村",
    "accounts.staff_assignment_change": "修改包乡包村",
    "accounts.staff_assignment_end": "结束包乡包村",
    "assessment.responsibility_entry_add": "记录领导责任档案",
    "crypto.rotate": "更换加密密钥",
    "demo.seed": "生成演示人口",
    "demo.events": "生成演示变动",
    "demo.programs": "生成演示孕前优生数据",
    "demo.rh_services": "生成演示生殖健康数据",
    "demo.benefits": "生成演示利益导向数据",
    "person.unmask": "查看完整身份证号或电话",
    "person.export_full": "导出含完整号码的人员名单",
    "person.export_request": "申请完整导出",
    "person.duplicate_distinct": "确认不是重复人员",
    "person.search": "查询人员",
    "benefits.figure_names": "查看利益导向指标名单",
    "benefits.bank_file_download": "下载银行代发文件",
    "benefits.bank_result_import": "导入银行发放结果",
    "benefits.change_accept_all": "年审变动全部接受",
    "benefits.screening": "查看全覆盖名单",
    "programs.rh_find": "查找生殖健康服务对象",
    "programs.due_list": "查看随访到期名单",
    "report.drilldown": "查看统计名单",
    "monthly_report.submit": "上报村级月报",
    "todo.list": "查看待办",
    "todo.rule_change": "修改服务提醒规则",
    "job.download": "下载后台任务结果",
    "audit.export": "导出审计日志",
    "audit.verify": "校验审计日志",
    "api.token_issue": "签发接口令牌",
    "session.kill": "强制下线",
    "password.reset": "重置密码",
    "account.request": "提交授权申请",
    "account.approve": "批准授权申请",
    "account.reject": "驳回授权申请",
    "account.cancel": "撤回授权申请",
    "account.code_issue": "签发激活码",
    "account.activate": "激活账号",
    "user.create": "新增用户",
    "user.update": "修改用户",
    "files.purge": "清理过期文件",
    "person.import": "导入人员",
    "person.import_upload": "上传人员导入文件",
    "person.import_report": "下载人员导入错误报告",
    "person.move": "人员迁户",
    "event.import": "导入人口变动",
    "event.parity_override": "填写与推算不同的孩次",
    "event.import_upload": "上传变动导入文件",
    "event.import_report": "下载变动导入错误报告",
    "unit.service_point_add": "增加服务机构",
    "network.point_update": "修改服务机构信息",
    "network.equipment_add": "登记设备",
    "network.equipment_update": "修改设备",
    "network.licence_add": "登记执业许可证",
    "network.licence_update": "修改执业许可证",
    "unit.group_add": "增加村民小组",
    "programs.view": "查看孕前优生档案",
    "programs.names": "查看孕前优生名单",
    "programs.rh_view": "查看生殖健康记录",
    "programs.assessment_record": "登记风险评估",
    "programs.assessment_update": "修改风险评估",
    "programs.target_adjust": "调整孕前优生目标人群",
    "assessment.names": "查看任务指标名单",
    "assessment.scheme_create": "新建考核方案",
    "assessment.scheme_copy": "复制考核方案",
    "assessment.scheme_rename": "修改考核方案名称",
    "assessment.scheme_publish": "发布考核方案",
    "assessment.scheme_delete": "删除考核方案草稿",
    "assessment.item_create": "新增考核指标",
    "assessment.item_change": "修改考核指标",
    "assessment.item_delete": "删除考核指标",
    "assessment.manual_score": "录入人工评分",
    "assessment.deduction_add": "记录考核扣分",
    "assessment.deduction_withdraw": "撤销考核扣分",
    "assessment.evidence_download": "下载考核佐证材料",
    "assessment.board_export": "导出考核排名",
    "assessment.sheet_export": "导出考核评分表",
    "assessment.scores_freeze": "定格考核结果",
    "assessment.township_target_set": "调整乡镇考核目标",
    "assessment.township_target_delete": "恢复乡镇考核目标为方案目标",
    "assessment.letters_issue": "签订目标管理责任书",
    "assessment.letter_acknowledge": "乡镇确认目标管理责任书",
    "assessment.county_figure_set": "录入地区其他县市对比数据",
    "assessment.county_figure_delete": "删除地区其他县市对比数据",
    "assessment.county_figures_import": "导入地区其他县市对比数据",
    "benefits.view": "查看利益导向申请",
    "benefits.beneficiary_open": "纳入享受对象",
    "benefits.beneficiary_stop": "停止享受待遇",
    "benefits.account_record": "登记银行账号",
    "benefits.roll_create": "生成发放清册",
    "benefits.document_add": "上传申请材料",
    "benefits.change_decide": "决定年审变动",
    "supervision.task_create": "下达重点工作",
    "supervision.responsible_set": "指定重点工作责任人",
    "supervision.evidence_add": "上传重点工作佐证",
    "supervision.evidence_download": "下载重点工作佐证",
    "supervision.count_record": "登记重点工作完成数量",
    "supervision.assignment_submit": "报告重点工作完成",
    "supervision.assignment_confirm": "确认重点工作完成",
    "supervision.assignment_return": "退回重点工作",
    "supervision.inspection_plan": "安排督查",
    "supervision.inspection_sample": "督查随机抽样",
    "supervision.inspection_start": "开始督查",
    "supervision.inspection_close": "结束督查",
    "supervision.sample_verify": "核实抽样记录",
    "supervision.finding_add": "记录督查发现的问题",
    "supervision.notice_issue": "下发整改通知",
    "supervision.notice_respond": "反馈整改情况",
    "supervision.notice_recheck": "整改复查",
    "supervision.notice_photo_download": "下载整改佐证",
    "supervision.bulletin_create": "生成督查通报",
    "supervision.bulletin_publish": "发布督查通报",
    "supervision.bulletin_pdf": "打印督查通报",
    "tipoffs.receive": "受理举报",
    "tipoffs.assign": "指定举报承办人",
    "tipoffs.step": "记录举报调查情况",
    "tipoffs.conclude": "举报办结",
    "tipoffs.reward_decide": "决定举报奖励",
    "tipoffs.reward_pay": "登记举报奖励发放",
    "tipoffs.export": "导出举报台账",
    "tipoffs.informant_read": "承办人查看举报人信息",
    "cases.open": "“两非”案件立案",
    "cases.update": "修改“两非”案件",
    "cases.step": "记录“两非”案件调查情况",
    "cases.evidence_add": "上传“两非”案件证据材料",
    "cases.evidence_download": "下载“两非”案件证据材料",
    "cases.refer": "“两非”案件移送",
    "cases.close": "“两非”案件结案",
    "cases.view": "查看“两非”案件（当事人为个人）",
    "cases.export": "导出“两非”案件台账",
    "floating.view": "查看流动人口登记或协查函件",
    "floating.find": "查找待登记流动的人员",
    "floating.export": "导出流动人口登记",
    "floating.record_register": "登记流动人口",
    "floating.record_update": "修改流动人口登记",
    "floating.certificate_add": "登记婚育证明",
    "floating.certificate_update": "修改或核验婚育证明",
    "floating.message_register": "登记协查函件",
    "floating.message_reply": "登记协查反馈",
    "floating.message_link": "确认协查对象（关联本地人员）",
    "floating.candidates": "查看协查对象的候选人员",
}
# Objects, in the order they appear in a code (``benefits.notice_export``: 公示 of 利益导向).
NOUNS = {
    "person": "人员",
    "household": "家庭户",
    "event": "人口变动",
    "card": "育龄妇女卡",
    "child": "子女",
    "episode": "避孕节育情况",
    "pregnancy": "孕情",
    "duplicate": "疑似重复人员",
    "unit": "区划单位",
    "units": "区划",
    "group": "村民小组",
    "service": "服务机构",
    "point": "",
    "user": "用户",
    "account": "账号",
    "dict": "字典",
    "type": "类型",
    "item": "数据项",
    "session": "会话",
    "password": "密码",
    "job": "后台任务",
    "target": "年度目标",
    "report": "统计报表",
    "table": "统计报表",
    "quota": "任务指标",
    "programs": "",
    "benefits": "",
    "assessment": "",
    "couple": "孕前优生档案",
    "exam": "孕前优生检查",
    "followup": "随访",
    "rh": "生殖健康",
    "check": "检查",
    "treatment": "妇科治疗",
    "visit": "避孕节育随访",
    "supply": "药具发放",
    "application": "利益导向申请",
    "document": "申请材料",
    "notice": "公示",
    "objection": "公示异议",
    "beneficiary": "享受对象",
    "roll": "发放清册",
    "rule": "资格规则",
    "amount": "补助标准",
    "reconfirmation": "年审",
    "change": "变动",
    "names": "名单",
    "figure": "指标",
    "todo": "待办",
    "monthly": "月报",
    "import": "导入",
}
VERBS = {
    "view": "查看",
    "create": "新增",
    "record": "登记",
    "update": "修改",
    "change": "修改",
    "delete": "删除",
    "void": "作废",
    "confirm": "确认",
    "open": "建立",
    "close": "关闭",
    "export": "导出",
    "download": "下载",
    "import": "导入",
    "upload": "上传",
    "report": "下载错误报告",
    "search": "查询",
    "move": "迁户",
    "exit": "注销（退出）",
    "restore": "恢复",
    "merge": "合并",
    "rename": "更名",
    "add": "增加",
    "copy": "复制",
    "submit": "上报",
    "return": "退回",
    "approve": "批准",
    "reject": "驳回",
    "cancel": "注销",
    "archive": "归档",
    "withdraw": "撤回",
    "correct": "补正",
    "publish": "发布",
    "stop": "停止",
    "lock": "锁定",
    "unlock": "解锁",
    "activate": "启用",
    "test": "测试",
    "build": "生成",
    "apply": "执行",
    "accept": "接受",
    "decide": "决定",
    "adjust": "调整",
    "scan": "扫描",
    "load": "载入",
    "refresh": "刷新",
    "names": "查看名单",
    "list": "查看名单",
    "kill": "强制下线",
}
# Object types that are not a model.
OBJECTS = {
    "api": "接口",
    "benefits.figure": "利益导向指标",
    "benefits.change": "年审变动",
    "common.dict": "字典",
    "reports.table": "统计报表",
}
TOKEN = re.compile(r"[a-z]+")


@lru_cache(maxsize=1024)
def action_label(code: str) -> str:
    """The Chinese name of an audit action code, or "" when its words are not all known."""
    if code in ACTIONS:
        return ACTIONS[code]
    words = TOKEN.findall(code)
    if not words:
        return ""
    *objects, verb = words
    if verb not in VERBS or any(w not in NOUNS for w in objects):
        return ""
    nouns = "".join(dict.fromkeys(NOUNS[w] for w in objects if NOUNS[w]))
    return f"{VERBS[verb]}{nouns}"


def action_shown(code: str) -> str:
    return action_label(code) or "其他操作"


def matching_actions(text: str, codes: list[str]) -> list[str]:
    """The codes among ``codes`` whose name contains ``text`` (typed in Chinese)."""
    return [c for c in codes if text in action_label(c)]


@lru_cache(maxsize=256)
def _model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return ""


def _page_name(view_name: str) -> str:
    """A page by its menu entry, else by its module (the app's name)."""
    from renkou.system.menu import MENU

    try:
        path = reverse(view_name)
    except NoReverseMatch:
        path = ""
    for module in MENU:
        for item in module.items:
            if item.url_name == view_name or (path and reverse(item.url_name) == path):
                return f"{module.label} · {item.label}"
    namespace = view_name.split(":")[0]
    try:
        return str(apps.get_app_config(namespace).verbose_name) + "页面"
    except LookupError:
        return "页面"


def object_shown(object_type: str, object_id: str) -> str:
    """The object of an audit row in words: 人员 #12, 页面 统计分析 · 统计报表."""
    if not object_type:
        return "—"
    if object_type == "view":
        return f"页面：{_page_name(object_id)}" if object_id else "页面"
    name = OBJECTS.get(object_type) or _model_name(object_type) or "其他对象"
    # Row numbers and unit codes identify the object; a code (an indicator's) is not for reading.
    return f"{name} #{object_id}" if object_id.isdigit() else name


PERM = re.compile(r"\b[a-z_]+\.[a-z_]+\b")


def summary_shown(summary: str) -> str:
    """Permission codes named by their labels (缺少权限 people.view_person → 缺少权限：…)."""
    return PERM.sub(lambda m: f"“{PERMISSION_LABELS.get(m.group(0), '其他权限')}”", summary)
