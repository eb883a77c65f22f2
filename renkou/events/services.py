"""Recording, confirming and voiding change events. Views, the importer and commands call these.

Each write is one transaction: the event row, the person's new state (alive, married, present,
place, card), the spells and tallies, and an audit row (ids and codes only, never values).
A correction is a new event that voids the old one; voiding puts back the person's state as
it was before the voided event, so only a person's latest counted event can be voided.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from renkou.common import audit
from renkou.common.actors import Actor
from renkou.common.periods import Period, report_deadline
from renkou.events import tally
from renkou.events.constants import COUNTED, MARRIAGE_KINDS, Kind, Status
from renkou.events.models import Event, MonthlyReport
from renkou.events.parity import parity_of
from renkou.geo.constants import county_of
from renkou.geo.models import Unit
from renkou.people import services as people
from renkou.people.cards import card_sync
from renkou.people.constants import FEMALE, HEAD, MALE, NO_DOCUMENT, Survival
from renkou.people.models import Child, Person, WomanCard
from renkou.people.signals import cards_written

NEVER_MARRIED, FIRST, AGAIN, WIDOWED, DIVORCED = "10", "21", "22", "30", "40"
MARRIED = frozenset({"20", FIRST, AGAIN, "23"})
LEGAL_AGE = {FEMALE: 20, MALE: 22}
EXIT_DEATH, EXIT_MOVED, EXIT_ERROR = "3", "2", "4"
# Person fields an event may change, restored when it is voided.
STATE_FIELDS = (
    "marital_status",
    "first_marriage_date",
    "spouse_id",
    "registered_code",
    "residence_code",
    "residence_status",
    "flow",
    "flow_place",
    "flow_reason",
    "flow_date",
    "household_id",
    "exited_at",
    "exit_reason",
)


@dataclass
class Details:
    """What an event says beyond kind, subject and dates (form and import fill it)."""

    partner: Person | None = None
    child_name: str = ""
    sex: str = ""
    child_id_number: str = ""
    parity: int | None = None
    parity_reason: str = ""
    policy_attribute: str = ""
    birth_place: str = ""
    certificate_no: str = ""
    health: str = ""
    cause: str = ""
    from_code: str = ""
    to_code: str = ""
    place: str = ""
    reason: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _age(person: Person, day: date) -> int:
    return person.age_on(day)


def _state(person: Person) -> dict[str, Any]:
    out = {}
    for name in STATE_FIELDS:
        value = getattr(person, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


def _restore_state(person: Person, state: dict[str, Any]) -> None:
    for name, value in state.items():
        if name in ("first_marriage_date", "flow_date", "exited_at") and value:
            value = date.fromisoformat(value)
        setattr(person, name, value)


def _places(person: Person) -> dict[str, str]:
    return {
        "reg_code": person.registered_code,
        "res_code": person.residence_code,
        "man_code": person.unit_code,
    }


def _lock(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


def _save(person: Person, day: date) -> None:
    if person.household_id:
        person.household = person.household  # reload the FK cache for the derivation
    people.person_prepare(person)
    person.version += 1
    person.save()
    card_sync(person, day=day)


def _child_relationship(mother: Person, sex: str) -> str:
    if mother.relationship in (HEAD, "10", "11", "12"):
        return "20" if sex == MALE else "30"
    if mother.relationship[:1] in ("2", "3"):
        return "41" if sex == MALE else "42"
    return "97"


def _check_dates(effective: date, reported: date, today: date) -> None:
    if effective > today:
        raise ValidationError({"effective_date": "发生日期不能晚于今天"})
    if reported > today:
        raise ValidationError({"reported_date": "报告日期不能晚于今天"})
    if reported < effective:
        raise ValidationError({"reported_date": "报告日期不能早于发生日期"})


def _apply(
    kind: str,
    person: Person,
    d: Details,
    day: date,
    actor: Actor,
    event_fields: dict[str, Any],
    new_person: bool = False,
) -> dict[str, Any]:
    """Change the person (and the card) as the event says; return what voiding puts back."""
    undo: dict[str, Any] = {"state": _state(person)}
    if kind not in (Kind.MOVE_IN, Kind.FLOW_IN) and person.exited_at is not None:
        raise ValidationError("该人员已退出（死亡或迁出），不能再登记变动")
    if kind == Kind.BIRTH:
        return _birth(person, d, day, actor, event_fields, undo)
    if kind == Kind.DEATH:
        person.exited_at, person.exit_reason = day, EXIT_DEATH
        person.is_head = False
        rows = list(
            Child.objects.filter(person=person, survival=Survival.ALIVE).values_list(
                "pk", flat=True
            )
        )
        Child.objects.filter(pk__in=rows).update(survival=Survival.DEAD, death_date=day)
        _cards_written(rows)
        undo["children_died"] = rows
    elif kind in MARRIAGE_KINDS:
        if kind == Kind.FIRST_MARRIAGE and person.marital_status != NEVER_MARRIED:
            raise ValidationError("只有未婚人员才能登记初婚（当前婚姻状况不是未婚）")
        if kind == Kind.REMARRIAGE and person.marital_status not in (WIDOWED, DIVORCED):
            raise ValidationError("只有离婚或丧偶人员才能登记再婚")
        legal = LEGAL_AGE.get(person.sex, 20)
        if _age(person, day) < legal:
            raise ValidationError(f"结婚年龄低于法定婚龄（{legal}周岁）")
        person.marital_status = FIRST if kind == Kind.FIRST_MARRIAGE else AGAIN
        if kind == Kind.FIRST_MARRIAGE:
            person.first_marriage_date = day
        person.spouse = d.partner
    elif kind in (Kind.DIVORCE, Kind.WIDOWHOOD):
        if person.marital_status not in MARRIED:
            raise ValidationError("只有已婚人员才能登记离婚或丧偶")
        person.marital_status = DIVORCED if kind == Kind.DIVORCE else WIDOWED
        person.spouse = None
    elif kind == Kind.MOVE_IN:
        _require_village(d.to_code, "to_code", _county_of(actor, person))
        if (
            not new_person
            and person.exited_at is None
            and county_of(person.registered_code) == county_of(d.to_code)
        ):
            raise ValidationError("该人员已在本县登记户籍，县内迁移请登记“县内迁移”")
        person.registered_code = person.residence_code = d.to_code
        person.flow, person.flow_place, person.flow_date = "", "", None
        person.residence_status = "1"
        person.exited_at, person.exit_reason = None, ""
        if person.household_id and person.household.unit_code != d.to_code:
            person.household, person.is_head, person.relationship = None, False, ""
    elif kind == Kind.MOVE_OUT:
        person.exited_at, person.exit_reason = day, EXIT_MOVED
        person.is_head = False
    elif kind == Kind.MOVE_WITHIN:
        _require_village(d.to_code, "to_code", county_of(person.registered_code))
        if d.to_code == person.registered_code:
            raise ValidationError({"to_code": "迁入地与现户籍地相同"})
        event_fields["from_code"] = person.registered_code
        person.registered_code = person.residence_code = d.to_code
        if person.household_id and person.household.unit_code != d.to_code:
            person.household, person.is_head, person.relationship = None, False, ""
    elif kind == Kind.FLOW_IN:
        _require_village(d.to_code, "to_code", _county_of(actor, person))
        here = person.flow == "in" and person.residence_code == d.to_code
        if not new_person and person.exited_at is None and here:
            raise ValidationError("该人员已登记流入本村，无需重复登记")
        person.flow, person.flow_place, person.flow_reason = "in", d.place, d.reason
        person.flow_date, person.residence_code, person.residence_status = day, d.to_code, "4"
        person.exited_at, person.exit_reason = None, ""
    elif kind == Kind.FLOW_OUT:
        person.flow, person.flow_place, person.flow_reason = "out", d.place, d.reason
        person.flow_date, person.residence_status = day, "2"
    _save(person, day)
    return undo


def _county_of(actor: Actor, person: Person) -> str:
    """The county the actor works in (its scope's first six digits), else the person's."""
    prefix = getattr(actor.user, "scope_prefix", None) or ""
    return (
        county_of(prefix)
        if len(prefix) >= 6
        else county_of(person.unit_code or person.registered_code)
    )


def _require_village(code: str, name: str, county: str) -> None:
    known = code and len(code) == 12 and Unit.objects.filter(code=code).exists()
    if not known or not code.startswith(county):
        raise ValidationError({name: "请选择本县的村（居）"})


def _birth(
    mother: Person,
    d: Details,
    day: date,
    actor: Actor,
    event_fields: dict[str, Any],
    undo: dict[str, Any],
) -> dict[str, Any]:
    if mother.sex != FEMALE:
        raise ValidationError("出生变动的当事人应为母亲")
    if d.sex not in (MALE, FEMALE):
        raise ValidationError({"sex": "请选择婴儿性别"})
    if not d.child_name.strip():
        raise ValidationError({"child_name": "请填写婴儿姓名"})
    age = _age(mother, day)
    if not 10 <= age <= 60:
        raise ValidationError(f"母亲生育时年龄为{age}岁，请核对出生日期")
    counted = parity_of(mother, d.partner, day)
    parity = d.parity or counted
    if parity != counted and not d.parity_reason.strip():
        raise ValidationError(
            {
                "parity_reason": f"按统计口径（夫妇双方现有子女，含前婚、收养、已迁出子女，"
                f"不含已死亡子女）本孩为第{counted}孩，填写的是第{parity}孩："
                "请填写原因，或清空孩次由系统推算"
            }
        )
    event_fields["parity"] = parity
    if parity != counted:
        event_fields["parity_reason"] = d.parity_reason.strip()[:200]
        undo["parity_counted"] = counted
    values = {
        "name": d.child_name.strip(),
        "sex": d.sex,
        "birth_date": day,
        "id_type": "01" if d.child_id_number else NO_DOCUMENT,
        "id_number": d.child_id_number,
        "ethnicity": mother.ethnicity,
        "marital_status": NEVER_MARRIED,
        "hukou_type": mother.hukou_type,
        "registered_code": mother.registered_code,
        "residence_code": mother.residence_code,
        "residence_status": "1",
        "relationship": _child_relationship(mother, d.sex) if mother.household_id else "",
    }
    if d.child_id_number:
        number = people.id_index(d.child_id_number)
        taken = Person.objects.filter(id_index=number).exclude(exit_reason=EXIT_ERROR)
        if taken.exists():
            raise ValidationError({"child_id_number": "该婴儿身份号码已登记，请勿重复录入"})
    child = people.person_register(
        actor=actor, household=mother.household, values=values, today=day
    )
    Person.objects.filter(pk=child.pk).update(mother=mother, father=d.partner)
    undo["child"] = child.pk
    card = WomanCard.objects.filter(person=mother).first()
    if card is not None:
        row = Child.objects.create(
            card=card,
            person=child,
            unit_code=card.unit_code,
            parity=parity,
            name=child.name,
            sex=d.sex,
            birth_date=day,
            id_number=d.child_id_number or d.certificate_no,
            health=d.health or "1",
            policy_attribute=d.policy_attribute,
        )
        undo["card_child"] = row.pk
    event_fields["child"] = child
    event_fields.update(_places(child))
    return undo


def _cards_written(child_ids: list[int]) -> None:
    """Tell the layers that read the cards' children (benefits) what a bulk update changed."""
    if child_ids:
        cards = Child.objects.filter(pk__in=child_ids).values_list("card_id", flat=True)
        cards_written.send(sender=Child, ids=sorted(set(cards)))


@transaction.atomic
def record(
    *,
    actor: Actor,
    kind: str,
    person: Person,
    effective_date: date,
    reported_date: date | None = None,
    details: Details | None = None,
    corrects: Event | None = None,
    today: date | None = None,
    new_person: bool = False,
) -> Event:
    """Record one change event of ``person`` (for a birth, the mother) and apply it.
    ``new_person``: the person was registered for this move-in or inflow, in this transaction."""
    today = today or timezone.localdate()
    reported_date = reported_date or today
    d = details or Details()
    _check_dates(effective_date, reported_date, today)
    if kind == Kind.VOID:
        raise ValidationError("作废请使用作废操作")
    subject = _lock(person)
    fields: dict[str, Any] = _places(subject)
    undo = _apply(kind, subject, d, effective_date, actor, fields, new_person)
    if kind in (Kind.MOVE_IN, Kind.FLOW_IN):
        fields.update(_places(subject))  # counted where they arrive
    prefix = getattr(actor.user, "scope_prefix", None) or ""
    village_level = len(prefix) >= 12
    event = Event.objects.create(
        kind=kind,
        person=subject,
        partner=d.partner,
        effective_date=effective_date,
        reported_date=reported_date,
        reported_by=actor.user if actor.user else None,
        reporter_unit=getattr(actor.user, "unit_code", "") or "",
        unit_code=fields.get("man_code") or subject.unit_code,
        from_code=fields.pop("from_code", d.from_code),
        to_code=d.to_code,
        place=d.place,
        reason=d.reason,
        subject_sex=subject.sex,
        subject_age=_age(subject, effective_date) if subject.birth_date <= effective_date else 0,
        sex=d.sex if kind == Kind.BIRTH else "",
        policy_attribute=d.policy_attribute,
        birth_place=d.birth_place,
        certificate_no=d.certificate_no,
        health=d.health,
        cause=d.cause,
        corrects=corrects,
        note=d.note,
        undo=undo,
        status=Status.SUBMITTED if village_level else Status.CONFIRMED,
        confirmed_by=None if village_level else actor.user,
        confirmed_at=None if village_level else timezone.now(),
        **fields,
    )
    tally.record_event(event, +1)
    tally.refresh([subject.pk, event.child_id, d.partner.pk if d.partner else None])
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="event.record",
        object_type="events.event",
        object_id=event.pk,
        summary=f"kind={kind} person={subject.pk}",
    )
    if event.parity_reason:
        audit.record(
            actor=actor.user,
            ip=actor.ip,
            action="event.parity_override",
            object_type="events.event",
            object_id=event.pk,
            summary=f"parity={event.parity} counted={undo['parity_counted']}",
            reason=event.parity_reason,
        )
    return event


