"""The duplicate-person queue (issue 3 §8): a scan that queues candidate pairs by three rules,
and the two decisions on a pair, merge and 不是同一人.

Rules, strongest first (a pair is queued once, under the first rule that finds it):

- the same resident ID (blind index) on two present persons;
- the same name, birth date and mother;
- the same pinyin key (``name_key``: 张丽 and 章丽 read alike) and birth date in one township,
  unless both hold valid, different resident IDs.

A pair belongs to the lowest unit holding both persons (``unit_code`` = village, township or
county code), so a township officer sees the pairs inside the township and the county sees
pairs across townships. A pair once decided is never queued again.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from renkou.common import audit
from renkou.common.actors import Actor
from renkou.people.cards import card_sync
from renkou.people.constants import HEAD, ID_CARD, CardCloseReason, CardStatus, IdStatus
from renkou.people.models import (
    Child,
    ContraceptionEpisode,
    DuplicateCandidate,
    Person,
    Pregnancy,
    WomanCard,
)
from renkou.people.quality import CHUNK, duplicated_indexes
from renkou.people.services import id_index

DUPLICATE_EXIT_REASON = "4"  # 重复或错误


def common_unit(first: str, second: str) -> str:
    """The code of the lowest unit holding both codes (village, township, county, …)."""
    for length in (12, 9, 6, 4, 2):
        if first[:length] == second[:length]:
            return first[:length].ljust(12, "0")
    return "0" * 12


@dataclass(frozen=True)
class _Row:
    pk: int
    unit_code: str
    id_index: str
    valid: bool


def _rows(queryset: QuerySet[Person]) -> dict[int, _Row]:
    fields = ("pk", "unit_code", "id_index", "id_type", "id_status", "id_override_reason")
    found = {}
    for pk, unit_code, index, id_type, status, reason in queryset.values_list(*fields):
        valid = id_type == ID_CARD and status == IdStatus.OK and not reason
        found[pk] = _Row(pk, unit_code, index, valid)
    return found


def _same_id_groups() -> list[list[_Row]]:
    indexes = duplicated_indexes()
    rows: dict[int, _Row] = {}
    for start in range(0, len(indexes), CHUNK):
        chunk = indexes[start : start + CHUNK]
        rows.update(_rows(Person.objects.present().filter(id_index__in=chunk)))
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows.values():
        groups[row.id_index].append(row)
    return list(groups.values())


def _grouped(keys: tuple[str, ...], base: QuerySet[Person]) -> list[list[_Row]]:
    """Persons of ``base`` sharing the values of ``keys`` with at least one other."""
    dupes = base.values(*keys).annotate(n=Count("id")).filter(n__gt=1).values_list(*keys)
    wanted = set(dupes)
    first_values = sorted({w[0] for w in wanted})
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for start in range(0, len(first_values), CHUNK):
        chunk = first_values[start : start + CHUNK]
        members = base.filter(**{f"{keys[0]}__in": chunk}).values_list("pk", *keys)
        for pk, *values in members:
            if tuple(values) in wanted:
                groups[tuple(values)].append(pk)
    ids = [pk for g in groups.values() for pk in g]
    rows: dict[int, _Row] = {}
    for start in range(0, len(ids), CHUNK):
        rows.update(_rows(Person.objects.filter(pk__in=ids[start : start + CHUNK])))
    return [[rows[pk] for pk in pks] for pks in groups.values()]


def _name_birth_mother_groups() -> list[list[_Row]]:
    base = Person.objects.present().filter(mother__isnull=False)
    return _grouped(("mother_id", "name", "birth_date"), base)


def _pinyin_birth_groups() -> list[list[_Row]]:
    base = (
        Person.objects.present().exclude(name_key="").annotate(township=Substr("unit_code", 1, 9))
    )
    return _grouped(("birth_date", "name_key", "township"), base)


def _distinct_ids(a: _Row, b: _Row) -> bool:
    """Two valid, different resident IDs: not one person, whatever the names say."""
    return a.valid and b.valid and a.id_index != b.id_index


RULES: tuple[tuple[str, Callable[[], list[list[_Row]]], bool], ...] = (
    (DuplicateCandidate.Reason.SAME_ID, _same_id_groups, False),
    (DuplicateCandidate.Reason.SAME_NAME_BIRTH_MOTHER, _name_birth_mother_groups, False),
    (DuplicateCandidate.Reason.SAME_PINYIN_BIRTH, _pinyin_birth_groups, True),
)


@transaction.atomic
def duplicates_scan(*, actor: Any = None) -> int:
    """Add new candidate pairs by the three rules; a pair already queued under any rule or
    status (including 不是同一人) is not queued again. Returns the number of new pairs."""
    known = set()
    for first, second in DuplicateCandidate.objects.values_list("first_id", "second_id"):
        known.update({(first, second), (second, first)})
    new: list[DuplicateCandidate] = []
    for reason, groups, skip_distinct in RULES:
        for group in groups():
            for a, b in combinations(sorted(group, key=lambda r: r.pk), 2):
                if (a.pk, b.pk) in known or (skip_distinct and _distinct_ids(a, b)):
                    continue
                known.add((a.pk, b.pk))
                unit_code = common_unit(a.unit_code, b.unit_code)
                new.append(
                    DuplicateCandidate(
                        first_id=a.pk, second_id=b.pk, reason=reason, unit_code=unit_code
                    )
                )
    DuplicateCandidate.objects.bulk_create(new, batch_size=500)
    audit.record(
        actor=actor,
        action="duplicate.scan",
        object_type="people.duplicatecandidate",
        row_count=len(new),
    )
    return len(new)


def _lock_candidate(candidate: DuplicateCandidate) -> DuplicateCandidate:
    locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError("该疑似重复记录已处理")
    return locked


def _resolve(candidate: DuplicateCandidate, actor: Actor, status: str) -> None:
    candidate.status = status
    candidate.resolved_by_id = getattr(actor.user, "pk", None)
    candidate.resolved_at = timezone.now()
    candidate.save(update_fields=["status", "resolved_by_id", "resolved_at"])


@transaction.atomic
def duplicate_mark_distinct(*, actor: Actor, candidate: DuplicateCandidate) -> None:
    """不是同一人: close the pair; later scans do not queue it again."""
    locked = _lock_candidate(candidate)
    _resolve(locked, actor, DuplicateCandidate.Status.DISTINCT)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="person.duplicate_distinct",
        object_type="people.duplicatecandidate",
        object_id=locked.pk,
        summary=f"persons={locked.first_id},{locked.second_id}",
    )


# Fields the kept person takes from the duplicate when it has no value of its own.
FILLED_FROM_DUPLICATE = (
    "phone",
    "education",
    "hukou_type",
    "first_marriage_date",
    "father_id",
    "mother_id",
    "spouse_id",
)


@transaction.atomic
def duplicate_merge(
    *, actor: Actor, candidate: DuplicateCandidate, keep_id: int, today: date | None = None
) -> Person:
    """Keep one person of the pair and exit the other as 重复或错误 (exit reason 4).

    The kept person takes the duplicate's household, ID number and other values it lacks;
    children, spouses and card children that pointed at the duplicate point at the kept person;
    the duplicate's card moves over (or its children and episodes do). Rows are locked in
    primary-key order; every changed person keeps its history; one audit row ``person.merge``.
    """
    today = today or timezone.localdate()
    locked = _lock_candidate(candidate)
    if keep_id not in (locked.first_id, locked.second_id):
        raise ValidationError("请选择要保留的人员")
    drop_id = locked.second_id if keep_id == locked.first_id else locked.first_id
    related = Person.objects.filter(
        Q(pk__in=(keep_id, drop_id))
        | Q(father_id=drop_id)
        | Q(mother_id=drop_id)
        | Q(spouse_id=drop_id)
    )
    persons = {p.pk: p for p in related.select_for_update().order_by("pk")}
    kept, dropped = persons[keep_id], persons[drop_id]
    if kept.exited_at is not None or dropped.exited_at is not None:
        raise ValidationError("已退出的人员不能合并")
    _exit_duplicate(dropped, today)
    _take_over(kept, dropped)
    moved = _relink_relatives(persons, keep_id, drop_id)
    moved += _move_card(kept, dropped, today)
    card_sync(kept, day=today)
    _repoint_candidates(locked, keep_id, drop_id)
    _resolve(locked, actor, DuplicateCandidate.Status.MERGED)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="person.merge",
        object_type="people.person",
        object_id=kept.pk,
        summary=f"duplicate={drop_id} candidate={locked.pk} relinked={moved}",
    )
    return kept


def _exit_duplicate(dropped: Person, today: date) -> None:
    dropped.exited_at, dropped.exit_reason = today, DUPLICATE_EXIT_REASON
    dropped.is_head = False
    dropped.version += 1
    dropped.save()
    card_sync(dropped, day=today)


def _take_over(kept: Person, dropped: Person) -> None:
    """Fill the kept person's gaps from the duplicate (household, number, other values)."""
    if kept.household_id is None and dropped.household_id is not None:
        kept.household_id, kept.relationship = dropped.household_id, dropped.relationship
    if not kept.id_number and dropped.id_number:
        kept.id_type, kept.id_number = dropped.id_type, dropped.id_number
        kept.id_override_reason = dropped.id_override_reason
        kept.id_index = id_index(kept.id_number)
    for name in FILLED_FROM_DUPLICATE:
        if not getattr(kept, name) and getattr(dropped, name) and getattr(dropped, name) != kept.pk:
            setattr(kept, name, getattr(dropped, name))
    kept.is_head = kept.relationship == HEAD
    kept.version += 1
    kept.save()


