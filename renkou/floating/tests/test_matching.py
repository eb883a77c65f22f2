"""Matching a 协查 message's subject to a local person (issue 16 item 3): the ID number kept
encrypted and matched by the register's blind index within the officer's subtree only; else
candidates by name and birth date that the officer confirms (or 本地无此人); the link shown
masked; a reply that carries only what the request needs."""

import importlib
import random
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_user
from renkou.accounts.constants import Role
from renkou.common import idnumber
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.floating import selectors, services
from renkou.floating.models import Message
from renkou.floating.tests.conftest import TODAY, VALUES, person
from renkou.people import services as people_services

BORN = date(1994, 8, 16)
MESSAGE = {
    "way": "in",
    "kind": "request",
    "urgent": False,
    "counterpart": "四川省成都市武侯区某街道",
    "subject": "户籍在本县的外出育龄妇女",
    "question": "核实是否已生育",
    "dated_on": date(2027, 5, 2),
}


def number_for(born: date, seed: int) -> str:
    return idnumber.generate(random.Random(seed), area="620001", birth=born, sex="2")


def with_id(name: str, unit: str, number: str, born: date = BORN):
    p = person(name, "2", born, unit=unit)
    p.id_number = number
    p.id_index = people_services.id_index(number)
    p.save()
    return p


def register(actor_user, **change) -> Message:
    return services.message_register(
        actor=Actor(actor_user), unit_code=TOWNSHIP_A, values={**MESSAGE, **change}, today=TODAY
    )


@pytest.fixture
def officer(personas):
    return personas["township_officer"]  # township A


def test_the_id_number_links_by_the_blind_index_and_is_never_stored_in_clear(officer, units):
    number = number_for(BORN, 1)
    local = with_id("王小芳", VILLAGE_A1, number)
    typed = number[:-1] + number[-1].lower() if number[-1] == "X" else f" {number} "
    message = register(officer, subject_id_number=typed)
    assert (message.person_id, message.match) == (local.pk, "index")
    assert message.subject_id_index == local.id_index != ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject_id_number FROM floating_message WHERE id = %s", [message.pk])
        (stored,) = cursor.fetchone()
    assert number not in stored and number[6:14] not in stored
    assert Message.objects.get(pk=message.pk).subject_id_number == number
    entry = AuditEntry.objects.filter(action="floating.message_register").latest("seq")
    assert "match=index" in entry.summary and number not in entry.summary


def test_a_person_outside_the_officers_subtree_is_not_linked(officer, personas, units):
    number = number_for(BORN, 2)
    with_id("李小红", VILLAGE_B1, number)  # township B
    message = register(
        officer, subject_id_number=number, subject_name="李小红", subject_birth_date=BORN
    )
    assert (message.person_id, message.match) == (None, "")
    assert list(selectors.match_candidates(officer, message)) == []
    # The county officer sees the township-B woman as a candidate of the same message.
    county = personas["county_officer"]
    assert [p.name for p in selectors.match_candidates(county, message)] == ["李小红"]


def test_candidates_by_name_and_birth_date_are_confirmed_by_the_officer(officer, units):
    first = person("张丽", "2", BORN, unit=VILLAGE_A1)
    second = person("张丽", "2", BORN, unit=VILLAGE_A2)
    person("张丽", "2", date(1994, 8, 17))  # another birth date
    person("张莉", "2", BORN)  # another name
    message = register(officer, subject_name="张丽", subject_birth_date=BORN)
    assert message.match == ""
    found = {p.pk for p in selectors.match_candidates(officer, message)}
    assert found == {first.pk, second.pk}
    stranger = person("王五", "2", BORN)
    with pytest.raises(ValidationError) as caught:
        services.message_link(actor=Actor(officer), message=message, person=stranger, version=1)
    assert caught.value.messages == ["所选人员的姓名或出生日期与协查对象不一致，请重新选择"]
    linked = services.message_link(actor=Actor(officer), message=message, person=second, version=1)
    assert (linked.person_id, linked.match, linked.version) == (second.pk, "confirmed", 2)
    assert list(selectors.match_candidates(officer, linked)) == []
    entry = AuditEntry.objects.filter(action="floating.message_link").latest("seq")
    assert entry.summary == f"match=confirmed person={second.pk}"


def test_no_local_person_is_recorded_and_an_exact_link_is_kept(officer, units):
    message = register(officer, subject_name="赵敏", subject_birth_date=BORN)
    ruled_out = services.message_link(actor=Actor(officer), message=message, person=None, version=1)
    assert (ruled_out.person_id, ruled_out.match) == (None, "none")
    number = number_for(BORN, 3)
    with_id("钱芳", VILLAGE_A1, number)
    exact = register(officer, subject_id_number=number)
    with pytest.raises(ValidationError) as caught:
        services.message_link(actor=Actor(officer), message=exact, person=None, version=1)
    assert "已按身份证号或流动人口登记关联本地人员" in caught.value.messages[0]
    exact.refresh_from_db()
    assert (exact.match, exact.version) == ("index", 1)


def test_a_message_about_a_record_is_about_its_person(officer, woman_a):
    record = services.record_register(
        actor=Actor(officer), person=woman_a, values=VALUES, today=TODAY
    )
    message = services.message_register(
        actor=Actor(officer), unit_code=TOWNSHIP_A, values=MESSAGE, record=record, today=TODAY
    )
    assert (message.person_id, message.match) == (woman_a.pk, "record")


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"subject_id_number": "62000119940816002"}, "subject_id_number", "应为18位"),
        ({"subject_name": "孙丽"}, "subject_birth_date", "姓名和出生日期请同时填写"),
        ({"subject_birth_date": BORN}, "subject_name", "姓名和出生日期请同时填写"),
        (
            {
                "subject_name": "孙丽",
                "subject_birth_date": date(1990, 1, 1),
                "subject_id_number": number_for(BORN, 4),
            },
            "subject_birth_date",
            "出生日期与身份证号中的出生日期不一致",
        ),
    ],
)
def test_bad_subject_identifiers_write_nothing(officer, units, change, field, text):
    with pytest.raises(ValidationError) as caught:
        register(officer, **change)
    assert text in caught.value.message_dict[field][0]
    assert Message.objects.count() == 0


