"""Data quality of the register (issue 3 §8; domain.md §3 "Logic checks" and the ID-card entry
rate and completeness rows).

Every figure is a named ``Check``: a ``Q`` on ``Person`` (or ``Household``) that holds the whole
condition, presence included. The quality page counts all of them for every sub-unit in one
aggregate query (``Count(filter=Q)`` grouped by the sub-unit's code prefix), and the name list
behind a figure is the same ``Q`` as a filter, so a list always has as many rows as its figure.
Nothing is decrypted: ID validity is the plain ``Person.id_status`` and duplicate IDs are found
through the blind index.

The duplicate queue itself (scan, merge, 不是同一人) is ``renkou.people.duplicates``.

Dates are compared as ``YYYYMMDD`` integers (``date_key``), whose difference divided by 10,000
is the age in whole years on both SQLite and PostgreSQL.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Replace, Substr
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone

from renkou.common.figures import round_half_up
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.people.cards import wcba_birth_range
from renkou.people.constants import (
    FEMALE,
    HEAD,
    ID_CARD,
    MALE,
    MARRIED_CODES,
    CardStatus,
    IdStatus,
)
from renkou.people.models import (
    DuplicateCandidate,
    Household,
    Person,
)
from renkou.people.rules import LEGAL_MARRIAGE_AGE

CHUNK = 500  # values per IN (...) list, well under SQLite's bound-parameter limit
MAX_IN_LIST = 5_000
DEATH = "3"
# The national 必采项 (domain.md §3 完整率), as the register's columns.
REQUIRED_ITEMS = (
    ("name", "姓名"),
    ("sex", "性别"),
    ("birth_date", "出生日期"),
    ("ethnicity", "民族"),
    ("marital_status", "婚姻状况"),
    ("hukou_type", "户口性质"),
    ("relationship", "与户主关系"),
    ("registered_code", "户籍地"),
    ("residence_code", "现居住地"),
)
PRESENT = Q(exited_at__isnull=True)
VALID_ID = Q(id_type=ID_CARD, id_status=IdStatus.OK, id_override_reason="")


def date_key(path: str) -> Any:
    """The date at ``path`` as the integer YYYYMMDD (ISO text without dashes)."""
    text = Cast(F(path), output_field=CharField())
    return Cast(Replace(text, Value("-"), Value("")), output_field=IntegerField())


def years_ago(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _missing(item: str) -> Q:
    if item == "sex":
        return ~Q(sex__in=(MALE, FEMALE))
    if item == "birth_date":
        return Q(birth_date__isnull=True)
    return Q(**{item: ""})


# One LEFT JOIN on the card's unique person column, shared by every card condition.
OPEN_CARD = Q(card__status=CardStatus.OPEN)


def _eligible(today: date) -> Q:
    earliest, latest = wcba_birth_range(today)
    return PRESENT & Q(
        sex=FEMALE,
        marital_status__in=MARRIED_CODES,
        birth_date__gte=earliest,
        birth_date__lte=latest,
    )


def duplicated_indexes() -> list[str]:
    """Blind indexes held by more than one present person. The grouping runs over the index
    alone (every person), then the few candidates are narrowed to present persons."""
    every = Person.objects.exclude(id_index="").values("id_index").annotate(n=Count("id"))
    candidates = list(every.filter(n__gt=1).values_list("id_index", flat=True))
    present: Counter[str] = Counter()
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        present.update(
            Person.objects.present().filter(id_index__in=chunk).values_list("id_index", flat=True)
        )
    return sorted(index for index, n in present.items() if n > 1)


def _duplicate_id(day: date) -> Q:
    indexes = duplicated_indexes()
    if len(indexes) > MAX_IN_LIST:  # very many duplicates: let the database group them
        every = Person.objects.present().exclude(id_index="").values("id_index")
        return PRESENT & Q(
            id_index__in=every.annotate(n=Count("id")).filter(n__gt=1).values("id_index")
        )
    return PRESENT & Q(id_index__in=indexes)


@dataclass(frozen=True)
class Check:
    """One figure of the quality page and the condition behind its name list."""

    code: str
    label: str
    section: str  # id | complete | logic | duplicate | override
    condition: Callable[[date], Q]
    severity: str = "error"  # error | warning | info
    model: str = "person"  # person | household
    note: str = ""
    # (whole, part): counted as whole − part, the complement inside the same population.
    derived: tuple[str, str] | None = None


def _id_checks() -> list[Check]:
    def adult(d: date) -> Q:
        return PRESENT & Q(birth_date__lte=years_ago(d, 16))

    return [
        Check("all", "现有人口", "id", lambda d: PRESENT, "info"),
        Check(
            "id_valid",
            "有有效居民身份证号",
            "id",
            lambda d: PRESENT & VALID_ID,
            "info",
            note="证件类型为居民身份证、号码校验通过且未填写校验例外原因",
        ),
        Check(
            "id_not_valid",
            "无有效居民身份证号",
            "id",
            lambda d: PRESENT & ~VALID_ID,
            "info",
            derived=("all", "id_valid"),
        ),
        Check("adult_all", "16周岁及以上人口", "id", adult, "info"),
        Check(
            "adult_id_valid",
            "16周岁及以上有有效身份证号",
            "id",
            lambda d: adult(d) & VALID_ID,
            "info",
        ),
        Check(
            "adult_id_not_valid",
            "16周岁及以上无有效身份证号",
            "id",
            lambda d: adult(d) & ~VALID_ID,
            "warning",
            derived=("adult_all", "adult_id_valid"),
        ),
        Check(
            "adult_no_number",
            "16周岁及以上未登记证件号码",
            "id",
            lambda d: adult(d) & Q(id_number=""),
            "warning",
        ),
    ]


def _items_present() -> Q:
    q = Q()
    for item, _label in REQUIRED_ITEMS:
        q &= ~_missing(item)
    return q


def _missing_check(item: str) -> Callable[[date], Q]:
    return lambda d: PRESENT & _missing(item)


def _complete_checks() -> list[Check]:
    checks = [
        Check("complete", "必采项完整", "complete", lambda d: PRESENT & _items_present(), "info"),
        Check(
            "incomplete",
            "必采项不完整",
            "complete",
            lambda d: PRESENT & ~_items_present(),
            derived=("all", "complete"),
        ),
    ]
    for item, label in REQUIRED_ITEMS:
        checks.append(
            Check(
                f"missing_{item}",
                f"缺少{label}",
                "complete",
                _missing_check(item),
            )
        )
    return checks


def _marriage_age(day: date) -> Q:
    gap = date_key("first_marriage_date") - date_key("birth_date")
    q = Q()
    for sex, minimum in LEGAL_MARRIAGE_AGE.items():
        q |= Q(sex=sex) & Q(LessThan(gap, minimum * 10_000))
    return PRESENT & Q(first_marriage_date__isnull=False) & q


def _mother_age(day: date) -> Q:
    gap = date_key("birth_date") - date_key("mother__birth_date")
    outside = Q(LessThan(gap, 150_000)) | Q(GreaterThanOrEqual(gap, 500_000))
    return PRESENT & Q(mother__isnull=False) & outside


def _deceased(day: date) -> Q:
    """Died (exit reason 3) yet still holding an open card, or recorded as the mother of a
    child born after the death. The mothers are few: they are fetched first, so that the big
    aggregate does not run a subquery for every person."""
    dead = Q(exit_reason=DEATH, exited_at__isnull=False)
    born_after = Person.objects.filter(
        mother__exit_reason=DEATH, birth_date__gt=F("mother__exited_at")
    )
    mothers = sorted(set(born_after.values_list("mother_id", flat=True)))
    return dead & (OPEN_CARD | Q(pk__in=mothers))


def _logic_checks() -> list[Check]:
    mismatch = Q(id_status__contains=IdStatus.BIRTH) | Q(id_status__contains=IdStatus.SEX)
    reason = ~Q(id_override_reason="")
    check = Q(id_type=ID_CARD, id_status__contains=IdStatus.CHECK)
    return [
        Check(
            "id_check_no_reason",
            "身份证号校验位错误（未说明原因）",
            "logic",
            lambda d: PRESENT & check & Q(id_override_reason=""),
        ),
        Check(
            "id_check_reason",
            "身份证号校验位错误（已说明原因）",
            "logic",
            lambda d: PRESENT & check & reason,
            "warning",
        ),
        Check(
            "id_mismatch_no_reason",
            "身份证号与出生日期或性别不符（未说明原因）",
            "logic",
            lambda d: PRESENT & mismatch & Q(id_override_reason=""),
        ),
        Check(
            "id_mismatch_reason",
            "身份证号与出生日期或性别不符（已说明原因）",
            "logic",
            lambda d: PRESENT & mismatch & reason,
            "warning",
        ),
        Check(
            "id_unreadable",
            "身份证号无法识别（位数、字符或日期错误）",
            "logic",
            lambda d: PRESENT & Q(id_status=IdStatus.UNREADABLE),
        ),
        Check("mother_age", "母亲生育年龄不在15–49岁", "logic", _mother_age, "warning"),
        Check("marriage_age", "初婚年龄低于法定婚龄（男22、女20）", "logic", _marriage_age),
        Check(
            "married_child",
            "未满15周岁登记为已婚",
            "logic",
            lambda d: (
                PRESENT & Q(marital_status__in=MARRIED_CODES, birth_date__gt=years_ago(d, 15))
            ),
        ),
        Check(
            "birth_before_marriage",
            "出生早于母亲初婚日期（非婚生提示）",
            "logic",
            lambda d: PRESENT & Q(mother__first_marriage_date__gt=F("birth_date")),
            "warning",
        ),
        Check(
            "card_not_eligible",
            "育龄妇女卡在册但不是15–49岁已婚妇女",
            "logic",
            lambda d: OPEN_CARD & ~_eligible(d),
        ),
        Check(
            "eligible_no_card",
            "15–49岁已婚妇女没有在册育龄妇女卡",
            "logic",
            lambda d: _eligible(d) & ~OPEN_CARD,
        ),
        Check("household_heads", "户主人数不为1的户", "logic", lambda d: Q(), model="household"),
        Check(
            "deceased_records",
            "已死亡人员仍有后续记录（在册卡或死亡后出生的子女）",
            "logic",
            _deceased,
        ),
        Check("dup_id", "身份证号与他人重复", "duplicate", _duplicate_id),
        Check("override", "校验例外（已填写原因）", "override", lambda d: PRESENT & reason, "info"),
    ]


CHECKS: dict[str, Check] = {c.code: c for c in _id_checks() + _complete_checks() + _logic_checks()}
COUNTED = [c for c in CHECKS.values() if c.model == "person" and c.derived is None]
DERIVED = [c for c in CHECKS.values() if c.derived is not None]


# Figures ----------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Counts of every check for one unit (a sub-unit row or the total)."""

    unit: Unit | None
    prefix: str
    counts: dict[str, int] = field(default_factory=dict)
    open_duplicates: int = 0

    def count(self, code: str) -> int:
        # A method, not __getitem__: templates try item lookup before attributes.
        return self.counts.get(code, 0)

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return round_half_up(part * 100 / whole, 2) if whole else None

    @property
    def id_rate(self) -> float | None:
        return self.rate(self.count("id_valid"), self.count("all"))

    @property
    def adult_id_rate(self) -> float | None:
        return self.rate(self.count("adult_id_valid"), self.count("adult_all"))

    @property
    def complete_rate(self) -> float | None:
        return self.rate(self.count("complete"), self.count("all"))

    @property
    def logic_problems(self) -> int:
        return sum(
            self.count(c.code)
            for c in CHECKS.values()
            if c.section == "logic" and c.severity == "error"
        )


