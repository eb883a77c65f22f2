"""Change-event pages: the register and its search, entry per kind (subject by ID number in a
POST, by name search, or from the person page), new persons on move-in and inflow, service
errors as form errors, the event page, confirm / void / correct, the review queue, scoping
(out of scope is 404) and the list's query budget."""

import random
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import OTHER_VILLAGE, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.common import idnumber
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.events import services
from renkou.events.constants import Kind, Status
from renkou.events.models import Event
from renkou.people.models import Person
from renkou.people.services import person_register

RNG = random.Random(4401)


def new_id(birth: date, sex: str) -> str:
    return idnumber.generate(RNG, birth=birth, sex=sex)


def add(name, sex, born, village, *, number="", **extra) -> Person:
    values = {
        "name": name,
        "sex": sex,
        "birth_date": born,
        "registered_code": village,
        "residence_code": village,
        "marital_status": "10",
        "ethnicity": "01",
        "id_type": "01" if number else "08",
        "id_number": number,
    }
    values.update(extra)
    return person_register(actor=Actor(None), household=None, values=values)


def record(personas, kind, person, day, role="township_officer", **details) -> Event:
    return services.record(
        actor=Actor(personas[role]),
        kind=kind,
        person=person,
        effective_date=day,
        details=services.Details(**details),
    )


@pytest.fixture
def town(units):
    """Persons of village A1 (the village admin's), A2 (same township) and B1 (elsewhere)."""
    mother_id = new_id(date(1995, 3, 1), "2")
    return {
        "mother_id": mother_id,
        "mother": add(
            "卓玛",
            "2",
            date(1995, 3, 1),
            VILLAGE_A1,
            number=mother_id,
            marital_status="21",
            first_marriage_date=date(2018, 5, 1),
        ),
        "father": add(
            "扎西",
            "1",
            date(1993, 7, 9),
            VILLAGE_A1,
            marital_status="21",
            first_marriage_date=date(2018, 5, 1),
        ),
        "old": add("才让", "1", date(1940, 1, 1), VILLAGE_A1),
        "young": add("拉姆", "2", date(2001, 2, 2), VILLAGE_A1),
        "a2": add("多吉", "1", date(1980, 4, 4), VILLAGE_A2),
        "b1": add("王芳", "2", date(1990, 8, 8), VILLAGE_B1),
    }


@pytest.fixture
def village(personas, signed_in_client, client):
    return signed_in_client(personas["village_admin"], client)


@pytest.fixture
def township(personas, signed_in_client):
    from django.test import Client

    return signed_in_client(personas["township_officer"], Client())


def entry_url(kind: str, person: Person | None = None) -> str:
    url = f"{reverse('events:event_create')}?kind={kind}"
    return f"{url}&person={person.pk}" if person else url


def form(**values) -> dict[str, str]:
    data = {"effective_date": "2024-03-10", "reported_date": "2024-03-20"}
    data.update(values)
    return data


def errors_of(response) -> str:
    """The text of the form's error messages on a re-shown form."""
    return " ".join(
        re.findall(
            r'(?:invalid-feedback d-block|alert-danger py-2)">([^<]+)<', response.content.decode()
        )
    )


# --- register and scope --------------------------------------------------------------------


def test_register_lists_the_events_of_the_subtree_only(town, personas, village):
    own = record(personas, Kind.DEATH, town["old"], date(2024, 3, 5))
    record(personas, Kind.FIRST_MARRIAGE, town["young"], date(2024, 4, 1))
    other = record(personas, Kind.DEATH, town["a2"], date(2024, 3, 6))
    body = village.get(reverse("events:event_list")).content.decode()
    assert reverse("events:event_detail", args=[own.pk]) in body
    assert reverse("people:person_detail", args=[town["old"].pk]) in body
    assert reverse("events:event_detail", args=[other.pk]) not in body and "多吉" not in body
    assert "共 2 条" in body  # the death and the marriage in A1
    for name in ("event_detail", "event_correct"):
        assert village.get(reverse(f"events:{name}", args=[other.pk])).status_code == 404
    for name in ("event_void", "event_confirm"):
        assert village.post(
            reverse(f"events:{name}", args=[other.pk]), {"reason": "x"}
        ).status_code in (403, 404)
    assert Event.objects.get(pk=other.pk).status == Status.CONFIRMED


