"""Facts over the register for the benefit rules (architecture.md "Rules"; domain.md §5).

A fact is a small function of a ``Case`` (the subject, the day, the spouse or guardian, and what
the application declares) that returns a JSON value: an int, a bool, a string (dates as ISO
strings), or ``None`` when the register does not say (the rule then reads it as *unknown*, "needs
a document", never as a failure). Rules name facts by their key in ``FACTS``.

Children are those on the woman's card (育龄妇女信息卡, domain.md §2.5) of the couple: every
kinship counts (biological, step, adopted; domain.md §5.1 [S11a]); a child born after the day
does not exist yet and a child who died after it was still alive then. A couple without a card
has unknown children.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from renkou.benefits.models import Application
from renkou.geo.constants import county_of
from renkou.people.constants import FEMALE
from renkou.people.models import Child, Person, WomanCard

RURAL = "2"  # hukou_type 农业
DEATH = "3"  # exit_reason 死亡
DISABLED = "3"  # child_health 残疾


@dataclass
class Case:
    """Who and when a rule is asked about."""

    person: Person
    day: date
    partner: Person | None = None  # the spouse; for a child's subsidy, the applying guardian
    declared: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def spouse(self) -> Person | None:
        return self.partner if self.partner is not None else self.person.spouse

    @cached_property
    def woman(self) -> Person | None:
        if self.person.sex == FEMALE:
            return self.person
        spouse = self.spouse
        return spouse if spouse is not None and spouse.sex == FEMALE else None

    @cached_property
    def children(self) -> list[Child] | None:
        """The couple's children born by the day, or None when no card holds them."""
        woman = self.woman
        if woman is None:
            return None
        card = WomanCard.objects.filter(person=woman).first()
        if card is None:
            return None
        return [c for c in card.children.all() if c.birth_date <= self.day]

    @cached_property
    def all_children(self) -> list[Child] | None:
        """Every child on the couple's card, also those born after the day (for ``changes_on``)."""
        woman = self.woman
        if woman is None:
            return None
        card = WomanCard.objects.filter(person=woman).first()
        return None if card is None else list(card.children.all())

    def preload(self, children: list[Child] | None) -> None:
        """Give the card's children read in bulk (screening), instead of a query per case."""
        kept = None if children is None else [c for c in children if c.birth_date <= self.day]
        self.__dict__["children"] = kept
        self.__dict__["all_children"] = children

    def alive(self, child: Child) -> bool:
        return child.survival != "dead" or (
            child.death_date is not None and child.death_date > self.day
        )

    def declared_int(self, key: str) -> int | None:
        value = self.declared.get(key)
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return None


# --- the person -------------------------------------------------------------------------------


def age(case: Case) -> int:
    return case.person.age_on(case.day)


def age_months(case: Case) -> int:
    return _months(case.person.birth_date, case.day)


def birth_date(case: Case) -> str:
    return case.person.birth_date.isoformat()


def sex(case: Case) -> str:
    return case.person.sex


def _dead_by(person: Person, day: date) -> bool:
    return person.exit_reason == DEATH and person.exited_at is not None and person.exited_at <= day


def alive(case: Case) -> bool:
    return not _dead_by(case.person, case.day)


def in_register(case: Case) -> bool:
    """Present in the county's register on the day (not exited for any reason)."""
    exited = case.person.exited_at
    return exited is None or exited > case.day


def _rural(person: Person) -> bool | None:
    return person.hukou_type == RURAL if person.hukou_type else None


def hukou_rural(case: Case) -> bool | None:
    return _rural(case.person)


def couple_rural(case: Case) -> bool | None:
    """The person and a living spouse both hold agricultural hukou (domain.md §5.1 (1)); a
    widowed or single person by their own hukou."""
    own = _rural(case.person)
    spouse = case.spouse
    if own is False or spouse is None or _dead_by(spouse, case.day):
        return own
    theirs = _rural(spouse)
    if theirs is False:
        return False
    return None if own is None or theirs is None else True


def registered_in_county(case: Case) -> bool:
    """户籍 in the county that manages the person (the childcare subsidy is applied for at the
    child's 户籍地, domain.md §9.1)."""
    return county_of(case.person.registered_code) == county_of(case.person.unit_code)


def wife_age(case: Case) -> int | None:
    woman = case.woman
    return woman.age_on(case.day) if woman is not None else None


# --- children ---------------------------------------------------------------------------------


def children_ever(case: Case) -> int | None:
    children = case.children
    return None if children is None else len(children)


def living_children(case: Case) -> int | None:
    children = case.children
    return None if children is None else sum(1 for c in children if case.alive(c))


def living_daughters(case: Case) -> int | None:
    children = case.children
    if children is None:
        return None
    return sum(1 for c in children if case.alive(c) and c.sex == FEMALE)


def children_all_died(case: Case) -> bool | None:
    """Had children, none living now (domain.md §5.1 (3))."""
    children = case.children
    if children is None:
        return None
    return bool(children) and not any(case.alive(c) for c in children)


def only_child_died(case: Case) -> bool | None:
    """One child ever (born or adopted), who died, and none since (失独, domain.md §5.2)."""
    children = case.children
    if children is None:
        return None
    return len(children) == 1 and not case.alive(children[0])


def only_child_disabled(case: Case) -> bool | None:
    """One child ever, living, recorded as disabled (health 残疾) on the card."""
    children = case.children
    if children is None:
        return None
    return len(children) == 1 and case.alive(children[0]) and children[0].health == DISABLED


def one_child_or_two_daughters(case: Case) -> bool | None:
    """农村两户: a one-child household or a two-daughter household (domain.md §5.3)."""
    children = case.children
    if children is None:
        return None
    if len(children) == 1:
        return True
    return len(children) == 2 and all(c.sex == FEMALE for c in children)


