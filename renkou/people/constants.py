"""Codes the register's logic depends on (the full code lists live in the dictionary)."""

from django.db import models

ID_CARD = "01"  # document_type: 居民身份证
HUKOU_BOOK = "04"
SYSTEM_NUMBER = "06"
NO_DOCUMENT = "08"
HEAD = "02"  # relationship: 户主
MALE, FEMALE = "1", "2"
MARRIED_CODES = frozenset({"20", "21", "22", "23"})  # 已婚, 初婚, 再婚, 复婚
WCBA_AGES = (15, 49)  # married women of childbearing age: 15–49 (domain.md §2.5)
NO_CONTRACEPTION = "00"
LONG_ACTING = frozenset({"01", "02", "03", "04"})
LIVE_BIRTH = "1"

# Each coded field of a person → the dictionary (``common.dicts`` type) its codes come from:
# the form's pickers, the export's labels and the history's values all read this one map.
PERSON_DICTS = {
    "id_type": "document_type",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "marital_status": "marital_status",
    "education": "education",
    "hukou_type": "hukou_type",
    "relationship": "relationship",
    "residence_status": "residence_status",
    "exit_reason": "exit_reason",
}


class Flow(models.TextChoices):
    NONE = "", "非流动"
    IN = "in", "流入"
    OUT = "out", "流出"


class CardStatus(models.TextChoices):
    OPEN = "open", "在册"
    CLOSED = "closed", "已注销"


class CardCloseReason(models.TextChoices):
    AGE = "age", "超龄（满50周岁）"
    MOVED = "moved", "迁出"
    DEAD = "dead", "死亡"
    NOT_MARRIED = "not_married", "婚姻状况变更"
    EXITED = "exited", "退出系统"


class Survival(models.TextChoices):
    ALIVE = "alive", "存活"
    DEAD = "dead", "死亡"


class IdStatus:
    """``Person.id_status``: what the stored document number says, kept as a plain column so
    data quality can count it without decrypting (the number itself stays encrypted).

    A resident ID (01) or hukou-book number (04) that fails is stored as its problems joined by
    commas, in this order: unreadable, check, birth, sex (e.g. ``"check,sex"``).
    """

    OK = "ok"  # a readable resident ID whose check character, birth date and sex agree
    NONE = "none"  # no number recorded
    OTHER = "other"  # another document type (passport, system number, …), not checked here
    UNREADABLE = "unreadable"  # wrong length, characters or date
    CHECK = "check"  # wrong check character
    BIRTH = "birth"  # the number's birth date differs from the recorded one
    SEX = "sex"  # the number's sex digit differs from the recorded sex
