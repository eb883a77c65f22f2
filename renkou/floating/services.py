"""Writes of the floating-population registers (issue 16 items 1 and 2): one function per
change, keyword-only with an explicit actor, each in one transaction with its audit row, so bad
input leaves nothing half-written. Edits carry the version the page showed
(``check_version``): a stale page is refused, never silently overwritten.

Audit rows hold ids and the names of changed fields, never the values (a phone, an address).
"""

import re
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from renkou.common import audit, dates, dicts, idnumber, validators
from renkou.common.actors import Actor, check_version
from renkou.floating import reminders
from renkou.floating.constants import (
    NORMAL_DAYS,
    REASON_DICT,
    URGENT_DAYS,
    CheckResult,
    Direction,
    MatchState,
    MessageKind,
    MessageStatus,
    MessageWay,
)
from renkou.floating.models import Certificate, FloatingRecord, Message
from renkou.people import services as people_services
from renkou.people.models import Person

RECORD = "该流动人口登记"
CERTIFICATE = "该婚育证明"
RECORD_FIELDS = (
    "direction",
    "place_code",
    "place_text",
    "reason",
    "left_on",
    "arrived_on",
    "residence",
    "employer",
    "contact",
    "expected_return",
    "returned_on",
)
CERT_FIELDS = ("number", "authority", "issued_on", "valid_until", "result", "checked_on")


def _later(
    errors: dict[str, str], name: str, day: date | None, than: date | None, msg: str
) -> None:
    if day is not None and than is not None and day < than:
        errors.setdefault(name, msg)


def validate_record(values: dict[str, Any], today: date) -> dict[str, Any]:
    """The record's values checked together; raises ``ValidationError`` (field → Chinese
    message) and returns them normalised."""
    errors: dict[str, str] = {}
    values = {name: values.get(name) for name in RECORD_FIELDS}
    for name in ("place_code", "place_text", "residence", "employer", "contact", "reason"):
        values[name] = (values[name] or "").strip()
    if values["direction"] not in Direction.values:
        errors["direction"] = "请选择流动类型（流入或流出）"
    code = values["place_code"]
    if code and not (code.isascii() and code.isdigit() and len(code) in (6, 9, 12)):
        errors["place_code"] = "区划代码应为6位、9位或12位数字"
    if not code and not values["place_text"]:
        errors["place_text"] = "请填写来源地或去向地（区划代码或地名）"
    if values["reason"] not in dict(dicts.choices(REASON_DICT)):
        errors["reason"] = "请选择流动原因"
    arrived = values["arrived_on"]
    if arrived is None:
        errors["arrived_on"] = "请填写流入/流出日期"
    elif arrived > today:
        errors["arrived_on"] = "流入/流出日期不能晚于今天"
    if values["left_on"] is not None and arrived is not None and values["left_on"] > arrived:
        errors["left_on"] = "离开户籍地日期不能晚于流入/流出日期"
    _later(
        errors,
        "expected_return",
        values["expected_return"],
        arrived,
        "预计返回日期不能早于流入/流出日期",
    )
    _later(
        errors, "returned_on", values["returned_on"], arrived, "实际返回日期不能早于流入/流出日期"
    )
    if values["returned_on"] is not None and values["returned_on"] > today:
        errors["returned_on"] = "实际返回日期不能晚于今天"
    if values["contact"]:
        try:
            values["contact"] = validators.phone(values["contact"])
        except ValidationError as exc:
            errors["contact"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return values


def _open_twin(person: Person, direction: str, exclude: int | None = None) -> bool:
    rows = FloatingRecord.objects.filter(
        person=person, direction=direction, returned_on__isnull=True
    )
    return rows.exclude(pk=exclude).exists() if exclude else rows.exists()


@transaction.atomic
def record_register(
    *, actor: Actor, person: Person, values: dict[str, Any], today: date | None = None
) -> FloatingRecord:
    """登记流入/流出: a new stay of a register person, at the person's managing unit."""
    today = today or dates.today()
    clean = validate_record(values, today)
    if clean["returned_on"] is None and _open_twin(person, clean["direction"]):
        label = Direction(clean["direction"]).label
        raise ValidationError({"direction": f"该人员已有未返回的{label}登记，请修改原登记"})
    record = FloatingRecord.objects.create(
        person=person, unit_code=person.unit_code, recorded_by=actor.user, **clean
    )
    audit.record_for(
        actor, "floating.record_register", record, summary=f"direction={record.direction}"
    )
    _refresh_later(record.person_id)
    return record


@transaction.atomic
def record_update(
    *,
    actor: Actor,
    record: FloatingRecord,
    values: dict[str, Any],
    version: int | None,
    today: date | None = None,
) -> FloatingRecord:
    """修改登记 (a return is recorded here too), if nobody saved it since ``version``. An empty
    contact keeps the stored number (the form never shows it in full)."""
    today = today or dates.today()
    locked = FloatingRecord.objects.select_for_update().get(pk=record.pk)
    check_version(locked.version, version, RECORD)
    values = {**values, "direction": locked.direction}
    values["contact"] = values.get("contact") or locked.contact
    clean = validate_record(values, today)
    changed = [name for name in RECORD_FIELDS if getattr(locked, name) != clean[name]]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, clean[name])
    locked.version += 1
    locked.save()
    audit.record_for(
        actor, "floating.record_update", locked, summary="changed=" + ",".join(changed)
    )
    _refresh_later(locked.person_id)
    return locked


