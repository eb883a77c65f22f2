"""Codes of the free pre-pregnancy eugenic exam (国家免费孕前优生健康检查项目, domain.md §6).

The 19 service items are national and fixed, so they live here rather than in the dictionary;
the risk-factor list (``preconception_risk``) and the pregnancy outcomes (``pregnancy_outcome``)
are dictionaries the county maintains. The service is voluntary: nothing here is a compulsory
check, a quota on a person or a penalty.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import models

RISK_DICT = "preconception_risk"
OUTCOME_DICT = "pregnancy_outcome"
LIVE_BIRTH = "1"
COVERAGE_TARGET = 80  # % of the target population, the speech's and most counties' target
EARLY_TARGET = 80  # % early-pregnancy follow-up (one township plan, domain.md §6)
OUTCOME_TARGET = 55  # % pregnancy-outcome follow-up (same plan)
# Target population: wives aged 20–49 on the first day of the year (docs/prepregnancy.md).
TARGET_AGES = (20, 49)
RECENT_BIRTH = timedelta(days=365)
# Due dates (domain.md §6 follow-up timing): early pregnancy within 12 weeks of gestation,
# counted from the last menstrual period; the outcome within 6 weeks after the expected
# delivery (280 days after the last menstrual period).
EARLY_WINDOW = timedelta(weeks=12)
EXPECTED_DELIVERY = timedelta(days=280)
OUTCOME_GRACE = timedelta(weeks=6)
LATEST_LMP = timedelta(weeks=42)  # a last period longer ago than this cannot be current
PRETERM_DAYS = 259  # a live birth before 37 completed weeks
DUE_SOON = timedelta(days=30)  # the due list shows what falls due in the next 30 days
# An early follow-up still not done at the expected delivery (due + 28 weeks) is missed.
EARLY_MOOT = EXPECTED_DELIVERY - EARLY_WINDOW
SMALL_CELL = 5  # aggregate-only pages show no cell of fewer than 5 women below township level


@dataclass(frozen=True)
class ExamItem:
    code: int
    name: str
    female: bool
    male: bool
    recorded_as: str = "item"  # "item" (a result row), or the record that stands for it


# The 19 service items (domain.md §6 [S8][S8h]). Items 18 and 19 are the risk assessment with
# counselling and the follow-ups, recorded as their own records; items 4 and 17 are for the wife
# only, and the husband gets the subset of [GK] (history, physical exam, urine, blood type, liver
# and kidney function, hepatitis B, syphilis): the county may widen it here.
EXAM_ITEMS: tuple[ExamItem, ...] = (
    ExamItem(1, "优生健康教育", True, True),
    ExamItem(2, "病史询问", True, True),
    ExamItem(3, "体格检查", True, True),
    ExamItem(4, "阴道分泌物检查", True, False),
    ExamItem(5, "血常规", True, False),
    ExamItem(6, "尿常规", True, True),
    ExamItem(7, "血型（ABO、Rh）", True, True),
    ExamItem(8, "血清葡萄糖", True, False),
    ExamItem(9, "肝功能", True, True),
    ExamItem(10, "乙肝五项", True, True),
    ExamItem(11, "肾功能", True, True),
    ExamItem(12, "甲状腺功能", True, False),
    ExamItem(13, "梅毒螺旋体筛查", True, True),
    ExamItem(14, "风疹病毒IgG抗体", True, False),
    ExamItem(15, "巨细胞病毒IgM/IgG抗体", True, False),
    ExamItem(16, "弓形体IgM/IgG抗体", True, False),
    ExamItem(17, "妇科超声", True, False),
    ExamItem(18, "风险评估和咨询指导", True, True, "assessment"),
    ExamItem(19, "早孕和妊娠结局随访", True, False, "followup"),
)
ITEMS_BY_CODE = {item.code: item for item in EXAM_ITEMS}


class Spouse(models.TextChoices):
    WIFE = "wife", "妻子"
    HUSBAND = "husband", "丈夫"


def result_items(spouse: str) -> tuple[ExamItem, ...]:
    """The items recorded as result rows of one spouse's exam."""
    wife = spouse == Spouse.WIFE
    return tuple(
        i for i in EXAM_ITEMS if i.recorded_as == "item" and (i.female if wife else i.male)
    )


class CoupleStatus(models.TextChoices):
    FILED = "filed", "已建档，待确认资格"
    ELIGIBLE = "eligible", "待检查"
    EXAMINED = "examined", "已检查，待评估"
    ASSESSED = "assessed", "已评估，待孕"
    PREGNANT = "pregnant", "已怀孕，随访中"
    CLOSED = "closed", "已结案"
    WITHDRAWN = "withdrawn", "已撤销（未检查）"


