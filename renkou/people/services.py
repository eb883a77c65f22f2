"""Writes to the register. Views, the API, the importer and commands all call these.

Every write runs in one transaction with its audit row (ids and field names only, never the
values), keeps history through django-simple-history, and brings the woman's card in step.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from renkou.common import audit, crypto, idnumber, pinyin
from renkou.common.actors import Actor, check_version
from renkou.geo.constants import county_of
from renkou.people.cards import card_sync
from renkou.people.constants import HEAD
from renkou.people.models import Household, Person

ID_PURPOSE = "person.id_number"
PERSON = "该人员信息"  # what a stale person page names (``check_version``)
# Fields a person form or import row may set; everything else is derived.
PERSON_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "id_override_reason",
    "sex",
    "birth_date",
    "ethnicity",
    "marital_status",
    "first_marriage_date",
    "education",
    "hukou_type",
    "relationship",
    "registered_code",
    "residence_code",
    "residence_status",
    "phone",
)


def id_index(number: str) -> str:
    """The keyed blind index of a document number ('' when there is none)."""
    normalised = idnumber.normalise(number)
    return crypto.blind_index(normalised, ID_PURPOSE) if normalised else ""


def county_prefix(unit_code: str) -> str:
    return county_of(unit_code)


def _derive(person: Person) -> None:
    person.id_index = id_index(person.id_number)
    person.name_key = pinyin.search_key(person.name)
    person.is_head = person.relationship == HEAD
    household = person.household if person.household_id else None
    county = county_prefix(
        household.unit_code if household else person.residence_code or person.registered_code
    )
    if person.residence_code.startswith(county):
        person.unit_code = person.residence_code
    elif household:
        person.unit_code = household.unit_code
    else:
        person.unit_code = person.registered_code


def person_prepare(person: Person) -> None:
    """Fill the derived columns (blind index, pinyin key, head flag, managing unit) exactly as
    ``person_register`` and ``person_update`` do, for writers that save in bulk without
    ``save()`` (the importer). ``person.household`` must be loaded when it is set."""
    _derive(person)


def person_apply(person: Person, values: dict[str, Any]) -> list[str]:
    """Set the fields of ``values`` that differ from ``person`` the way ``person_update`` does
    (an empty value clears the field) and return their names; derives nothing."""
    changed = [
        k for k in PERSON_FIELDS if k in values and getattr(person, k) != (values[k] or _blank(k))
    ]
    for name in changed:
        setattr(person, name, values[name] or _blank(name))
    return changed


def _check_head(person: Person) -> None:
    if not person.is_head or person.household_id is None:
        return
    others = Person.objects.filter(
        household_id=person.household_id, is_head=True, exited_at__isnull=True
    ).exclude(pk=person.pk)
    if others.exists():
        raise ValidationError({"relationship": "该户已有户主，一户只能有一名户主"})


def household_next_code(village_code: str, group_no: str) -> str:
    prefix = f"{village_code}{group_no}"
    last = Household.objects.filter(code__startswith=prefix).aggregate(m=Max("code"))["m"]
    serial = int(last[14:]) + 1 if last else 1
    if serial > 9999:
        raise ValidationError("该村民小组户序号已用完（最多9999户）")
    return f"{prefix}{serial:04d}"


@transaction.atomic
def household_register(
    *,
    actor: Actor,
    village_code: str,
    group_no: str = "01",
    code: str = "",
    address: str = "",
    hukou_type: str = "",
    household_type: str = "1",
    phone: str = "",
) -> Household:
    """Create a household; without ``code`` the next serial of the village group is used."""
    household = Household(
        code=code or household_next_code(village_code, group_no),
        address=address,
        hukou_type=hukou_type,
        household_type=household_type,
        phone=phone,
    )
    household.save()
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="household.create",
        object_type="people.household",
        object_id=household.pk,
    )
    return household


@transaction.atomic
def person_register(
    *, actor: Actor, household: Household | None, values: dict[str, Any], today: date | None = None
) -> Person:
    """Create a person from checked values (``people.rules.check_person``)."""
    person = Person(household=household, **{k: values.get(k) or _blank(k) for k in PERSON_FIELDS})
    _derive(person)
    _check_head(person)
    person.save()
    card_sync(person, day=today or timezone.localdate())
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="person.create",
        object_type="people.person",
        object_id=person.pk,
        reason=person.id_override_reason and "校验例外",
    )
    return person


def _blank(field: str) -> Any:
    return None if field in ("birth_date", "first_marriage_date") else ""


@transaction.atomic
def person_update(
    *, actor: Actor, person: Person, values: dict[str, Any], version: int, today: date | None = None
) -> Person:
    """Apply changed fields if nobody saved the person since ``version`` was read."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    check_version(locked.version, version, PERSON)
    changed = [
        k for k in PERSON_FIELDS if k in values and getattr(locked, k) != (values[k] or _blank(k))
    ]
    for name in changed:
        setattr(locked, name, values[name] or _blank(name))
    if changed:
        _derive(locked)
        _check_head(locked)
        locked.version += 1
        locked.save()
        card_sync(locked, day=today or timezone.localdate())
        audit.record(
            actor=actor.user,
            ip=actor.ip,
            action="person.update",
            object_type="people.person",
            object_id=locked.pk,
            summary="changed=" + ",".join(changed),
        )
    return locked


