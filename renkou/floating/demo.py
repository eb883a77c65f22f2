"""The demo county's floating-population registers (issue 16 items 1, 2): a record for each
inflow and outflow person of the register (their ``flow`` columns, set by the people demo),
with residence, employer and contact; about half the outflow persons have come back. Inflow
women of childbearing age hold 婚育证明 in turn: verified and valid, verified but expired, shown
but not verified yet, none — so the check rate is neither 0 nor 100 % and the to-do list has
certificate items to offer help with. Deterministic; a person who already has a record is left
as she is (a second run adds nothing)."""

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from renkou.floating.constants import CheckResult, Direction, MatchState
from renkou.floating.models import Certificate, FloatingRecord
from renkou.geo.scope import prefix_range
from renkou.people.constants import FEMALE, WCBA_AGES
from renkou.people.models import Person

LIMIT = 400  # records per direction: enough for paging and figures, quick on the big county
EMPLOYERS = ("县城建筑工地", "农贸市场个体经营", "县宾馆", "商贸公司", "运输合作社", "")
STREETS = ("城关镇迎宾路", "城关镇洮河路", "柳林镇新区", "木耳镇街道")
# The certificate each inflow woman of childbearing age gets, in turn.
CERT_STEPS = ("valid", "expired", "unverified", "none")


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


def _record(person: Person, rng: random.Random, today: date) -> FloatingRecord:
    inflow = person.flow == Direction.IN
    arrived = min(person.flow_date or today - timedelta(days=200), today)
    code = person.registered_code if inflow else person.residence_code
    returned = None
    if not inflow and rng.random() < 0.3:
        returned = min(arrived + timedelta(days=rng.randint(60, 400)), today)
    return FloatingRecord(
        person=person,
        unit_code=person.unit_code,
        direction=Direction.IN if inflow else Direction.OUT,
        place_code=(code or "")[:6],
        place_text=person.flow_place,
        reason=person.flow_reason or "1",
        left_on=arrived - timedelta(days=rng.randint(0, 20)),
        arrived_on=arrived,
        residence=f"{rng.choice(STREETS)}{rng.randint(1, 120)}号" if inflow else "",
        employer=rng.choice(EMPLOYERS),
        contact=_phone(rng) if rng.random() < 0.8 else "",
        expected_return=None if inflow else arrived + timedelta(days=365),
        returned_on=returned,
    )


def _certificate(record: FloatingRecord, step: str, n: int, today: date) -> Certificate | None:
    if step == "none":
        return None
    issued = record.arrived_on - timedelta(days=10)
    until = issued + timedelta(days=3 * 365)
    if step == "expired":
        issued = today - timedelta(days=3 * 365 + 40)
        until = today - timedelta(days=40)
    checked = step != "unverified"
    return Certificate(
        record=record,
        unit_code=record.unit_code,
        number=f"婚育证明第{n:05d}号",
        authority=f"{record.place_text or '户籍地'}乡镇人民政府",
        issued_on=issued,
        valid_until=until,
        result=CheckResult.VALID if checked else "",
        checked_on=min(record.arrived_on + timedelta(days=20), today) if checked else None,
    )


def _is_wcba(person: Person, today: date) -> bool:
    low, high = WCBA_AGES
    return person.sex == FEMALE and low <= person.age_on(today) <= high


@transaction.atomic
def seed_floating(*, county: str, today: date, seed: int = 16) -> dict[str, Any]:
    """Records and certificates of the county's flow persons as of ``today``."""
    rng = random.Random(seed)  # noqa: S311 synthetic data, not a secret
    done = FloatingRecord.objects.values("person_id")
    persons = (
        Person.objects.filter(exited_at__isnull=True, **prefix_range("unit_code", county))
        .exclude(pk__in=done)
        .order_by("pk")
    )
    records = []
    for direction in (Direction.IN, Direction.OUT):
        chosen = persons.filter(flow=direction, flow_date__isnull=False)[:LIMIT]
        records += [_record(p, rng, today) for p in chosen]
    records = bulk_create_with_history(records, FloatingRecord, batch_size=500)
    certificates = []
    women = [r for r in records if r.direction == Direction.IN and _is_wcba(r.person, today)]
    for n, record in enumerate(women):
        cert = _certificate(record, CERT_STEPS[n % len(CERT_STEPS)], n + 1, today)
        if cert is not None:
            certificates.append(cert)
    bulk_create_with_history(certificates, Certificate, batch_size=500)
    sent = seed_messages(county=county, today=today)
    return {
        "records": len(records),
        "women": len(women),
        "certificates": len(certificates),
        "messages": sent,
    }


# Each township's 协查 messages, in turn: an urgent request received 20 days ago and not
# answered (overdue), a request received 10 days ago (open), one sent 40 days ago and answered.
MESSAGES = (
    ("in", "request", True, 20, "四川省成都市武侯区某街道", "核实现孕情况及孕检服务需求", False),
    ("in", "request", False, 10, "甘肃省临夏州临夏县某乡", "核实婚育证明信息", False),
    ("out", "notice", False, 40, "青海省西宁市城东区某街道", "通报流出人员联系方式变更", True),
)


def seed_messages(*, county: str, today: date) -> int:
    """The townships' demo messages (a township that has any is left as it is)."""
    from datetime import timedelta as days

    from renkou.floating.constants import NORMAL_DAYS, URGENT_DAYS, MessageStatus
    from renkou.floating.models import Message
    from renkou.geo.constants import Level
    from renkou.geo.models import Unit

    townships = Unit.objects.current().subtree(county).filter(level=Level.TOWNSHIP)
    made = []
    for unit in townships.order_by("code"):
        if Message.objects.filter(unit_code=unit.code).exists():
            continue
        subjects = _subjects(unit.code[:9])
        for n, (way, kind, urgent, ago, counterpart, question, replied) in enumerate(MESSAGES):
            dated = today - days(days=ago)
            message = Message(
                unit_code=unit.code,
                way=way,
                kind=kind,
                urgent=urgent,
                counterpart=counterpart,
                subject="流动育龄妇女一名（姓名见纸质函件）",
                question=question,
                dated_on=dated,
                due_on=dated + days(days=URGENT_DAYS if urgent else NORMAL_DAYS),
                reply="已核实并反馈" if replied else "",
                replied_on=dated + days(days=12) if replied else None,
                status=MessageStatus.REPLIED if replied else MessageStatus.OPEN,
            )
            if n < len(subjects):
                _identify(message, subjects[n], by_number=n == 0)
            made.append(message)
    bulk_create_with_history(made, Message, batch_size=500)
    return len(made)


def _subjects(township: str) -> list[Any]:
    """Two women of the township's register with an ID number: the first received request
    names one by the ID number (linked by the blind index), the second by name and birth date
    (candidates for the officer to confirm)."""
    rows = Person.objects.filter(
        sex=FEMALE, exited_at__isnull=True, **prefix_range("unit_code", township)
    ).exclude(id_index="")
    return list(rows.order_by("pk")[:2])


def _identify(message: Any, person: Person, *, by_number: bool) -> None:
    message.subject_name = person.name
    message.subject_birth_date = person.birth_date
    if by_number:
        message.subject_id_number = person.id_number
        message.subject_id_index = person.id_index
        message.person = person
        message.match = MatchState.INDEX