FINAL = frozenset({CoupleStatus.CLOSED, CoupleStatus.WITHDRAWN})


class CloseReason(models.TextChoices):
    COMPLETED = "completed", "随访完成"
    DECLINED = "declined", "本人不再接受服务"
    MOVED = "moved", "迁出或长期外出"
    NOT_PREGNANT = "not_pregnant", "长期未孕，不再随访"
    OTHER = "other", "其他"


class RiskCategory(models.TextChoices):
    GENERAL = "general", "一般人群"
    HIGH = "high", "高风险人群"


class Counselling(models.TextChoices):
    PHONE = "phone", "电话咨询指导"
    FACE = "face", "面对面咨询指导"


class FollowUpKind(models.TextChoices):
    EARLY = "early", "早孕随访"
    OUTCOME = "outcome", "妊娠结局随访"


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", "电话"
    VISIT = "visit", "入户"
    CLINIC = "clinic", "来站（院）"


# --- reproductive-health services (issue 5 items 2–3; domain.md §2.5, §11 task 8) -------------

FINDING_DICT = "rh_finding"  # 生殖健康检查发现（本县代码表）
NO_FINDING = "00"  # 未见异常: the one finding that is not abnormal, never combined with another
TREATMENT_DICT = "gyn_treatment"  # 妇科治疗方式
BLUE_OXYGEN = "01"  # 蓝氧治疗, counted in person-times per township against the county's quota
SUPPLY_DICT = "contraceptive_supply"  # 免费避孕药具
RH_AGES = (15, 49)  # RH checks are for married women of childbearing age (domain.md §2.5)
SUPPLY_MIN_AGE = 15
MAX_SUPPLY_QUANTITY = 500  # a free supply is for one person's own use for a few months
SERVICE_WINDOW = timedelta(days=366)  # a check/treatment may be entered up to a year late


class VisitReason(models.TextChoices):
    """Why a contraception follow-up visit (避孕节育随访) is due (domain.md §2.5 [S20])."""

    IUD_IN = "iud_in", "放置宫内节育器后"
    IUD_OUT = "iud_out", "取出宫内节育器后"
    IMPLANT_IN = "implant_in", "皮下埋植后"
    IMPLANT_OUT = "implant_out", "取出皮下埋植剂后"
    STERILISATION = "sterilisation", "绝育术后"
    ABORTION = "abortion", "人工流产（引产）后"


VISIT_REASONS = tuple(VisitReason.values)


class VisitResult(models.TextChoices):
    NORMAL = "normal", "正常"
    DISCOMFORT = "discomfort", "有不适（副反应），已指导"
    IUD_EXPELLED = "iud_expelled", "节育器脱落"
    IUD_DISPLACED = "iud_displaced", "节育器移位"
    PREGNANT = "pregnant", "意外妊娠"
    COMPLICATION = "complication", "并发症，已转诊"
    OTHER = "other", "其他"


# Methods of the ``contraception_method`` dictionary each reason needs, and whether the
# episode must have ended (a removal) — the visit counts from the start or from the end.
STERILISATION_METHODS = frozenset({"01", "02"})
IUD_METHOD, IMPLANT_METHOD = "03", "04"
REASON_METHODS: dict[str, tuple[frozenset[str], bool]] = {
    VisitReason.IUD_IN: (frozenset({IUD_METHOD}), False),
    VisitReason.IUD_OUT: (frozenset({IUD_METHOD}), True),
    VisitReason.IMPLANT_IN: (frozenset({IMPLANT_METHOD}), False),
    VisitReason.IMPLANT_OUT: (frozenset({IMPLANT_METHOD}), True),
    VisitReason.STERILISATION: (STERILISATION_METHODS, False),
}
ABORTION_OUTCOMES = frozenset({"4", "5"})  # pregnancy_outcome: 人工流产（含药物流产）, 中期引产
# The clinical follow-up schedule, in days after the operation (domain.md §2.5 [S20]): after an
# IUD insertion months 1, 3, 6 and 12, then yearly; after tubal ligation days 3–7, then months
# 3 and 6; an implant like an IUD; after a removal or an abortion one visit at about a month.
# ``renkou.programs.schedule`` turns these into due dates (for the to-do lists).
VISIT_SCHEDULE: dict[str, tuple[int, ...]] = {
    VisitReason.IUD_IN: (30, 91, 182, 365),
    VisitReason.IUD_OUT: (30,),
    VisitReason.IMPLANT_IN: (30, 91, 182, 365),
    VisitReason.IMPLANT_OUT: (30,),
    VisitReason.STERILISATION: (7, 91, 182),
    VisitReason.ABORTION: (30,),
}
YEARLY_AFTER = frozenset({VisitReason.IUD_IN, VisitReason.IMPLANT_IN})
