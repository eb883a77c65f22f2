"""Change-event kinds, review states, population scopes and the measures kept as tallies."""

from django.db import models


class Kind(models.TextChoices):
    BIRTH = "birth", "出生"
    DEATH = "death", "死亡"
    FIRST_MARRIAGE = "first_marriage", "初婚"
    REMARRIAGE = "remarriage", "再婚"
    DIVORCE = "divorce", "离婚"
    WIDOWHOOD = "widowhood", "丧偶"
    MOVE_IN = "move_in", "迁入"
    MOVE_OUT = "move_out", "迁出"
    MOVE_WITHIN = "move_within", "县内迁移"
    FLOW_IN = "flow_in", "流入"
    FLOW_OUT = "flow_out", "流出"
    VOID = "void", "作废"


MARRIAGE_KINDS = frozenset({Kind.FIRST_MARRIAGE, Kind.REMARRIAGE})
MARITAL_KINDS = frozenset({*MARRIAGE_KINDS, Kind.DIVORCE, Kind.WIDOWHOOD})
# Report form 1 (报告单一) holds marriage, migration, floating and deaths; form 2 the births.
FORM_ONE = (
    Kind.FIRST_MARRIAGE,
    Kind.REMARRIAGE,
    Kind.DIVORCE,
    Kind.WIDOWHOOD,
    Kind.MOVE_IN,
    Kind.MOVE_OUT,
    Kind.MOVE_WITHIN,
    Kind.FLOW_IN,
    Kind.FLOW_OUT,
    Kind.DEATH,
)
FORM_TWO = (Kind.BIRTH,)


class Status(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    CONFIRMED = "confirmed", "已确认"
    VOIDED = "voided", "已作废"


COUNTED = (Status.SUBMITTED, Status.CONFIRMED)


class Scope(models.TextChoices):
    """Population scopes (口径): where a person counts."""

    REGISTERED = "R", "户籍人口"
    RESIDENT = "S", "常住人口"
    MANAGED = "M", "管理人口"


SCOPE_BY_NAME = {
    "registered": Scope.REGISTERED,
    "resident": Scope.RESIDENT,
    "managed": Scope.MANAGED,
}
SCOPE_NAME = {v: k for k, v in SCOPE_BY_NAME.items()}

# Person fields holding each scope's place.
SCOPE_FIELD = {
    Scope.REGISTERED: "registered_code",
    Scope.RESIDENT: "residence_code",
    Scope.MANAGED: "unit_code",
}


class Measure:
    """Stored interval kinds (``Spell.measure``)."""

    POPULATION = "pop"  # present in the scope's unit
    MARRIED_WCBA = "mwcba"  # present, female, 15–49, married
    CONTRACEPTING = "cuser"  # a married WCBA with a method other than 未避孕
    # A married WCBA without the possibility of childbearing (无生育条件): 未避孕 because 不孕
    # or 绝经 and no method in use (docs/indicators.md, 综合节育率 by the second denominator).
    NOT_FERTILE = "nofert"


# 未避孕原因 codes (dictionary no_contraception_reason) that take a woman out of the married
# WCBA "with the possibility of childbearing": 4 不孕, 5 绝经.
NOT_FERTILE_REASONS = frozenset({"4", "5"})


AGE_GROUPS = ((15, 19), (20, 24), (25, 29), (30, 34), (35, 39), (40, 44), (45, 49))
LATE_MARRIAGE_AGE = 23  # 晚婚: women first married at 23 or older (domain.md §3)
EARLY_MARRIAGE_AGE = 19  # forms count first marriages at 19 and younger