def _relink_relatives(persons: dict[int, Person], keep_id: int, drop_id: int) -> int:
    moved = 0
    for person in persons.values():
        if person.pk in (keep_id, drop_id):
            continue
        changed = False
        for link in ("father_id", "mother_id", "spouse_id"):
            if getattr(person, link) == drop_id:
                setattr(person, link, keep_id)
                changed = True
        if changed:
            person.version += 1
            person.save()
            moved += 1
    return moved


def _move_card(kept: Person, dropped: Person, today: date) -> int:
    """Card children that were the duplicate become the kept person; the duplicate's card
    moves to the kept person, or its children, episodes and pregnancies do."""
    moved = 0
    for child in Child.objects.select_for_update().filter(person_id=dropped.pk).order_by("pk"):
        child.person_id = kept.pk
        child.save()
        moved += 1
    old = WomanCard.objects.select_for_update().filter(person_id=dropped.pk).first()
    if old is None:
        return moved
    mine = WomanCard.objects.select_for_update().filter(person_id=kept.pk).first()
    if mine is None:
        old.person_id, old.unit_code = kept.pk, kept.unit_code
        old.version += 1
        old.save()
        for model in (Child, ContraceptionEpisode, Pregnancy):
            for row in model.objects.filter(card=old).exclude(unit_code=kept.unit_code):
                row.unit_code = kept.unit_code
                row.save()
        return moved + 1
    known = set(mine.children.values_list("name", "birth_date"))
    for child in old.children.order_by("parity"):
        if (child.name, child.birth_date) not in known:
            child.card, child.parity = mine, mine.children.count() + 1
            child.unit_code = mine.unit_code  # scoped where the card now is
            child.save()
            moved += 1
    for model in (ContraceptionEpisode, Pregnancy):
        for row in model.objects.filter(card=old).order_by("pk"):
            row.card, row.unit_code = mine, mine.unit_code
            row.save()
            moved += 1
    if old.status == CardStatus.OPEN:
        old.status, old.closed_on = CardStatus.CLOSED, today
        old.close_reason = CardCloseReason.EXITED
        old.version += 1
        old.save()
    return moved


def _repoint_candidates(merged: DuplicateCandidate, keep_id: int, drop_id: int) -> None:
    """Other open pairs with the duplicate now concern the kept person (or are settled)."""
    others = (
        DuplicateCandidate.objects.select_for_update()
        .filter(Q(first_id=drop_id) | Q(second_id=drop_id), status=DuplicateCandidate.Status.OPEN)
        .exclude(pk=merged.pk)
        .order_by("pk")
    )
    for pair in others:
        other = pair.second_id if pair.first_id == drop_id else pair.first_id
        if other == keep_id:
            pair.status, pair.resolved_at = DuplicateCandidate.Status.MERGED, timezone.now()
            pair.resolved_by_id = merged.resolved_by_id
            pair.save()
            continue
        first, second = sorted((keep_id, other))
        taken = DuplicateCandidate.objects.filter(
            first_id=first, second_id=second, reason=pair.reason
        ).exists()
        if taken:
            pair.delete()
        else:
            pair.first_id, pair.second_id = first, second
            pair.save()