def test_register_search_by_kind_status_month_name_and_unit(town, personas, signed_in_client):
    county = signed_in_client(personas["county_officer"])
    march_death = record(personas, Kind.DEATH, town["old"], date(2024, 3, 5))
    april_marriage = record(personas, Kind.FIRST_MARRIAGE, town["young"], date(2024, 4, 1))
    submitted = record(personas, Kind.DEATH, town["a2"], date(2024, 3, 20), role="village_admin")
    b1_flow = record(personas, Kind.FLOW_OUT, town["b1"], date(2024, 3, 9), place="兰州市")

    def listed(**params) -> set[int]:
        body = county.get(reverse("events:event_list"), params).content.decode()
        return {int(pk) for pk in re.findall(r"/events/(\d+)/", body)}

    assert listed() == {march_death.pk, april_marriage.pk, submitted.pk, b1_flow.pk}
    assert listed(kind="death") == {march_death.pk, submitted.pk}
    assert listed(status="submitted") == {submitted.pk}
    assert listed(month="2024-03") == {march_death.pk, submitted.pk, b1_flow.pk}
    assert listed(date_from="2024-03-08", date_to="2024-03-31") == {submitted.pk, b1_flow.pk}
    assert listed(name="拉姆") == {april_marriage.pk}
    assert listed(unit=VILLAGE_B1[:9]) == {b1_flow.pk}
    assert listed(unit=VILLAGE_A2) == {submitted.pk}
    assert listed(person=str(town["young"].pk)) == {april_marriage.pk}


def test_the_events_of_one_person_include_her_birth(town, personas, village):
    birth = record(
        personas,
        Kind.BIRTH,
        town["mother"],
        date(2024, 3, 10),
        partner=town["father"],
        child_name="小卓玛",
        sex="2",
    )
    death = record(personas, Kind.DEATH, town["old"], date(2024, 3, 5))
    body = village.get(reverse("events:event_list"), {"person": birth.child_id}).content.decode()
    assert reverse("events:event_detail", args=[birth.pk]) in body
    assert reverse("events:event_detail", args=[death.pk]) not in body
    assert "只列出一名人员的变动" in body


def test_register_shows_the_child_and_parity_of_a_birth(town, personas, village):
    record(
        personas,
        Kind.BIRTH,
        town["mother"],
        date(2024, 3, 10),
        partner=town["father"],
        child_name="小卓玛",
        sex="2",
    )
    body = village.get(reverse("events:event_list")).content.decode()
    assert "小卓玛" in body and "第1孩" in body


def test_list_queries_do_not_grow_with_the_rows(town, personas, village):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert village.get(reverse("events:event_list"), {"size": "50"}).status_code == 200
        return len(ctx.captured_queries)

    record(personas, Kind.DEATH, town["old"], date(2024, 3, 5))
    count()  # the first request of a session fills caches (code lists, session)
    few = count()
    for i in range(6):
        person = add(f"张{'一二三四五六'[i]}", "1", date(1970, 1, 1), VILLAGE_A1)
        record(personas, Kind.DEATH, person, date(2024, 3, 6))
    assert count() == few


# --- entry ---------------------------------------------------------------------------------


def test_kind_chooser_keeps_the_person_and_offers_birth_only_for_women(town, village):
    body = village.get(reverse("events:event_create") + f"?person={town['father'].pk}")
    text = body.content.decode()
    assert "kind=death&amp;person=" in text and "kind=birth" not in text
    text = village.get(entry_url("", town["mother"])).content.decode()
    assert "kind=birth&amp;person=" in text


