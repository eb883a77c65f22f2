"""Codes of the tip-offs (有奖举报, issue 18 item 1).

A tip-off is about unlawful practice that Renkou's county must act on today — non-medical
fetal sex identification and sex-selective abortion ("两非"), family-planning technical services
without a licence, benefits obtained by fraud, misconduct of staff — never about a family's
births (product.md "What it does not do").
"""

from django.db import models

TIPOFF_ANCHOR = "tipoff"  # the to-do item's anchor type (renkou.todo.links)
CLOSED_TYPE = "tipoffs.tipoff"
# The acknowledgement code: 12 characters without look-alikes (0/O, 1/I/L), about 59 bits,
# shown once to the informant and kept only as a keyed hash (like a password).
ACK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACK_LENGTH = 12
ACK_PURPOSE = "tipoffs.ack"
ADDRESS_PURPOSE = "tipoffs.address"
POW_SALT = "tipoffs.pow"
POW_MAX_AGE = 3600  # seconds a public form's puzzle stays valid
MAX_REWARD_FEN = 10_000_000  # 100,000 yuan: above this an amount is a typing error


class Channel(models.TextChoices):
    WINDOW = "window", "来访（窗口）"
    PHONE = "phone", "电话"
    LETTER = "letter", "信函"
    WEB = "web", "网上举报"


STAFF_CHANNELS = [c for c in Channel.choices if c[0] != Channel.WEB]


class Category(models.TextChoices):
    SEX_SELECTION = "two_non", "“两非”（非医学需要鉴定胎儿性别、选择性别终止妊娠）"
    UNLICENSED = "unlicensed", "无证或超范围开展计划生育技术服务"
    BENEFIT_FRAUD = "benefit_fraud", "骗取计划生育奖励扶助等待遇"
    STAFF = "staff", "工作人员违规违纪"
    OTHER = "other", "其他"


class Status(models.TextChoices):
    RECEIVED = "received", "已受理"
    ASSIGNED = "assigned", "调查中"
    CONCLUDED = "concluded", "已办结"


ALLOWED_TRANSITIONS = {
    Status.RECEIVED: {Status.ASSIGNED},
    Status.ASSIGNED: {Status.ASSIGNED, Status.CONCLUDED},  # a new handler, or the result
    Status.CONCLUDED: set(),
}


class Finding(models.TextChoices):
    TRUE = "true", "属实"
    PARTLY = "partly", "部分属实"
    UNFOUNDED = "unfounded", "不属实"


class Reward(models.TextChoices):
    NONE = "", "未决定"
    DECIDED = "decided", "已决定，待发放"
    REFUSED = "refused", "不予奖励"
    PAID = "paid", "已发放"


# What the public progress page says: the stage only, nothing of the matter or of anyone.
PUBLIC_STATUS = {
    Status.RECEIVED: "已受理，等待分派承办人",
    Status.ASSIGNED: "调查处理中",
    Status.CONCLUDED: "已办结",
}
PUBLIC_REWARD = {
    Reward.DECIDED: "已决定给予奖励，请持回执码与承办单位联系领取",
    Reward.PAID: "奖励已发放",
}