def validate_certificate(values: dict[str, Any], today: date) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values = {name: values.get(name) for name in CERT_FIELDS}
    for name in ("number", "authority", "result"):
        values[name] = (values[name] or "").strip()
    if not values["number"]:
        errors["number"] = "请填写证明编号"
    if not values["authority"]:
        errors["authority"] = "请填写发证机关"
    issued, until = values["issued_on"], values["valid_until"]
    if issued is None:
        errors["issued_on"] = "请填写发证日期"
    elif issued > today:
        errors["issued_on"] = "发证日期不能晚于今天"
    if until is None:
        errors["valid_until"] = "请填写有效期至"
    elif issued is not None and until <= issued:
        errors["valid_until"] = "有效期至应晚于发证日期"
    if values["result"] not in CheckResult.values:
        errors["result"] = "请选择核验结果"
    checked = values["checked_on"]
    if values["result"] and checked is None:
        errors["checked_on"] = "已选择核验结果，请填写核验日期"
    if checked is not None and not values["result"]:
        errors["result"] = "已填写核验日期，请选择核验结果"
    if checked is not None and checked > today:
        errors["checked_on"] = "核验日期不能晚于今天"
    _later(errors, "checked_on", checked, issued, "核验日期不能早于发证日期")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def certificate_add(
    *, actor: Actor, record: FloatingRecord, values: dict[str, Any], today: date | None = None
) -> Certificate:
    """登记婚育证明 of an inflow record, with its verification if done."""
    if record.direction != Direction.IN:
        raise ValidationError("婚育证明只在流入登记中查验")
    clean = validate_certificate(values, today or dates.today())
    cert = Certificate.objects.create(
        record=record, unit_code=record.unit_code, recorded_by=actor.user, **clean
    )
    audit.record_for(actor, "floating.certificate_add", cert, summary=f"record={record.pk}")
    _refresh_later(record.person_id)
    return cert


@transaction.atomic
def certificate_update(
    *,
    actor: Actor,
    certificate: Certificate,
    values: dict[str, Any],
    version: int | None,
    today: date | None = None,
) -> Certificate:
    """修改婚育证明 or record its verification (核验结果、核验日期)."""
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    check_version(locked.version, version, CERTIFICATE)
    clean = validate_certificate(values, today or dates.today())
    changed = [name for name in CERT_FIELDS if getattr(locked, name) != clean[name]]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, clean[name])
    locked.version += 1
    locked.save()
    audit.record_for(
        actor, "floating.certificate_update", locked, summary="changed=" + ",".join(changed)
    )
    _refresh_later(locked.record.person_id)
    return locked