def test_birth_found_by_the_mothers_id_number_in_a_post(town, personas, village):
    url = entry_url("birth")
    data = form(
        subject_q=town["mother_id"],
        partner=str(town["father"].pk),
        child_name="小卓玛",
        child_sex="2",
        policy_attribute="1",
        health="1",
        birth_place="县医院",
        certificate_no="Q620001234",
    )
    response = village.post(url, data)
    event = Event.objects.get(kind=Kind.BIRTH)
    assert response.status_code == 302
    assert response["Location"] == reverse("events:event_detail", args=[event.pk])
    assert town["mother_id"] not in response["Location"]
    child = Person.objects.get(pk=event.child_id)
    assert (child.name, child.sex, child.birth_date) == ("小卓玛", "2", date(2024, 3, 10))
    assert (child.mother_id, child.father_id) == (town["mother"].pk, town["father"].pk)
    # No earlier joint child: the computed parity is 1; a village entry waits for the township.
    assert event.parity == 1 and event.status == Status.SUBMITTED
    assert event.reported_by == personas["village_admin"]
    assert event.reported_date == date(2024, 3, 20)
    page = village.get(response["Location"]).content.decode()
    assert "小卓玛" in page and "第1孩" in page and "县医院" in page
    assert "Q620001234" not in page and "Q*********" in page


def test_birth_parity_given_by_hand_is_checked_by_the_service(town, personas, village):
    record(
        personas,
        Kind.BIRTH,
        town["mother"],
        date(2023, 1, 5),
        partner=town["father"],
        child_name="大女儿",
        sex="2",
    )
    data = form(
        subject=str(town["mother"].pk),
        partner=str(town["father"].pk),
        child_name="小儿子",
        child_sex="1",
        parity="1",
    )
    response = village.post(entry_url("birth"), data)
    assert response.status_code == 200
    assert "本孩为第2孩，填写的是第1孩：请填写原因" in errors_of(response)
    assert Event.objects.filter(kind=Kind.BIRTH).count() == 1
    data["parity"] = ""
    assert village.post(entry_url("birth"), data).status_code == 302
    assert Event.objects.filter(kind=Kind.BIRTH).latest("pk").parity == 2


def test_birth_form_has_only_the_fields_a_birth_uses(town, village):
    body = village.get(entry_url("birth", town["mother"])).content.decode()
    birth_fields = (
        "child_name",
        "child_sex",
        "child_id_number",
        "parity",
        "policy_attribute",
        "health",
        "birth_place",
        "certificate_no",
        "partner_q",
    )
    for name in birth_fields:
        assert f'name="{name}"' in body, name
    for name in ("cause", "to_code", "place", "subject_q", "birth_date"):
        assert f'name="{name}"' not in body, name
    death = village.get(entry_url("death", town["old"])).content.decode()
    assert 'name="cause"' in death and 'name="child_name"' not in death


def test_a_child_id_must_match_the_birth(town, village):
    wrong = new_id(date(2024, 3, 11), "2")
    data = form(
        subject=str(town["mother"].pk), child_name="小卓玛", child_sex="2", child_id_number=wrong
    )
    response = village.post(entry_url("birth"), data)
    assert response.status_code == 200 and "出生日期与公民身份号码不一致" in errors_of(response)
    data["child_id_number"] = new_id(date(2024, 3, 10), "2")
    assert village.post(entry_url("birth"), data).status_code == 302


def test_death_from_the_person_page(town, village):
    response = village.post(entry_url("death", town["old"]), form(cause="心脏病"))
    event = Event.objects.get(kind=Kind.DEATH)
    assert response.status_code == 302 and event.person_id == town["old"].pk
    assert event.cause == "心脏病"
    town["old"].refresh_from_db()
    assert town["old"].exited_at == date(2024, 3, 10) and town["old"].exit_reason == "3"


def test_person_page_link_out_of_scope_is_404(town, village):
    assert village.get(entry_url("death", town["a2"])).status_code == 404
    assert village.get(entry_url("death") + "&person=x").status_code == 404