@dataclass
class QualityReport:
    unit: Unit
    total: Figures
    parts: list[Figures]
    today: date


def child_length(unit: Unit) -> int:
    """The prefix length of the unit's children (townships 9, villages 12)."""
    lengths: dict[int, int] = {Level.PROVINCE: 4, Level.PREFECTURE: 6, Level.COUNTY: 9}
    return lengths.get(unit.level, 12)


def scoped_persons(user: Any, unit: Unit) -> QuerySet[Person]:
    return Person.objects.visible_to(user).filter(unit_code__startswith=unit.prefix)


def quality_report(user: Any, unit: Unit, *, today: date | None = None) -> QualityReport:
    """All figures for ``unit`` and each of its sub-units, in three queries."""
    today = today or timezone.localdate()
    length = child_length(unit)
    counts = {c.code: Count("pk", filter=c.condition(today)) for c in COUNTED}
    rows = (
        scoped_persons(user, unit)
        .annotate(part=Substr("unit_code", 1, length))
        .values("part")
        .annotate(**counts)
        .order_by("part")
    )
    parts: dict[str, Figures] = {}
    for row in rows:
        counted: dict[str, Any] = dict(row)
        prefix = counted.pop("part")
        parts[prefix] = Figures(None, prefix, counted)
    for _pk, code in _head_problems(user, unit):
        figures = parts.setdefault(code[:length], Figures(None, code[:length]))
        figures.counts["household_heads"] = figures.count("household_heads") + 1
    for figures in parts.values():
        for check in DERIVED:
            whole, part = check.derived  # type: ignore[misc]  # DERIVED checks all have one
            figures.counts[check.code] = figures.count(whole) - figures.count(part)
    open_pairs = DuplicateCandidate.objects.visible_to(user).filter(
        unit_code__startswith=unit.prefix, status=DuplicateCandidate.Status.OPEN
    )
    for code in open_pairs.values_list("unit_code", flat=True):
        found = parts.get(code[:length])
        if found is not None:
            found.open_duplicates += 1
    total = Figures(unit, unit.prefix, _sum(f.counts for f in parts.values()))
    total.open_duplicates = open_pairs.count()
    _name_parts(parts.values(), length)
    return QualityReport(unit, total, sorted(parts.values(), key=lambda f: f.prefix), today)


