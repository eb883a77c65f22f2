"""Codes of the family benefit programmes (利益导向, domain.md §2.6, §2.8, §5, §9.1)."""

from django.db import models

from renkou.geo.constants import PREFIX_LENGTH
from renkou.geo.constants import Level as UnitLevel

NOTICE_DAYS = 7  # default notice period (domain.md §5.1: set locally, commonly 7 days)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_DIR = "benefits/documents"
CHILDCARE_YEARS = 3


class Level(models.TextChoices):
    """Review levels (审核层级), the unit levels of the county tree."""

    VILLAGE = "village", "村（居）"
    TOWNSHIP = "township", "乡镇（街道）"
    COUNTY = "county", "县（区）"


# Unit code prefix length of each level (county 6, township 9, village 12 digits).
LEVEL_PREFIX = {
    Level.COUNTY: PREFIX_LENGTH[UnitLevel.COUNTY],
    Level.TOWNSHIP: PREFIX_LENGTH[UnitLevel.TOWNSHIP],
    Level.VILLAGE: PREFIX_LENGTH[UnitLevel.VILLAGE],
}


class Period(models.TextChoices):
    """What an amount is per."""

    PERSON_MONTH = "person_month", "元/人/月"
    PERSON_YEAR = "person_year", "元/人/年"
    CHILD_YEAR = "child_year", "元/孩/年"
    ONE_OFF = "one_off", "元（一次性）"
    NONE = "none", "非现金优惠"


class Subject(models.TextChoices):
    """Whose application it is: a parent of the couple, or (childcare subsidy) the child."""

    PARENT = "parent", "夫妇一方"
    CHILD = "child", "子女"


class Status(models.TextChoices):
    """Application states (domain.md §2.6 workflow, [S9]: submitted, under review, approved,
    returned for correction 补正, withdrawn 撤销, cancelled 注销, archived 归档), with the
    public-notice states of §5.1 made explicit."""

    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "退回补正"
    PASSED = "passed", "审核通过待公示"
    NOTICE = "notice", "公示中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "不予批准"
    WITHDRAWN = "withdrawn", "已撤回"
    CANCELLED = "cancelled", "已注销"
    ARCHIVED = "archived", "已归档"


OPEN = frozenset({Status.SUBMITTED, Status.RETURNED, Status.PASSED, Status.NOTICE})
FINAL = frozenset({Status.REJECTED, Status.WITHDRAWN, Status.CANCELLED, Status.ARCHIVED})


class Action(models.TextChoices):
    """One transition of the application state machine; each has its own service."""

    FILE = "file", "受理申报"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回补正"
    REJECT = "reject", "不予批准"
    CORRECT = "correct", "补正后重新提交"
    WITHDRAW = "withdraw", "撤回"
    NOTICE = "notice", "列入公示"
    OBJECTION = "objection", "公示异议，重新审核"
    ADVANCE = "advance", "公示期满，报上级审核"
    FINALISE = "finalise", "公示期满，审批确认"
    CANCEL = "cancel", "注销"
    ARCHIVE = "archive", "归档"


# The allowed-transitions map (house style rule 8): action → (from states, to state). ``advance``
# and ``approve`` keep or move the review step; the services say which.
ALLOWED_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.APPROVE: (frozenset({Status.SUBMITTED}), Status.PASSED),
    Action.RETURN: (frozenset({Status.SUBMITTED}), Status.RETURNED),
    Action.REJECT: (frozenset({Status.SUBMITTED}), Status.REJECTED),
    Action.CORRECT: (frozenset({Status.RETURNED}), Status.SUBMITTED),
    Action.WITHDRAW: (
        frozenset({Status.SUBMITTED, Status.RETURNED, Status.PASSED}),
        Status.WITHDRAWN,
    ),
    Action.NOTICE: (frozenset({Status.PASSED}), Status.NOTICE),
    Action.OBJECTION: (frozenset({Status.NOTICE}), Status.SUBMITTED),
    Action.ADVANCE: (frozenset({Status.NOTICE}), Status.SUBMITTED),
    Action.FINALISE: (frozenset({Status.NOTICE}), Status.APPROVED),
    Action.CANCEL: (frozenset({Status.APPROVED}), Status.CANCELLED),
    Action.ARCHIVE: (
        frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.CANCELLED}),
        Status.ARCHIVED,
    ),
}