def test_a_wrong_check_character_is_refused(officer, units):
    number = number_for(BORN, 5)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        register(officer, subject_id_number=wrong)
    assert caught.value.message_dict["subject_id_number"][0].startswith("公民身份号码校验位错误")


@pytest.mark.parametrize(
    "reply",
    ["经核实已生育，身份证号 {number}", "请联系13812345678核实", "号码{short}"],
)
def test_a_reply_never_carries_the_id_number_or_a_phone(officer, units, reply):
    number = number_for(BORN, 6)
    message = register(officer, subject_id_number=number)
    text = reply.format(number=number, short=number[:6] + number[8:17])
    with pytest.raises(ValidationError) as caught:
        services.message_reply(
            actor=Actor(officer),
            message=message,
            reply=text,
            replied_on=TODAY,
            version=1,
            today=TODAY,
        )
    assert caught.value.message_dict["reply"] == [services.REPLY_NO_NUMBERS]
    message.refresh_from_db()
    assert (message.status, message.reply, message.version) == ("open", "", 1)


@pytest.fixture
def on_today():
    with time_machine.travel(
        datetime(2027, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


def test_the_message_page_shows_the_link_masked_and_confirms(
    officer, units, signed_in_client, on_today
):
    number = number_for(BORN, 7)
    local = with_id("周婷", VILLAGE_A1, number)
    exact = register(officer, subject_id_number=number)
    client = signed_in_client(officer)
    page = client.get(reverse("floating:message_detail", args=[exact.pk])).content.decode()
    assert number not in page
    masked = re.search(rf"{number[:4]}\*{{14}}<", page)  # docs/masking.md: the first 4 only
    assert masked is not None and "周婷" in page and "身份证号一致" in page
    assert reverse("people:person_detail", args=[local.pk]) in page

    first = person("吴梅", "2", BORN, unit=VILLAGE_A1)
    pending = register(officer, subject_name="吴梅", subject_birth_date=BORN)
    detail = reverse("floating:message_detail", args=[pending.pk])
    assert "确认为此人" in client.get(detail).content.decode()
    seen = AuditEntry.objects.filter(action="floating.candidates").latest("seq")
    assert (seen.object_id, seen.row_count) == (str(pending.pk), 1)
    link = reverse("floating:message_link", args=[pending.pk])
    # A person who is not a candidate is not found (404), nothing is written.
    other = person("郑某", "2", BORN)
    assert client.post(link, {"person": other.pk, "version": 1}).status_code == 404
    empty = client.post(link, {"version": 1})
    assert "请选择一名候选人员，或确认本地无此人" in empty.content.decode()
    assert client.post(link, {"person": first.pk, "version": 1}).status_code == 302
    pending.refresh_from_db()
    assert (pending.person_id, pending.match) == (first.pk, "confirmed")
    stale = client.post(link, {"none": "1", "version": 1})
    assert stale.status_code == 409


def test_an_outsider_cannot_link_and_the_person_page_lists_the_messages(
    officer, units, signed_in_client, on_today
):
    first = person("冯芳", "2", BORN, unit=VILLAGE_A1)
    message = register(officer, subject_name="冯芳", subject_birth_date=BORN)
    outsider = make_user("town_b", Role.TOWNSHIP_OFFICER, units["620001101000"])
    other = signed_in_client(outsider, c=type(signed_in_client(officer))())
    link = reverse("floating:message_link", args=[message.pk])
    assert other.post(link, {"person": first.pk, "version": 1}).status_code == 404
    services.message_link(actor=Actor(officer), message=message, person=first, version=1)
    unrelated = register(officer, subject="另一人")

    client = signed_in_client(officer)
    page = client.get(reverse("people:person_detail", args=[first.pk])).content.decode()
    listed = f"{reverse('floating:message_list')}?person={first.pk}"
    assert listed in page
    fragment = client.get(listed, HTTP_HX_REQUEST="true").content.decode()
    assert reverse("floating:message_detail", args=[message.pk]) in fragment
    assert reverse("floating:message_detail", args=[unrelated.pk]) not in fragment


def test_migration_0006_ties_older_messages_to_their_records_person(officer, woman_a):
    fill = importlib.import_module(
        "renkou.floating.migrations.0006_message_person_from_record"
    ).fill
    record = services.record_register(
        actor=Actor(officer), person=woman_a, values=VALUES, today=TODAY
    )
    older = Message.objects.create(
        unit_code=record.unit_code,
        record=record,
        way="in",
        kind="request",
        counterpart="外县",
        subject="旧函件",
        question="核实",
        dated_on=date(2027, 5, 1),
        due_on=date(2027, 5, 31),
    )
    loose = Message.objects.create(
        unit_code=TOWNSHIP_A,
        way="in",
        kind="request",
        counterpart="外县",
        subject="未涉登记",
        question="核实",
        dated_on=date(2027, 5, 1),
        due_on=date(2027, 5, 31),
    )
    fill(django_apps, None)
    older.refresh_from_db()
    loose.refresh_from_db()
    assert (older.person_id, older.match) == (woman_a.pk, "record")
    assert (loose.person_id, loose.match) == (None, "")
