"""The floating app's items on the to-do lists (renkou.todo), registered here because the records
live in this app (the to-do app imports nothing above it).

``floating_cert``: an inflow woman of childbearing age (15–49) whose 婚育证明 is not verified
yet, or whose verified certificate has run out. Both are a service the township of residence
offers (提醒办理、协助核验, domain.md §2.7), never a sanction:

- the inflow record is the anchor, dated 30 days after arrival (the regulation's time to show
  the certificate); the seeded rule (migration 0002) lists it from arrival. The first verified
  certificate on the record closes it on its verification day.
- each verified certificate is an anchor, dated at its validity end: a newer certificate
  verified on the same record closes it.

A return (实际返回日期) ends both: she no longer lives here.
"""

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from renkou.floating.constants import (
    CERT_ANCHOR,
    MESSAGE_ANCHOR,
    RECORD_ANCHOR,
    SUBMIT_WITHIN,
    Direction,
    MessageStatus,
)
from renkou.floating.models import Certificate, FloatingRecord, Message
from renkou.geo.scope import prefix_range
from renkou.people.constants import FEMALE, WCBA_AGES
from renkou.todo import populations
from renkou.todo.constants import LOOKBACK, Population
from renkou.todo.populations import Anchor, Closers, PopulationDef, Scope, oldest_anchor

CLOSED_TYPE = "floating.certificate"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def inflow_wcba(rows: QuerySet[FloatingRecord], day: date, path: str = "") -> QuerySet[Any]:
    """Inflow records of women aged 15–49 on ``day`` still in the register (``path``: the
    lookup from the rows to the record, "" for records themselves)."""
    low, high = WCBA_AGES
    return rows.filter(
        **{
            f"{path}direction": Direction.IN,
            f"{path}person__sex": FEMALE,
            f"{path}person__birth_date__gt": _years_before(day, high + 1),
            f"{path}person__birth_date__lte": _years_before(day, low),
            f"{path}person__exited_at__isnull": True,
        }
    )


def _records(rule: Any, scope: Scope, today: date) -> QuerySet[FloatingRecord]:
    rows = inflow_wcba(FloatingRecord.objects.all(), today).filter(
        Q(returned_on__isnull=True) | Q(returned_on__gte=today - LOOKBACK)
    )
    return scope.apply(rows, "person")


def anchors(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    records = _records(rule, scope, today)
    oldest = oldest_anchor(rule, today)
    found = []
    fields = ("pk", "person_id", "unit_code", "arrived_on", "returned_on")
    for pk, person, unit, arrived, returned in records.values_list(*fields):
        due = arrived + SUBMIT_WITHIN
        if oldest is None or due >= oldest:
            key = ((RECORD_ANCHOR, pk),)
            found.append(Anchor(person, unit, RECORD_ANCHOR, pk, due, arrived, returned, key))
    certs = Certificate.objects.filter(record__in=records, checked_on__isnull=False).exclude(
        result=""
    )
    if oldest is not None:
        certs = certs.filter(valid_until__gte=oldest)
    fields = ("pk", "record__person_id", "unit_code", "issued_on", "valid_until")
    for pk, person, unit, issued, until, returned in certs.values_list(
        *fields, "record__returned_on"
    ):
        key = ((CERT_ANCHOR, pk),)
        found.append(Anchor(person, unit, CERT_ANCHOR, pk, until, issued, returned, key))
    return found


def closers(rule: Any, found: list[Anchor], scope: Scope, today: date) -> Closers:
    """The first verified certificate closes its record's item; a newer verified certificate of
    the same record closes an older one's."""
    records = {a.anchor_id for a in found if a.anchor_type == RECORD_ANCHOR}
    cert_ids = {a.anchor_id for a in found if a.anchor_type == CERT_ANCHOR}
    verified = (
        Certificate.objects.filter(checked_on__isnull=False)
        .exclude(result="")
        .filter(Q(record_id__in=records) | Q(record__certificates__pk__in=cert_ids))
        .distinct()
        .order_by("record_id", "issued_on", "pk")
    )
    out: Closers = defaultdict(list)
    by_record: dict[int, list[tuple[int, date, Any]]] = defaultdict(list)
    for pk, record, issued, checked in verified.values_list(
        "pk", "record_id", "issued_on", "checked_on"
    ):
        by_record[record].append((pk, issued, checked))
    for record, certs in by_record.items():
        first_pk, _issued, first_checked = min(certs, key=lambda c: (c[2], c[0]))
        out[(RECORD_ANCHOR, record)].append((first_checked, CLOSED_TYPE, first_pk))
        for older, newer in zip(certs, certs[1:], strict=False):
            out[(CERT_ANCHOR, older[0])].append((newer[2], CLOSED_TYPE, newer[0]))
    for rows in out.values():
        rows.sort()
    return dict(out)


def message_anchors(rule: Any, scope: Scope, today: date) -> list[Anchor]:
    """``floating_message``: a 协查 message of a unit, listed from the day it was sent or
    received, due at its reply deadline (15 days urgent, 30 otherwise), overdue after it until
    the reply is recorded."""
    if scope.person_ids is not None:  # a refresh of some persons: no unit's item
        return []
    rows = Message.objects.filter(
        Q(status=MessageStatus.OPEN) | Q(replied_on__gte=today - LOOKBACK)
    )
    if scope.prefix:
        rows = rows.filter(**prefix_range("unit_code", scope.prefix))
    fields = ("pk", "unit_code", "dated_on", "due_on", "replied_on")
    return [
        Anchor(None, unit, MESSAGE_ANCHOR, pk, due, dated, replied, ((MESSAGE_ANCHOR, pk),))
        for pk, unit, dated, due, replied in rows.values_list(*fields)
    ]


def message_closers(rule: Any, found: list[Anchor], scope: Scope, today: date) -> Closers:
    return {
        (MESSAGE_ANCHOR, a.anchor_id): [(a.holds_until, "floating.message", a.anchor_id)]
        for a in found
        if a.holds_until is not None
    }


def connect() -> None:
    populations.register(
        Population.FLOATING_CERTIFICATE, PopulationDef(anchors, closers, "certificate")
    )
    populations.register(
        Population.FLOATING_MESSAGE,
        PopulationDef(message_anchors, message_closers, "message", personal=False),
    )


def refresh_unit(unit_code: str, today: date) -> None:
    """The unit's 协查 items now (after a message or its reply)."""
    from renkou.todo import services as todo
    from renkou.todo.models import ReminderRule

    rules = ReminderRule.objects.filter(population=Population.FLOATING_MESSAGE)
    todo.refresh(unit_code, today, rule_ids=rules.values_list("pk", flat=True))


def refresh_person(person_id: int, today: date) -> None:
    """Bring the person's certificate items up to date now (after a record, a certificate or a
    verification), instead of waiting for the nightly refresh."""
    from renkou.todo import services as todo
    from renkou.todo.models import ReminderRule

    rules = ReminderRule.objects.filter(population=Population.FLOATING_CERTIFICATE)
    todo.refresh(None, today, person_ids=[person_id], rule_ids=rules.values_list("pk", flat=True))
