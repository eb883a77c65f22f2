"""Writing checked rows in bulk, to the same final state as the entry form's services:

- a new person gets exactly the values ``services.person_register`` would store
  (``person_apply`` on a fresh instance, then ``person_prepare`` for the blind index, pinyin
  key, head flag and managing unit, and the ID status ``Person.save`` keeps);
- an existing person (same document number) is changed like ``services.person_update`` (only
  differing fields, version + 1) and moved like ``person_move`` when the household differs;
- households that do not exist yet are created; the women's card follows ``cards.card_sync``.

New rows go in with COPY on PostgreSQL and ``bulk_create`` elsewhere (``inserting``), changed
rows with ``bulk_update`` (1,000 per statement), each with its django-simple-history row
(who, when, reason "导入批次 N"). The caller holds the transaction.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from renkou.people.cards import card_sync, should_have_card
from renkou.people.constants import HEAD
from renkou.people.importing.checking import Checked
from renkou.people.importing.inserting import insert_with_history
from renkou.people.models import Household, Person, WomanCard
from renkou.people.services import PERSON_FIELDS, person_apply, person_prepare
from renkou.people.signals import persons_written

BATCH = 1000
DERIVED = ("id_index", "name_key", "is_head", "unit_code", "household", "version", "updated_at")


def _update_fields() -> list[str]:
    names = [*PERSON_FIELDS, *DERIVED]
    if hasattr(Person, "id_status"):
        names.append("id_status")
    return names


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class Writer:
    def __init__(self, *, user: Any, today: date, reason: str) -> None:
        self.user, self.today, self.reason = user, today, reason[:100]
        self.now = timezone.now()
        self.fields = _update_fields()
        self.has_id_status = "id_status" in self.fields

    def write(self, rows: list[Checked], households: dict[str, Household]) -> Written:
        """Write one chunk of good rows; ``households`` holds the chunk's existing ones."""
        self._households(rows, households)
        new = [self._new(row, households[row.household]) for row in rows if row.existing is None]
        changed = [
            row.existing
            for row in rows
            if row.existing is not None and self._change(row, households[row.household])
        ]
        if new:
            self._insert(new, Person)
            self._open_cards(new)
        if changed:
            bulk_update_with_history(
                changed,
                Person,
                self.fields,
                batch_size=BATCH,
                default_user=self.user,
                default_change_reason=self.reason,
                default_date=self.now,
            )
            for person in changed:
                card_sync(person, day=self.today)
        persons_written.send(sender=Person, ids=[p.pk for p in new] + [p.pk for p in changed])
        updates = len(rows) - len(new)
        return Written(len(new), len(changed), updates - len(changed))

    def _households(self, rows: list[Checked], households: dict[str, Household]) -> None:
        """Create the households this chunk needs and the register lacks (the head's row, or
        else the first row, gives the hukou type)."""
        wanted: dict[str, Checked] = {}
        for row in rows:
            if row.household in households:
                continue
            if row.household not in wanted or row.values["relationship"] == HEAD:
                wanted[row.household] = row
        if not wanted:
            return
        # Household.save derives unit_code and group_no from the code; bulk_create skips save.
        created = [
            Household(
                code=code,
                unit_code=code[:12],
                group_no=code[12:14],
                hukou_type=row.values.get("hukou_type") or "",
            )
            for code, row in wanted.items()
        ]
        for household in self._insert(created, Household):
            households[household.code] = household

    def _insert(self, objs: list[Any], model: Any) -> list[Any]:
        return insert_with_history(objs, model, user=self.user, reason=self.reason, when=self.now)

    def _new(self, row: Checked, household: Household) -> Person:
        person = Person(household=household)
        person_apply(person, {k: row.values.get(k) for k in PERSON_FIELDS})
        person_prepare(person)
        self._id_status(person, row)
        return person

    def _change(self, row: Checked, household: Household) -> bool:
        person = row.existing
        assert person is not None
        changed = person_apply(person, {k: row.values.get(k) for k in PERSON_FIELDS})
        if person.household_id != household.pk:
            person.household = household
            changed.append("household")
        if not changed:
            return False
        person_prepare(person)
        self._id_status(person, row)
        person.version += 1
        person.updated_at = self.now
        return True

    def _id_status(self, person: Person, row: Checked) -> None:
        """The row's values are the person's now, so the status checked with them holds."""
        if self.has_id_status:
            person.id_status = row.id_status

    def _open_cards(self, persons: list[Person]) -> None:
        """``card_sync`` for a person without a card: open one when she qualifies today."""
        cards = [
            WomanCard(person=p, unit_code=p.unit_code, opened_on=self.today)
            for p in persons
            if should_have_card(p, self.today) is None
        ]
        self._insert(cards, WomanCard)