def _refresh_later(person_id: int) -> None:
    """The person's certificate reminders, once the change commits (nothing on a rollback)."""
    transaction.on_commit(lambda: reminders.refresh_person(person_id, dates.today()))


# --- inter-jurisdiction messages (协查) ----------------------------------------------------

MESSAGE = "该协查函件"
MESSAGE_FIELDS = ("way", "kind", "urgent", "counterpart", "subject", "question", "dated_on")
SUBJECT_FIELDS = ("subject_name", "subject_birth_date", "subject_id_number")
# Minimum necessary (最少必要): a reply answers the question; the ID number and the phone are
# never written into it (the requester has the number already, the page shows it masked).
ID_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])", re.ASCII)
PHONE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", re.ASCII)
REPLY_NO_NUMBERS = "反馈内容不要填写身份证号或电话号码：按最少必要原则只反馈所问事项"


def reply_days(urgent: bool) -> int:
    """Days allowed for the reply: 15 urgent, 30 otherwise (settings may change them)."""
    if urgent:
        return int(getattr(settings, "RENKOU_MESSAGE_URGENT_DAYS", URGENT_DAYS))
    return int(getattr(settings, "RENKOU_MESSAGE_NORMAL_DAYS", NORMAL_DAYS))


def _subject(values: dict[str, Any], errors: dict[str, str], today: date) -> dict[str, Any]:
    """The subject's identifiers: an ID number (checked, normalised to 18 characters) and/or
    name and birth date together (the two a candidate match needs)."""
    name = (values.get("subject_name") or "").strip()
    born = values.get("subject_birth_date")
    raw = str(values.get("subject_id_number") or "").strip()
    number = ""
    if raw:
        result = idnumber.validate(raw, today=today)
        if result.info is None or result.errors:
            errors["subject_id_number"] = (result.errors or result.problems)[0].message
        else:
            number = result.info.number
            if born is not None and born != result.info.birth_date:
                errors["subject_birth_date"] = "出生日期与身份证号中的出生日期不一致"
    if born is not None and born > today:
        errors["subject_birth_date"] = "出生日期不能晚于今天"
    if bool(name) != (born is not None):
        errors.setdefault(
            "subject_birth_date" if name else "subject_name",
            "协查对象的姓名和出生日期请同时填写（用于匹配本地人员）",
        )
    return {"subject_name": name, "subject_birth_date": born, "subject_id_number": number}


def validate_message(values: dict[str, Any], today: date) -> dict[str, Any]:
    errors: dict[str, str] = {}
    subject = _subject(values, errors, today)
    values = {name: values.get(name) for name in MESSAGE_FIELDS}
    for name in ("counterpart", "subject", "question"):
        values[name] = (values[name] or "").strip()
    values["urgent"] = bool(values["urgent"])
    if values["way"] not in MessageWay.values:
        errors["way"] = "请选择收到或发出"
    if values["kind"] not in MessageKind.values:
        errors["kind"] = "请选择类别"
    if not values["counterpart"]:
        errors["counterpart"] = "请填写对方地区或单位"
    if not values["subject"]:
        errors["subject"] = "请填写协查对象"
    if not values["question"]:
        errors["question"] = "请填写协查事项"
    if values["dated_on"] is None:
        errors["dated_on"] = "请填写发出/收到日期"
    elif values["dated_on"] > today:
        errors["dated_on"] = "发出/收到日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    return values | subject


def index_match(user: Any, index: str) -> Person | None:
    """The one register person of ``user``'s subtree whose ID blind index is ``index`` (the
    index ``people.services.id_index`` stores); None when there is none, or more than one (a
    duplicate the officer resolves from the candidates)."""
    if not index:
        return None
    found = list(Person.objects.visible_to(user).filter(id_index=index).order_by("pk")[:2])
    return found[0] if len(found) == 1 else None