def test_subject_by_name_search(town, village):
    query = {"field": "subject", "subject_q": "拉姆", "kind": "first_marriage"}
    response = village.post(reverse("events:person_lookup"), query)
    body = response.content.decode()
    assert f'name="subject" value="{town["young"].pk}"' in body
    # Pinyin initials find her too; persons outside the subtree never appear.
    body = village.post(
        reverse("events:person_lookup"), {"field": "subject", "subject_q": "lm"}
    ).content.decode()
    assert f'value="{town["young"].pk}"' in body
    body = village.post(
        reverse("events:person_lookup"), {"field": "subject", "subject_q": "多吉"}
    ).content.decode()
    assert "多吉" not in body and "未找到" in body
    response = village.post(entry_url("first_marriage"), form(subject=str(town["young"].pk)))
    assert response.status_code == 302
    town["young"].refresh_from_db()
    assert town["young"].marital_status == "21"


def test_a_name_typed_but_not_chosen_is_refused(town, village):
    response = village.post(entry_url("first_marriage"), form(subject_q="拉姆"))
    assert response.status_code == 200 and "请从查找结果中选择人员" in errors_of(response)
    response = village.post(entry_url("first_marriage"), form(subject=str(town["a2"].pk)))
    assert "请从查找结果中选择本单位范围内的人员" in errors_of(response)
    assert not Event.objects.exists()


def test_id_lookup_is_audited_and_masked(town, village):
    response = village.post(
        reverse("events:person_lookup"), {"field": "subject", "subject_q": town["mother_id"]}
    )
    body = response.content.decode()
    assert town["mother_id"] not in body
    assert f'value="{town["mother"].pk}" id="pick-subject-{town["mother"].pk}" checked' in body
    assert AuditEntry.objects.filter(action="person.search", summary="by=id_number").exists()
    assert village.get(reverse("events:person_lookup")).status_code == 405


def test_an_unknown_id_is_refused_except_for_move_in_and_inflow(town, village):
    unknown = new_id(date(1988, 1, 1), "1")
    response = village.post(entry_url("death"), form(subject_q=unknown))
    assert "本单位范围内没有该身份证号的人员" in errors_of(response)
    query = {"field": "subject", "subject_q": unknown, "kind": "move_in"}
    lookup = village.post(reverse("events:person_lookup"), query)
    body = lookup.content.decode()
    assert 'data-birth="1988-01-01" data-sex="1"' in body and "新登记人员" in body


def test_move_in_registers_a_new_person_in_one_step(town, personas, village):
    number = new_id(date(1988, 1, 1), "1")
    data = form(
        subject_q=number,
        name="赵刚",
        ethnicity="01",
        marital_status="10",
        to_code=VILLAGE_A1,
        place="四川省成都市",
    )
    response = village.post(entry_url("move_in"), data)
    assert response.status_code == 302, errors_of(response)
    person = Person.objects.get(name="赵刚")
    # Birth date and sex come from the ID number, as on the person form.
    assert (person.birth_date, person.sex) == (date(1988, 1, 1), "1")
    assert person.registered_code == person.residence_code == person.unit_code == VILLAGE_A1
    assert person.household_id is None and person.id_number == number
    event = Event.objects.get(kind=Kind.MOVE_IN)
    assert (event.person_id, event.to_code, event.place) == (person.pk, VILLAGE_A1, "四川省成都市")
    # The same number again now finds him, already registered here: refused, no second person.
    data["name"] = "别的名字"
    response = village.post(entry_url("move_in"), data)
    assert "该人员已在本县登记户籍" in response.content.decode()
    assert not Person.objects.filter(name="别的名字").exists()
    assert Event.objects.filter(kind=Kind.MOVE_IN, person=person).count() == 1


def test_a_refused_move_in_leaves_no_new_person(town, village):
    data = form(
        subject_q=new_id(date(1988, 1, 1), "1"),
        name="赵刚",
        to_code=VILLAGE_A1,
        effective_date="2024-03-10",
        reported_date="2024-03-01",
    )
    response = village.post(entry_url("move_in"), data)
    assert response.status_code == 200
    assert "报告日期不能早于发生日期" in errors_of(response)
    assert not Person.objects.filter(name="赵刚").exists()


