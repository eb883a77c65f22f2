"""Policy of the floating-population registers (renkou/floating, issue 16 items 1 and 2).

Records and certificates are people's data: read by the roles that read persons
(``people.view_person``; the inspector only under a visit's grant, so here 404), written by
those who keep the register (``people.edit_person``: village, township and county staff),
exported by those who may export persons. The check rate is an aggregate figure.
"""

from datetime import date

from tests.authz_policy import GET_POST, INSP, LEAD, POST, TECH, C, Rule, T, V

READ = frozenset({V, T, C, TECH, INSP})
KEEP = frozenset({V, T, C})

POLICY: dict[str, Rule] = {
    "floating:record_list": Rule(READ),
    "floating:record_export": Rule(KEEP),
    "floating:record_find": Rule(KEEP),
    "floating:record_create": Rule(KEEP, GET_POST, obj="person"),
    "floating:record_detail": Rule(READ, obj="floatingrecord"),
    "floating:record_edit": Rule(KEEP, GET_POST, obj="floatingrecord"),
    "floating:certificate_add": Rule(KEEP, GET_POST, obj="floatingrecord"),
    "floating:certificate_edit": Rule(KEEP, GET_POST, obj="floatingcert"),
    "floating:check_rate": Rule(READ | {LEAD}),
    # 协查 messages (item 3): read like the register; registered and answered by its keepers.
    "floating:message_list": Rule(READ),
    "floating:message_create": Rule(KEEP, GET_POST),
    "floating:message_detail": Rule(READ, obj="floatingmessage"),
    "floating:message_reply": Rule(KEEP, POST, obj="floatingmessage"),
    # Item 3 (rest) and item 6: the officer confirms the subject's local person; the monthly
    # cut-off and the timeliness rate are aggregate figures (their lists are the message
    # list's, for readers of persons).
    "floating:message_link": Rule(KEEP, POST, obj="floatingmessage"),
    "floating:message_monthly": Rule(READ | {LEAD}),
    "floating:message_timeliness": Rule(READ | {LEAD}),
}


def _record(unit, user):
    from renkou.floating.models import FloatingRecord
    from renkou.people.models import Person

    person = Person.objects.filter(unit_code=unit.code).first() or Person.objects.create(
        unit_code=unit.code,
        name="流动测试",
        sex="2",
        birth_date=date(1995, 5, 1),
        registered_code="510001100201",
        residence_code=unit.code,
    )
    return FloatingRecord.objects.create(
        person=person,
        unit_code=unit.code,
        direction="in",
        place_text="四川省",
        reason="1",
        arrived_on=date(2025, 3, 1),
    )


def _record_pk(unit, user) -> int:
    return _record(unit, user).pk


def _cert_pk(unit, user) -> int:
    from renkou.floating.models import Certificate

    record = _record(unit, user)
    return Certificate.objects.create(
        record=record,
        unit_code=record.unit_code,
        number="婚证甲一",
        authority="户籍地乡政府",
        issued_on=date(2025, 1, 1),
        valid_until=date(2028, 1, 1),
    ).pk


def _message_pk(unit, user) -> int:
    from renkou.floating.models import Message

    return Message.objects.create(
        unit_code=unit.code,
        way="in",
        kind="request",
        counterpart="四川省某街道",
        subject="某女",
        question="核实现孕情况",
        dated_on=date(2025, 3, 1),
        due_on=date(2025, 3, 31),
    ).pk


PROVIDERS = {
    "floatingrecord": _record_pk,
    "floatingcert": _cert_pk,
    "floatingmessage": _message_pk,
}