class DocumentKind(models.TextChoices):
    HUKOU = "hukou", "户口簿"
    ID_CARD = "id_card", "身份证"
    MARRIAGE = "marriage", "结婚证"
    DEATH = "death", "死亡证明"
    DISABILITY = "disability", "残疾证"
    ONE_CHILD = "one_child", "独生子女父母光荣证"
    BIRTH = "birth", "出生医学证明"
    MEDICAL = "medical", "手术并发症鉴定"
    OTHER = "other", "其他材料"


# Content sniffing: the only accepted kinds, by their first bytes (never by the name or the
# browser's content type).
MAGIC = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)
CONTENT_TYPES = {ext: content_type for _, ext, content_type in MAGIC}


# --- beneficiaries, re-confirmation, payments (issue 6 items 5–6) ------------------------------

ACCOUNT_PURPOSE = "benefits.account"  # blind-index purpose of 一卡通 account numbers


class BeneficiaryStatus(models.TextChoices):
    ACTIVE = "active", "享受中"
    STOPPED = "stopped", "已停止"


class ExitReason(models.TextChoices):
    """Why an entitlement stopped (domain.md §2.8: death, child born, information error …)."""

    DEATH = "death", "死亡"
    MOVED = "moved", "迁出本县"
    NEW_CHILD = "new_child", "再生育/收养子女"
    AGE_OUT = "age_out", "超过享受年龄"
    INELIGIBLE = "ineligible", "不再符合条件"
    CANCELLED = "cancelled", "注销"


class ChangeKind(models.TextChoices):
    """One row of the annual re-confirmation (年审) change list."""

    NEW_ELIGIBLE = "new_eligible", "新增符合条件（待受理）"
    DEATH = "death", "死亡"
    MOVED = "moved", "迁出本县"
    NEW_CHILD = "new_child", "新增子女"
    AGE_OUT = "age_out", "超龄"
    INELIGIBLE = "ineligible", "不再符合条件"


# What an accepted stop-change writes on the beneficiary.
CHANGE_EXIT = {
    ChangeKind.DEATH: ExitReason.DEATH,
    ChangeKind.MOVED: ExitReason.MOVED,
    ChangeKind.NEW_CHILD: ExitReason.NEW_CHILD,
    ChangeKind.AGE_OUT: ExitReason.AGE_OUT,
    ChangeKind.INELIGIBLE: ExitReason.INELIGIBLE,
}


class ChangeDecision(models.TextChoices):
    PENDING = "pending", "待确认"
    ACCEPTED = "accepted", "确认"
    REJECTED = "rejected", "不予采纳"


class RollState(models.TextChoices):
    """A payment roll: draft → locked → sent (bank file downloaded) → imported → closed."""

    DRAFT = "draft", "草稿"
    LOCKED = "locked", "已锁定"
    SENT = "sent", "已报送银行"
    IMPORTED = "imported", "已导入结果"
    CLOSED = "closed", "已结账"


class LineStatus(models.TextChoices):
    PENDING = "pending", "待发放"
    PAID = "paid", "发放成功"
    FAILED = "failed", "发放失败，待更正"
    CORRECTED = "corrected", "已更正，待补发"
    CARRIED = "carried", "已转入下期补发"


# Bank result file statuses as the bank writes them.
BANK_PAID = frozenset({"成功", "已发放", "发放成功", "success", "ok"})
BANK_FAILED = frozenset({"失败", "发放失败", "退回", "fail", "failed"})