# --- declared with a document ----------------------------------------------------------------


def disability_grade(case: Case) -> int | None:
    """The disabled child's grade (一至四级, GB/T 26341), from the disability certificate."""
    return case.declared_int("disability_grade")


def complication_grade(case: Case) -> int | None:
    """The grade (1–3) of an FP surgery complication, from the medical appraisal."""
    return case.declared_int("complication_grade")


def one_child_certificate(case: Case) -> bool | None:
    """Holds the 独生子女父母光荣证: a declared certificate number, or one issued here."""
    if case.declared.get("one_child_cert_no"):
        return True
    people = [p.pk for p in (case.person, case.spouse) if p is not None]
    issued = Application.objects.filter(
        program__code="one_child", person_id__in=people, status="approved"
    ).exists()
    return True if issued else None


@dataclass(frozen=True)
class Fact:
    label: str
    kind: str  # int | bool | str
    read: Callable[[Case], Any]
    declared: bool = False  # comes from the application, not the register


FACTS: dict[str, Fact] = {
    "age": Fact("本人年龄（周岁）", "int", age),
    "age_months": Fact("本人月龄", "int", age_months),
    "birth_date": Fact("本人出生日期", "str", birth_date),
    "sex": Fact("本人性别（1男 2女）", "str", sex),
    "alive": Fact("本人在世", "bool", alive),
    "in_register": Fact("本人在册（未退出）", "bool", in_register),
    "hukou_rural": Fact("本人农业户口", "bool", hukou_rural),
    "couple_rural": Fact("本人及配偶均为农业户口", "bool", couple_rural),
    "registered_in_county": Fact("户籍在本县", "bool", registered_in_county),
    "wife_age": Fact("女方年龄（周岁）", "int", wife_age),
    "children_ever": Fact("生育及收养子女总数", "int", children_ever),
    "living_children": Fact("现存活子女数", "int", living_children),
    "living_daughters": Fact("现存活女儿数", "int", living_daughters),
    "children_all_died": Fact("子女均已死亡、现无子女", "bool", children_all_died),
    "only_child_died": Fact("独生子女死亡且未再生育收养", "bool", only_child_died),
    "only_child_disabled": Fact("独生子女残疾（信息卡记为残疾）", "bool", only_child_disabled),
    "one_child_or_two_daughters": Fact("独生子女户或二女户", "bool", one_child_or_two_daughters),
    "disability_grade": Fact("子女残疾等级（残疾证）", "int", disability_grade, declared=True),
    "complication_grade": Fact("手术并发症等级（鉴定）", "int", complication_grade, declared=True),
    "one_child_certificate": Fact(
        "持有独生子女父母光荣证", "bool", one_child_certificate, declared=True
    ),
}


# --- when a fact's value can change by the calendar alone -------------------------------------
# A stored verdict (the 全覆盖 table) stays right until one of these days comes, or the register
# changes (which rescreens at once). Each function gives days after the case's day on which the
# fact may read differently; a day a little early is harmless (the case is only evaluated again).


def _next_birthday(birth: date, day: date) -> date:
    years = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    try:
        return birth.replace(year=birth.year + years + 1)
    except ValueError:  # 29 February: 28 February, a day early
        return birth.replace(year=birth.year + years + 1, day=28)


def _months(birth: date, day: date) -> int:
    return (day.year - birth.year) * 12 + day.month - birth.month - (day.day < birth.day)


def _next_month_mark(birth: date, day: date) -> date:
    """The next day the age in months changes: the birth day of this or the next month, or
    the 1st of a month that has no such day (31st births in April, 29th–31st in February)."""
    first = day.replace(day=1)
    months = [(first + timedelta(days=32 * k)).replace(day=1) for k in (1, 2)]
    candidates = [*months]
    for start in (first, *months):
        try:
            candidates.append(start.replace(day=birth.day))
        except ValueError:
            continue
    now = _months(birth, day)
    return min(d for d in candidates if d > day and _months(birth, d) != now)


def _exit_days(*people: Person | None) -> list[date]:
    return [p.exited_at for p in people if p is not None and p.exited_at is not None]


def _children_days(case: Case) -> list[date]:
    days: list[date] = []
    for child in case.all_children or []:
        days.append(child.birth_date)
        if child.death_date is not None:
            days.append(child.death_date)
    return days


def _wife_birthday(case: Case) -> list[date]:
    woman = case.woman
    return [] if woman is None else [_next_birthday(woman.birth_date, case.day)]


CHILDREN_FACTS = (
    "children_ever",
    "living_children",
    "living_daughters",
    "children_all_died",
    "only_child_died",
    "only_child_disabled",
    "one_child_or_two_daughters",
)
CHANGES: dict[str, Callable[[Case], list[date]]] = {
    "age": lambda c: [_next_birthday(c.person.birth_date, c.day)],
    "age_months": lambda c: [_next_month_mark(c.person.birth_date, c.day)],
    "alive": lambda c: _exit_days(c.person),
    "in_register": lambda c: _exit_days(c.person),
    "couple_rural": lambda c: _exit_days(c.spouse),
    "wife_age": _wife_birthday,
    **dict.fromkeys(CHILDREN_FACTS, _children_days),
}


def changes_on(case: Case, names: list[str]) -> date | None:
    """The first day after the case's day on which one of the facts ``names`` may read
    differently with the register unchanged (None: never)."""
    days = [d for name in names if name in CHANGES for d in CHANGES[name](case) if d > case.day]
    return min(days, default=None)


def reader(case: Case) -> Callable[[str], Any]:
    """The fact function the rules engine calls; an unknown name reads as ``None``."""

    def read(name: str) -> Any:
        fact = FACTS.get(name)
        return fact.read(case) if fact is not None else None

    return read