def test_move_in_destination_must_be_in_scope_and_new_person_checked(town, village):
    data = form(subject_q=new_id(date(1988, 1, 1), "1"), name="赵刚", to_code=VILLAGE_A2)
    response = village.post(entry_url("move_in"), data)
    assert "请选择本单位范围内的村（居）" in errors_of(response)
    data = form(name="", to_code=VILLAGE_A1)
    assert "请输入身份证号查找当事人" in errors_of(village.post(entry_url("move_in"), data))
    data = form(name="赵刚", to_code=VILLAGE_A1)  # no ID: birth date and sex are needed
    text = errors_of(village.post(entry_url("move_in"), data))
    assert "请填写出生日期" in text and "请填写性别" in text
    assert not Person.objects.filter(name="赵刚").exists()


def test_an_id_registered_elsewhere_is_not_registered_again(town, personas, village):
    number = new_id(date(1985, 6, 1), "2")
    add("他村人", "2", date(1985, 6, 1), VILLAGE_B1, number=number)
    data = form(subject_q=number, name="他村人", to_code=VILLAGE_A1)
    response = village.post(entry_url("flow_in"), data)
    assert "该身份证号已在本单位范围以外登记" in errors_of(response)
    assert Person.objects.filter(name="他村人").count() == 1


def test_flow_in_of_a_new_person_keeps_the_origin_as_registered_place(town, village):
    number = new_id(date(1992, 2, 2), "2")
    data = form(subject_q=number, name="李娜", to_code=VILLAGE_A1, reason="1", place="甘肃省兰州市")
    response = village.post(entry_url("flow_in"), data)
    assert "请填写户籍地代码" in errors_of(response)
    data["registered_code"] = "620102"
    response = village.post(entry_url("flow_in"), data)
    assert response.status_code == 302, errors_of(response)
    person = Person.objects.get(name="李娜")
    assert person.registered_code == "620102000000"
    assert (person.residence_code, person.unit_code, person.flow) == (VILLAGE_A1, VILLAGE_A1, "in")
    assert person.flow_reason == "1" and person.flow_place == "甘肃省兰州市"


def test_move_within_goes_to_any_village_of_the_county(town, personas, village):
    page = village.get(entry_url("move_within", town["young"])).content.decode()
    assert f'value="{VILLAGE_B1}"' in page and f'value="{OTHER_VILLAGE}"' not in page
    response = village.post(entry_url("move_within", town["young"]), form(to_code=OTHER_VILLAGE))
    assert "请选择本县的村（居）" in errors_of(response)
    response = village.post(entry_url("move_within", town["young"]), form(to_code=VILLAGE_B1))
    assert response.status_code == 302
    town["young"].refresh_from_db()
    assert town["young"].registered_code == VILLAGE_B1
    assert Event.objects.get(kind=Kind.MOVE_WITHIN).from_code == VILLAGE_A1


def test_service_refusals_are_form_errors_in_chinese(town, village):
    response = village.post(entry_url("divorce", town["young"]), form())
    assert "只有已婚人员才能登记离婚或丧偶" in errors_of(response)
    response = village.post(
        entry_url("birth", town["father"]), form(child_name="某某", child_sex="1")
    )
    assert "出生变动的当事人应为母亲" in errors_of(response)
    future = form(effective_date="2099-01-01", reported_date="2099-01-02")
    response = village.post(entry_url("death", town["old"]), future)
    assert "发生日期不能晚于今天" in errors_of(response)
    assert not Event.objects.exists()


def test_required_fields_of_each_kind(town, village):
    text = errors_of(village.post(entry_url("move_out", town["old"]), {"reported_date": ""}))
    for message in ("请填写发生日期", "请填写报告日期", "请填写迁往地"):
        assert message in text
    text = errors_of(village.post(entry_url("birth", town["mother"]), form()))
    assert "请填写婴儿姓名" in text and "请填写婴儿性别" in text