@transaction.atomic
def confirm(*, actor: Actor, event: Event) -> Event:
    """The township confirms a village's submitted event (审核)."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status != Status.SUBMITTED:
        raise ValidationError("只有待审核的变动可以确认")
    locked.status, locked.confirmed_by, locked.confirmed_at = (
        Status.CONFIRMED,
        actor.user,
        timezone.now(),
    )
    locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="event.confirm",
        object_type="events.event",
        object_id=locked.pk,
    )
    return locked


def latest_counted(person_id: int) -> Event | None:
    return (
        Event.objects.filter(person_id=person_id, status__in=COUNTED)
        .exclude(kind=Kind.VOID)
        .order_by("-effective_date", "-id")
        .first()
    )


@transaction.atomic
def void(*, actor: Actor, event: Event, reason: str, today: date | None = None) -> Event:
    """Void an event (作废): a new VOID event points at it; the person's state before it
    returns; its counts leave every figure."""
    today = today or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": "请填写作废原因"})
    old = Event.objects.select_for_update().get(pk=event.pk)
    if old.status == Status.VOIDED or old.kind == Kind.VOID:
        raise ValidationError("该变动已作废")
    latest = latest_counted(old.person_id)
    if latest is not None and latest.pk != old.pk:
        raise ValidationError("该人员在此之后还有变动，请先作废较晚的变动")
    if (
        old.child_id
        and Event.objects.filter(person_id=old.child_id, status__in=COUNTED)
        .exclude(kind=Kind.VOID)
        .exists()
    ):
        raise ValidationError("该婴儿已有其他变动，请先作废这些变动")
    person = _lock(old.person)
    _restore_state(person, old.undo.get("state", {}))
    _save(person, today)
    if old.undo.get("children_died"):
        Child.objects.filter(pk__in=old.undo["children_died"]).update(
            survival=Survival.ALIVE, death_date=None
        )
        _cards_written(old.undo["children_died"])
    if old.undo.get("card_child"):
        Child.objects.filter(pk=old.undo["card_child"]).delete()
    if old.undo.get("child"):
        child = Person.objects.select_for_update().get(pk=old.undo["child"])
        child.exited_at, child.exit_reason, child.is_head = today, EXIT_ERROR, False
        child.version += 1
        child.save()
    old.status = Status.VOIDED
    old.save(update_fields=["status"])
    marker = Event.objects.create(
        kind=Kind.VOID,
        person=person,
        effective_date=today,
        reported_date=today,
        reported_by=actor.user,
        reporter_unit=getattr(actor.user, "unit_code", "") or "",
        unit_code=old.unit_code,
        corrects=old,
        note=reason.strip()[:200],
        status=Status.CONFIRMED,
        confirmed_by=actor.user,
        confirmed_at=timezone.now(),
    )
    tally.record_event(old, -1)
    tally.refresh([person.pk, old.child_id, old.partner_id])
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="event.void",
        object_type="events.event",
        object_id=old.pk,
        summary=f"kind={old.kind} by={marker.pk}",
    )
    return marker


@transaction.atomic
def correct(
    *,
    actor: Actor,
    event: Event,
    reason: str,
    effective_date: date,
    reported_date: date | None = None,
    details: Details | None = None,
    today: date | None = None,
) -> Event:
    """A correction: void the old event and record the corrected one pointing at it."""
    void(actor=actor, event=event, reason=reason, today=today)
    old = Event.objects.get(pk=event.pk)
    return record(
        actor=actor,
        kind=old.kind,
        person=Person.objects.get(pk=old.person_id),
        effective_date=effective_date,
        reported_date=reported_date,
        details=details,
        corrects=old,
        today=today,
    )


ALREADY_SUBMITTED = "该村（居）本月的人口动态信息报告单已上报，不能重复上报"


def monthly_report_submit(
    *,
    actor: Actor,
    village_code: str,
    period: Period,
    counts: dict[str, int],
    event_ids: list[int],
) -> MonthlyReport:
    """上报 a village's monthly change report once, after the month has ended; on time when
    submitted by the deadline (``periods.report_deadline``, the 5th of the next month). The
    report keeps the events it held (``event_ids``): later events of the month are 补报."""
    now = timezone.now()
    day = timezone.localdate(now)
    if day <= period.end:
        raise ValidationError("该月尚未结束，请在下月初上报")
    if MonthlyReport.objects.filter(unit_code=village_code, month=period.start_month).exists():
        raise ValidationError(ALREADY_SUBMITTED)
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                unit_code=village_code,
                month=period.start_month,
                submitted_by=actor.user,
                submitted_at=now,
                on_time=day <= report_deadline(period.start),
                counts=counts,
                event_ids=sorted(event_ids),
            )
    except IntegrityError as exc:  # submitted by someone else a moment ago
        raise ValidationError(ALREADY_SUBMITTED) from exc
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="monthly_report.submit",
        object_type="events.monthlyreport",
        object_id=report.pk,
        summary=f"unit={village_code} month={period.start_month}",
    )
    return report