def _sum(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        for code, value in row.items():
            total[code] += value
    return dict(total)


def _name_parts(parts: Iterable[Figures], length: int) -> None:
    parts = list(parts)
    units = Unit.objects.current().filter(prefix__in=[p.prefix for p in parts])
    by_prefix = {u.prefix: u for u in units}
    for figures in parts:
        figures.unit = by_prefix.get(figures.prefix)


def _head_problems(user: Any, unit: Unit) -> list[tuple[int, str]]:
    """(id, unit code) of households with present members whose number of present members
    recorded as 户主 is not exactly one (0, or 2 and more)."""
    households = Household.objects.visible_to(user).filter(unit_code__startswith=unit.prefix)
    members = Person.objects.filter(exited_at__isnull=True, household__in=households)
    rows = (
        members.values("household_id", "household__unit_code")
        .annotate(heads=Count("pk", filter=Q(relationship=HEAD)))
        .exclude(heads=1)
        .order_by("household_id")
    )
    return [(row["household_id"], row["household__unit_code"]) for row in rows]


def check_rows(user: Any, unit: Unit, check: Check, *, today: date | None = None) -> QuerySet[Any]:
    """The persons (or households) behind one figure, in a stable order."""
    today = today or timezone.localdate()
    if check.model == "household":
        ids = [pk for pk, _code in _head_problems(user, unit)]
        present = Q(members__exited_at__isnull=True)
        return (
            Household.objects.visible_to(user)
            .filter(pk__in=ids)
            .annotate(
                present=Count("members", filter=present),
                heads=Count("members", filter=present & Q(members__relationship=HEAD)),
            )
            .order_by("code")
        )
    return (
        scoped_persons(user, unit)
        .filter(check.condition(today))
        .select_related("household")
        .order_by("unit_code", "name", "id")
    )


SECTIONS = (
    ("complete", "信息完整率（必采项）"),
    ("logic", "逻辑校验"),
    ("duplicate", "重复"),
    ("override", "校验例外"),
)


def sections(figures: Figures) -> list[tuple[str, list[tuple[Check, int]]]]:
    """The page's tables after the ID-card rates: (title, [(check, count)])."""
    return [
        (title, [(c, figures.count(c.code)) for c in CHECKS.values() if c.section == key])
        for key, title in SECTIONS
    ]