@transaction.atomic
def message_register(
    *,
    actor: Actor,
    unit_code: str,
    values: dict[str, Any],
    record: FloatingRecord | None = None,
    today: date | None = None,
) -> Message:
    """登记协查函件 (received or sent), its reply deadline set from its urgency. The subject is
    tied to a local person at once when that is certain: by the record it names, or by the ID
    number's blind index within the actor's subtree; otherwise the officer confirms one of the
    name-and-birth-date candidates on the message page (``message_link``)."""
    clean = validate_message(values, today or dates.today())
    due = clean["dated_on"] + timedelta(days=reply_days(clean["urgent"]))
    index = people_services.id_index(clean["subject_id_number"])
    person, match = None, MatchState.PENDING
    if record is not None:
        person, match = record.person, MatchState.RECORD
    elif (found := index_match(actor.user, index)) is not None:
        person, match = found, MatchState.INDEX
    message = Message.objects.create(
        unit_code=record.unit_code if record else unit_code,
        record=record,
        due_on=due,
        recorded_by=actor.user,
        subject_id_index=index,
        person=person,
        match=match,
        **clean,
    )
    audit.record_for(
        actor,
        "floating.message_register",
        message,
        summary=f"way={message.way} match={match or 'pending'}",
    )
    transaction.on_commit(lambda: reminders.refresh_unit(message.unit_code, dates.today()))
    return message


@transaction.atomic
def message_link(
    *, actor: Actor, message: Message, person: Person | None, version: int | None
) -> Message:
    """确认协查对象: the officer ties the subject to one of the candidates (same name and birth
    date, in the officer's subtree), or records that there is no such local person (``None``).
    A link made by the ID number or the record is exact and is not replaced here."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    check_version(locked.version, version, MESSAGE)
    if locked.match in (MatchState.INDEX, MatchState.RECORD):
        raise ValidationError("该函件已按身份证号或流动人口登记关联本地人员，无需确认")
    if person is not None:
        same = (person.name, person.birth_date) == (
            locked.subject_name,
            locked.subject_birth_date,
        )
        if not same:
            raise ValidationError("所选人员的姓名或出生日期与协查对象不一致，请重新选择")
    locked.person = person
    locked.match = MatchState.CONFIRMED if person is not None else MatchState.NONE
    locked.version += 1
    locked.save()
    audit.record_for(
        actor,
        "floating.message_link",
        locked,
        summary=f"match={locked.match}" + (f" person={person.pk}" if person else ""),
    )
    return locked


@transaction.atomic
def message_reply(
    *,
    actor: Actor,
    message: Message,
    reply: str,
    replied_on: date | None,
    version: int | None,
    today: date | None = None,
) -> Message:
    """反馈: the reply (sent by this unit, or received from the other side) closes the item.
    Only what the request needs: the page asks for no ID number or phone, and the audit row
    keeps ids only."""
    today = today or dates.today()
    locked = Message.objects.select_for_update().get(pk=message.pk)
    check_version(locked.version, version, MESSAGE)
    errors: dict[str, str] = {}
    reply = (reply or "").strip()
    if not reply:
        errors["reply"] = "请填写反馈内容"
    elif ID_IN_TEXT.search(reply) or PHONE_IN_TEXT.search(reply):
        errors["reply"] = REPLY_NO_NUMBERS
    if replied_on is None:
        errors["replied_on"] = "请填写反馈日期"
    elif replied_on > today:
        errors["replied_on"] = "反馈日期不能晚于今天"
    elif replied_on < locked.dated_on:
        errors["replied_on"] = "反馈日期不能早于发出/收到日期"
    if errors or replied_on is None:
        raise ValidationError(errors)
    locked.reply, locked.replied_on = reply, replied_on
    locked.status = MessageStatus.REPLIED
    locked.version += 1
    locked.save()
    audit.record_for(
        actor, "floating.message_reply", locked, summary=f"late={replied_on > locked.due_on}"
    )
    transaction.on_commit(lambda: reminders.refresh_unit(locked.unit_code, dates.today()))
    return locked