@transaction.atomic
def person_move(
    *,
    actor: Actor,
    person: Person,
    household: Household,
    relationship: str,
    today: date | None = None,
    version: int | None = None,
) -> Person:
    """Move a person into another household (分户/并户), with the new relationship to its head.
    ``version``: the one the page showed (a stale page → ``ConflictError``); None from code
    that holds no page (the import)."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if version is not None:
        check_version(locked.version, version, PERSON)
    old = locked.household_id
    locked.household, locked.relationship = household, relationship
    _derive(locked)
    _check_head(locked)
    locked.version += 1
    locked.save()
    card_sync(locked, day=today or timezone.localdate())
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="person.move",
        object_type="people.person",
        object_id=locked.pk,
        summary=f"household {old}→{household.pk}",
    )
    return locked


EXIT_DEATH = "3"  # 退出原因 死亡
DEATH_BY_EVENT = "死亡请登记“死亡”变动：死亡要计入出生、死亡统计，登记后该人员自动退出。"


@transaction.atomic
def person_exit(
    *, actor: Actor, person: Person, on: date, reason: str, version: int | None = None
) -> Person:
    """Soft exit (退出系统): the record stays, hidden from current lists, and can be restored.
    A death is not an exit of the register but a change event (死亡变动): it counts among the
    deaths whether or not the record is closed (统计口径, docs/indicators.md §4), so an exit
    with reason 死亡 is refused and the page links to the death form."""
    if reason == EXIT_DEATH:
        raise ValidationError(DEATH_BY_EVENT, code="death_by_event")
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if version is not None:
        check_version(locked.version, version, PERSON)
    if locked.exited_at is not None:
        raise ValidationError("该人员已退出")
    locked.exited_at, locked.exit_reason = on, reason
    locked.is_head = False
    locked.version += 1
    locked.save()
    card_sync(locked, day=on)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="person.exit",
        object_type="people.person",
        object_id=locked.pk,
        summary=f"reason={reason}",
    )
    return locked


@transaction.atomic
def person_restore(
    *, actor: Actor, person: Person, today: date | None = None, version: int | None = None
) -> Person:
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if version is not None:
        check_version(locked.version, version, PERSON)
    if locked.exited_at is None:
        raise ValidationError("该人员未退出，无需恢复")
    locked.exited_at, locked.exit_reason = None, ""
    _derive(locked)
    _check_head(locked)
    locked.version += 1
    locked.save()
    card_sync(locked, day=today or timezone.localdate())
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="person.restore",
        object_type="people.person",
        object_id=locked.pk,
    )
    return locked


UNMASKABLE = ("id_number", "phone", "birth_date")


def person_unmask(*, actor: Actor, person: Person, field: str, reason: str = "") -> Any:
    """The full value of a masked field (the ID number, the phone, or the birth date that pages
    showing the masked number give as an age only), for a role allowed to see it; always
    audited."""
    if field not in UNMASKABLE:
        raise ValueError(field)
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="person.unmask",
        object_type="people.person",
        object_id=person.pk,
        summary=f"field={field}",
        reason=reason,
    )
    return getattr(person, field)
