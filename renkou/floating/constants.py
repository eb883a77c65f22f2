"""Codes of the floating-population registers (domain.md §2.7; issue 16 items 1 and 2).

The register serves migrants where they live (同管理、同服务): a missing or expired 婚育证明 is a
service the township offers (提醒办理、协助核验), never a sanction (product.md "What it does not
do").
"""

from datetime import timedelta

from django.db import models

# The flow reasons are the register's dictionary (people migration 0002: 务工经商, 随同流动 …).
REASON_DICT = "flow_reason"
# The 2009 regulation: the certificate is shown to the township of residence within 30 days of
# arrival; the reminder to offer help counts from there.
SUBMIT_WITHIN = timedelta(days=30)
# The to-do items of this app (anchor types of renkou.todo, at most 16 characters).
RECORD_ANCHOR = "floating"
CERT_ANCHOR = "floatcert"


class Direction(models.TextChoices):
    IN = "in", "流入"
    OUT = "out", "流出"


class CheckResult(models.TextChoices):
    PENDING = "", "未核验"
    VALID = "valid", "核验一致"
    MISMATCH = "mismatch", "信息不一致（协助更正）"


# Inter-jurisdiction messages (协查, domain.md §2.7 "Information exchange"): an urgent request
# (currently pregnant) is answered within 15 days, others within 30; a county may set other
# numbers (settings RENKOU_MESSAGE_URGENT_DAYS / RENKOU_MESSAGE_NORMAL_DAYS).
URGENT_DAYS, NORMAL_DAYS = 15, 30
MESSAGE_ANCHOR = "floatmsg"


class MessageKind(models.TextChoices):
    REQUEST = "request", "协查请求"
    NOTICE = "notice", "管理通报（需反馈）"


class MessageWay(models.TextChoices):
    INCOMING = "in", "收到（外地发来）"
    OUTGOING = "out", "发出（本地发往外地）"


class MessageStatus(models.TextChoices):
    OPEN = "open", "待反馈"
    REPLIED = "replied", "已反馈"


class MatchState(models.TextChoices):
    """How a message's subject was tied to a local register person (issue 16 item 3)."""

    PENDING = "", "待匹配"
    INDEX = "index", "身份证号一致（自动关联）"
    RECORD = "record", "按所涉登记关联"
    CONFIRMED = "confirmed", "姓名、出生日期一致（人工确认）"
    NONE = "none", "本地无此人"
