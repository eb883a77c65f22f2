"""Codes of the to-do lists (服务信息引导, domain.md §2.5 "Reminder rules").

Every reminder is a service offered to a woman or a couple (a follow-up, a removal, a check),
never a duty to check on her: the 2005 norm's "pregnancy monitoring of every married WCBA" (查孕)
is a control-era practice and has no population here (product.md "What it does not do").
"""

from datetime import timedelta

from django.db import models

# How far back a refresh looks: an occurrence whose window closed longer ago is not created any
# more, and an item closed longer ago is not recomputed (so a missed daily run or a record entered
# a few weeks late is still counted, and the work of a refresh does not grow with the years).
LOOKBACK = timedelta(days=62)
# Roles that work with to-do lists (the rule decides which of them see its items).
TODO_ROLES = (
    ("village_admin", "村计生专干"),
    ("township_officer", "乡镇计生办"),
    ("technician", "服务技术人员"),
    ("county_officer", "县局业务人员"),
)
ROLE_NAMES = dict(TODO_ROLES)
# Contraception follow-up reasons (programs.ContraceptionVisit.reason, the contract with the
# reproductive-health services module).
VISIT_REASONS = (
    ("iud_in", "放置宫内节育器后随访"),
    ("iud_out", "取出宫内节育器后随访"),
    ("implant_in", "皮下埋植后随访"),
    ("implant_out", "取出皮下埋植后随访"),
    ("sterilisation", "绝育术后随访"),
    ("abortion", "流产后随访"),
)
VISIT_REASON_NAMES = dict(VISIT_REASONS)


class Status(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已办"
    # Its window closed without the service (the offer of that cycle lapsed), or she left the
    # list: counted as 未办理, never shown as overdue again.
    EXPIRED = "expired", "未办理"
    CANCELLED = "cancelled", "规则变更撤销"  # the rule changed or was switched off while open


class Population(models.TextChoices):
    """Who a rule applies to; each is a function in ``renkou.todo.populations``."""

    EPISODE_START = "episode_start", "开始使用所选避孕方法（按开始日期）"
    EPISODE_END = "episode_end", "停用所选避孕方法（按结束日期）"
    EPISODE_IN_PLACE = "episode_in_place", "所选避孕方法持续使用中（到期取出）"
    PREGNANCY_END = "pregnancy_end", "妊娠以所选结局结束（按结局日期）"
    MARRIED_WCBA = "married_wcba", "在册已婚育龄妇女（每年）"
    PREPREGNANCY_EXAM = "prepregnancy_exam", "孕前优生资格已确认、尚未检查的夫妇"
    PREPREGNANCY_FOLLOWUP = "prepregnancy_followup", "孕前优生随访到期"
    # A unit's dated task (重点工作, renkou.supervision): no person, the responsible unit's
    # reminder before the deadline. The app that holds the tasks registers its population
    # (``populations.register``); the anchor is the deadline.
    UNIT_TASK = "unit_task", "重点工作截止（责任单位，按完成时限）"
    # A rectification notice (整改通知, renkou.supervision) to a unit: on its list until the unit
    # responds, overdue after the notice's deadline; a response sent back opens it again.
    UNIT_RECTIFICATION = "unit_rectification", "整改通知待反馈（整改单位，按整改时限）"
    # A tip-off (举报, renkou.tipoffs) of a unit: on its list from receipt until it is concluded,
    # overdue after the handling deadline. The item names the tip-off's number, never the
    # informant.
    UNIT_TIPOFF = "unit_tipoff", "举报待办结（承办单位，按办理时限）"
    # A “两非” case (renkou.cases) of a unit: on its list from opening until it is referred or
    # closed, overdue after the investigation deadline. The item names the case's number.
    UNIT_CASE = "unit_case", "“两非”案件待调查终结（所涉单位，按调查时限）"
    # An inflow woman of childbearing age whose 婚育证明 is not verified yet, or has expired
    # (renkou.floating): a service offer (提醒办理、协助核验), registered by that app.
    FLOATING_CERTIFICATE = "floating_cert", "流入育龄妇女婚育证明未核验或已过期（提醒办理）"
    # An inter-jurisdiction 协查 message of a unit (renkou.floating): due at its reply deadline.
    FLOATING_MESSAGE = "floating_message", "协查函件待反馈（办理单位，按反馈时限）"


class Filter(models.TextChoices):
    """What the list page shows; it opens on what needs doing now: due within the week, or
    overdue while its window still runs."""

    WEEK = "", "本周到期及逾期"
    OPEN = "all", "全部待办"
    DUE = "due", "未逾期"
    OVERDUE = "overdue", "已逾期"
    DONE = "done", "已办（近3个月）"
    LAPSED = "lapsed", "未办理（近3个月）"


# How far ahead the default list looks ("this week"), and how far back the done and lapsed
# lists go.
WEEK_AHEAD = timedelta(days=7)
RECENT = timedelta(days=92)
