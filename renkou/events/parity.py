"""孩次 (birth order) by the statistical counting rules (统计口径, docs/indicators.md §4.2).

A birth's 孩次 is 1 + the couple's *existing* children on the day of the birth:

- R1 the living children of **both** spouses count, including those of either spouse's earlier
  marriages (the father's children with another mother, the mother's with another father, and
  the stepchildren on her card, 亲缘关系 2 and 3);
- R2 legally adopted children count (亲缘关系 4 on the woman's card), so a birth after an
  adoption is counted in order (R6: an adoption and then a birth: the birth is the second child);
- R3 children who died on or before the day of the birth do not count;
- R4 children who moved away or married out (迁出) still count: they exist;
- R5 without a known father (a non-marital birth) the mother's children count;
- persons removed from the register as duplicates or errors (退出原因 4) are not children.

Every child considered is returned with whether and why it counted, so the event page can
explain the number (``explain``)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from renkou.people.constants import Survival
from renkou.people.models import Child, Person

EXIT_DEATH, EXIT_ERROR = "3", "4"
KINSHIP = {
    "1": "本人及配偶亲生",
    "2": "本人亲生非配偶亲生",
    "3": "非本人亲生配偶亲生",
    "4": "收养",
}


@dataclass(frozen=True)
class Considered:
    """One child looked at: ``counted`` and the rule that decided (``why``)."""

    name: str
    birth_date: date
    relation: str
    counted: bool
    why: str
    person_id: int | None = None


def _relation(child: Person, mother: Person, father: Person | None) -> str:
    if child.mother_id == mother.pk and father is not None and child.father_id == father.pk:
        return "夫妇共同子女"
    if child.mother_id == mother.pk:
        return "母亲与他人所生子女" if father is not None else "母亲的子女"
    return "父亲与他人所生子女"


def _register_children(mother: Person, father: Person | None, before: date) -> list[Considered]:
    parents = Q(mother=mother) | (Q(father=father) if father is not None else Q(pk__in=[]))
    rows = (
        Person.objects.filter(parents, birth_date__lt=before)
        .only("pk", "name", "birth_date", "mother_id", "father_id", "exited_at", "exit_reason")
        .order_by("birth_date", "pk")
    )
    out = []
    for child in rows:
        relation = _relation(child, mother, father)
        if child.exited_at is not None and child.exit_reason == EXIT_ERROR:
            continue  # a duplicate or an error: not a child
        if child.exit_reason == EXIT_DEATH and child.exited_at is not None:
            if child.exited_at <= before:
                out.append(
                    Considered(
                        child.name, child.birth_date, relation, False, "已死亡（R3）", child.pk
                    )
                )
                continue
        why = "已迁出，仍计入（R4）" if child.exited_at is not None else "现有子女（R1）"
        if relation != "夫妇共同子女" and father is not None:
            why = "前婚或一方子女，计入（R1）"
        out.append(Considered(child.name, child.birth_date, relation, True, why, child.pk))
    return out


def _card_children(mother: Person, before: date, seen: set[int]) -> list[Considered]:
    rows = Child.objects.filter(card__person=mother, birth_date__lt=before).order_by(
        "birth_date", "pk"
    )
    out = []
    for row in rows:
        if row.person_id is not None and row.person_id in seen:
            continue  # already counted from the register
        relation = KINSHIP.get(row.kinship, "子女")
        dead = row.survival == Survival.DEAD and (
            row.death_date is None or row.death_date <= before
        )
        if dead:
            out.append(
                Considered(row.name, row.birth_date, relation, False, "已死亡（R3）", row.person_id)
            )
        elif row.kinship == "4":
            out.append(
                Considered(
                    row.name,
                    row.birth_date,
                    relation,
                    True,
                    "合法收养子女，计入（R2）",
                    row.person_id,
                )
            )
        else:
            out.append(
                Considered(
                    row.name,
                    row.birth_date,
                    relation,
                    True,
                    "育龄妇女卡上的现有子女（R1）",
                    row.person_id,
                )
            )
    return out


def existing_children(mother: Person, father: Person | None, before: date) -> list[Considered]:
    """Every child of the couple looked at for a birth on ``before``, oldest first."""
    found = _register_children(mother, father, before)
    seen = {c.person_id for c in found if c.person_id is not None}
    found += _card_children(mother, before, seen)
    return sorted(found, key=lambda c: (c.birth_date, c.name))


def parity_of(mother: Person, father: Person | None, before: date) -> int:
    """孩次 of a birth on ``before``: 1 + the existing children counted by the rules."""
    return 1 + sum(c.counted for c in existing_children(mother, father, before))