def test_entry_defaults_reporter_and_reported_date(town, personas, village):
    from django.utils import timezone

    page = village.get(entry_url("death", town["old"])).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert str(personas["village_admin"]) in page


# --- event page, confirm, void, correct ----------------------------------------------------


def test_cause_and_certificate_are_shown_to_registrars_only(town, personas, signed_in_client):
    event = record(personas, Kind.DEATH, town["old"], date(2024, 3, 5), cause="肺癌")
    tech = signed_in_client(personas["technician"])
    page = tech.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert "肺癌" not in page and "仅登记人员可见" in page
    officer = signed_in_client(personas["township_officer"])
    page = officer.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert "肺癌" in page
    assert AuditEntry.objects.filter(action="event.view", object_id=str(event.pk)).count() == 2


def test_township_confirms_from_the_event_page(town, personas, village, township):
    event = record(personas, Kind.DEATH, town["old"], date(2024, 3, 5), role="village_admin")
    page = village.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert reverse("events:event_confirm", args=[event.pk]) not in page
    assert village.post(reverse("events:event_confirm", args=[event.pk])).status_code == 403
    page = township.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert reverse("events:event_confirm", args=[event.pk]) in page
    township.post(reverse("events:event_confirm", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == Status.CONFIRMED and event.confirmed_by == personas["township_officer"]
    page = township.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert reverse("events:event_confirm", args=[event.pk]) not in page


def test_review_queue_confirms_several(town, personas, township):
    first = record(personas, Kind.DEATH, town["old"], date(2024, 3, 5), role="village_admin")
    second = record(
        personas, Kind.FIRST_MARRIAGE, town["young"], date(2024, 3, 6), role="village_admin"
    )
    third = record(personas, Kind.DEATH, town["a2"], date(2024, 3, 7), role="village_admin")
    done = record(personas, Kind.FLOW_OUT, town["father"], date(2024, 3, 8), place="兰州")
    body = township.get(reverse("events:review_queue")).content.decode()
    for event in (first, second, third):
        assert f'name="ids" value="{event.pk}"' in body
    assert f'value="{done.pk}"' not in body
    response = township.post(
        reverse("events:review_queue"), {"ids": [str(first.pk), str(third.pk)]}
    )
    assert response.status_code == 302
    statuses = dict(Event.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[third.pk] == Status.CONFIRMED
    assert statuses[second.pk] == Status.SUBMITTED


def test_review_queue_ignores_events_outside_the_subtree(town, personas, township):
    b1 = record(personas, Kind.DEATH, town["b1"], date(2024, 3, 5), role="county_officer")
    b1.status = Status.SUBMITTED
    b1.save(update_fields=["status"])
    township.post(reverse("events:review_queue"), {"ids": [str(b1.pk)]})
    assert Event.objects.get(pk=b1.pk).status == Status.SUBMITTED


def test_void_needs_a_reason_and_restores_the_person(town, personas, township):
    event = record(personas, Kind.DEATH, town["old"], date(2024, 3, 5))
    url = reverse("events:event_void", args=[event.pk])
    township.post(url, {"reason": " "})
    assert Event.objects.get(pk=event.pk).status == Status.CONFIRMED
    township.post(url, {"reason": "误报"})
    event.refresh_from_db()
    town["old"].refresh_from_db()
    assert event.status == Status.VOIDED and town["old"].exited_at is None
    marker = Event.objects.get(kind=Kind.VOID)
    assert marker.corrects_id == event.pk and marker.note == "误报"
    page = township.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert reverse("events:event_detail", args=[marker.pk]) in page and "误报" in page
    assert reverse("events:event_void", args=[event.pk]) not in page


def test_village_may_withdraw_only_what_is_not_confirmed(town, personas, village):
    confirmed = record(personas, Kind.DEATH, town["old"], date(2024, 3, 5))
    response = village.post(reverse("events:event_void", args=[confirmed.pk]), {"reason": "误"})
    assert response.status_code == 302
    assert Event.objects.get(pk=confirmed.pk).status == Status.CONFIRMED
    assert village.get(reverse("events:event_correct", args=[confirmed.pk])).status_code == 302
    own = record(
        personas, Kind.FIRST_MARRIAGE, town["young"], date(2024, 3, 6), role="village_admin"
    )
    village.post(reverse("events:event_void", args=[own.pk]), {"reason": "录错人"})
    assert Event.objects.get(pk=own.pk).status == Status.VOIDED


def test_only_the_latest_event_of_a_person_can_be_voided(town, personas, township):
    marriage = record(personas, Kind.FIRST_MARRIAGE, town["young"], date(2024, 3, 1))
    record(personas, Kind.DIVORCE, town["young"], date(2024, 5, 1))
    response = township.post(
        reverse("events:event_void", args=[marriage.pk]), {"reason": "误"}, follow=True
    )
    assert "该人员在此之后还有变动" in response.content.decode()
    assert Event.objects.get(pk=marriage.pk).status == Status.CONFIRMED


def test_correction_is_prefilled_and_replaces_the_event(town, personas, township):
    event = record(
        personas,
        Kind.BIRTH,
        town["mother"],
        date(2024, 3, 10),
        partner=town["father"],
        child_name="小卓玛",
        sex="2",
        birth_place="卫生院",
        certificate_no="Q620001234",
    )
    url = reverse("events:event_correct", args=[event.pk])
    page = township.get(url).content.decode()
    assert 'value="2024-03-10"' in page and 'value="小卓玛"' in page and 'value="卫生院"' in page
    assert "Q620001234" not in page and "Q*********" in page
    assert f'name="partner" value="{town["father"].pk}"' in page
    data = form(
        effective_date="2024-03-09",
        reported_date="2024-03-20",
        partner=str(town["father"].pk),
        child_name="小卓玛",
        child_sex="2",
        birth_place="县医院",
        correction_reason="出生日期填错",
    )
    response = township.post(url, data)
    assert response.status_code == 302
    new = Event.objects.filter(kind=Kind.BIRTH).latest("pk")
    assert response["Location"] == reverse("events:event_detail", args=[new.pk])
    assert (new.corrects_id, new.effective_date, new.birth_place) == (
        event.pk,
        date(2024, 3, 9),
        "县医院",
    )
    assert new.certificate_no == "Q620001234"  # left empty: kept
    assert Event.objects.get(pk=event.pk).status == Status.VOIDED
    assert Person.objects.get(pk=new.child_id).birth_date == date(2024, 3, 9)
    assert Event.objects.get(kind=Kind.VOID).note == "出生日期填错"
    page = township.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert "更正为" in page and reverse("events:event_detail", args=[new.pk]) in page


def test_correction_needs_a_reason_and_keeps_the_old_event_on_error(town, personas, township):
    event = record(personas, Kind.DEATH, town["old"], date(2024, 3, 5), cause="肺癌")
    url = reverse("events:event_correct", args=[event.pk])
    response = township.post(url, form(cause="心脏病"))
    assert "请填写更正原因" in errors_of(response)
    response = township.post(
        url, form(effective_date="2099-01-01", reported_date="2099-01-02", correction_reason="日期")
    )
    assert "发生日期不能晚于今天" in errors_of(response)
    assert Event.objects.get(pk=event.pk).status == Status.CONFIRMED
    assert not Event.objects.filter(kind=Kind.VOID).exists()


def test_the_person_page_loads_her_change_events(town, personas, village):
    record(
        personas,
        Kind.BIRTH,
        town["mother"],
        date(2024, 3, 10),
        partner=town["father"],
        child_name="小卓玛",
        sex="2",
    )
    page = village.get(reverse("people:person_detail", args=[town["mother"].pk])).content.decode()
    url = f"{reverse('events:event_list')}?person={town['mother'].pk}"
    assert f'hx-get="{url}"' in page and "登记变动" in page
    rows = village.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "小卓玛" in rows and "出生" in rows and "<html" not in rows
