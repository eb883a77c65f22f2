"""The monthly change report (人口动态信息报告单): a village's form 1 and form 2 list the month's
counted events of the village; it is submitted once, after the month, on time up to the 5th of
the next month (configurable); the overview shows every village's state and which have not
reported after the deadline."""

from datetime import date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import OTHER_VILLAGE, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, VILLAGE_B2
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.events import services
from renkou.events.constants import Kind
from renkou.events.models import MonthlyReport
from renkou.people.models import Person
from renkou.people.services import person_register

MARCH = "2024-03"


def at(day: date, hour: int = 10):
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone())
    return time_machine.travel(moment, tick=False)


def add(name, sex, born, village, **extra) -> Person:
    values = {
        "name": name,
        "sex": sex,
        "birth_date": born,
        "registered_code": village,
        "residence_code": village,
        "marital_status": "10",
        "ethnicity": "01",
    }
    values.update(extra)
    return person_register(actor=Actor(None), household=None, values=values, today=date(2024, 1, 1))


def record(personas, kind, person, day, role="township_officer", **details):
    return services.record(
        actor=Actor(personas[role]),
        kind=kind,
        person=person,
        effective_date=day,
        reported_date=day,
        today=date(2024, 4, 2),
        details=services.Details(**details),
    )


@pytest.fixture
def march(units, personas):
    """Village A1 in March 2024: a birth, a death, a first marriage, an outflow; a voided death;
    plus events that do not belong to A1's March (April, and village A2)."""
    mother = add(
        "卓玛",
        "2",
        date(1995, 3, 1),
        VILLAGE_A1,
        marital_status="21",
        first_marriage_date=date(2018, 5, 1),
    )
    father = add(
        "扎西",
        "1",
        date(1993, 7, 9),
        VILLAGE_A1,
        marital_status="21",
        first_marriage_date=date(2018, 5, 1),
    )
    old = add("才让", "1", date(1940, 1, 1), VILLAGE_A1)
    young = add("拉姆", "2", date(2001, 2, 2), VILLAGE_A1)
    voided = add("误报人", "1", date(1950, 1, 1), VILLAGE_A1)
    april = add("四月人", "1", date(1950, 1, 1), VILLAGE_A1)
    a2 = add("多吉", "1", date(1980, 4, 4), VILLAGE_A2)
    events = {
        "birth": record(
            personas,
            Kind.BIRTH,
            mother,
            date(2024, 3, 10),
            partner=father,
            child_name="小卓玛",
            sex="2",
            policy_attribute="1",
        ),
        "death": record(personas, Kind.DEATH, old, date(2024, 3, 5), cause="肺癌"),
        "marriage": record(
            personas, Kind.FIRST_MARRIAGE, young, date(2024, 3, 20), role="village_admin"
        ),
        "flow_out": record(personas, Kind.FLOW_OUT, father, date(2024, 3, 31), place="兰州市"),
        "voided": record(personas, Kind.DEATH, voided, date(2024, 3, 15)),
        "april": record(personas, Kind.DEATH, april, date(2024, 4, 1)),
        "a2": record(personas, Kind.DEATH, a2, date(2024, 3, 6)),
    }
    services.void(
        actor=Actor(personas["township_officer"]),
        event=events["voided"],
        reason="误报",
        today=date(2024, 4, 2),
    )
    return events


def sign_in(signed_in_client, user) -> Client:
    return signed_in_client(user, Client())


def report_url(code: str = VILLAGE_A1) -> str:
    return reverse("events:monthly_report", args=[code])


def submit(client, code: str = VILLAGE_A1, month: str = MARCH):
    return client.post(reverse("events:monthly_submit", args=[code]), {"month": month})


def test_the_village_report_lists_the_months_counted_events(march, personas, signed_in_client):
    with at(date(2024, 4, 3)):
        client = sign_in(signed_in_client, personas["village_admin"])
        body = client.get(report_url(), {"month": MARCH}).content.decode()
    form_one, form_two = body.split("人口动态信息报告单（二）")
    for kind in ("death", "marriage", "flow_out"):
        assert reverse("events:event_detail", args=[march[kind].pk]) in form_one, kind
    assert reverse("events:event_detail", args=[march["birth"].pk]) in form_two
    assert reverse("events:event_detail", args=[march["birth"].pk]) not in form_one
    for left_out in ("voided", "april", "a2"):
        assert reverse("events:event_detail", args=[march[left_out].pk]) not in body, left_out
    assert "小卓玛" in form_two and "扎西" in form_two and "兰州市" in form_one
    assert "2024-04-05" in body and "上报本月报告单" in body


def test_submit_on_time_stores_the_counts_and_refuses_a_second_time(
    march, personas, signed_in_client
):
    with at(date(2024, 4, 5), hour=23):
        client = sign_in(signed_in_client, personas["village_admin"])
        response = submit(client)
        assert response.status_code == 302
        assert response["Location"] == f"{report_url()}?month={MARCH}"
        report = MonthlyReport.objects.get(unit_code=VILLAGE_A1, month=202403)
        assert report.on_time and report.submitted_by == personas["village_admin"]
        # By hand: one each of birth, death, first marriage, outflow; the voided death, the
        # April death and village A2's death are not in A1's March.
        expected = dict.fromkeys([k.value for k in Kind if k != Kind.VOID], 0)
        expected.update({"birth": 1, "death": 1, "first_marriage": 1, "flow_out": 1})
        assert report.counts == expected
        township = sign_in(signed_in_client, personas["township_officer"])
        page = township.get(submit(township)["Location"]).content.decode()
    assert MonthlyReport.objects.count() == 1
    assert "已上报，不能重复上报" in page and "按时上报" in page
    assert "上报本月报告单" not in page
    assert AuditEntry.objects.filter(action="monthly_report.submit").count() == 1


def test_after_the_deadline_the_report_is_late(march, personas, signed_in_client):
    with at(date(2024, 4, 6), hour=0):
        submit(sign_in(signed_in_client, personas["township_officer"]))
    report = MonthlyReport.objects.get(unit_code=VILLAGE_A1, month=202403)
    assert not report.on_time and report.submitted_by == personas["township_officer"]


def test_the_due_day_is_configurable(march, personas, signed_in_client, settings):
    settings.RENKOU_REPORT_DUE_DAY = 10
    with at(date(2024, 4, 8)):
        client = sign_in(signed_in_client, personas["village_admin"])
        assert "2024-04-10" in client.get(report_url(), {"month": MARCH}).content.decode()
        submit(client)
    assert MonthlyReport.objects.get(unit_code=VILLAGE_A1).on_time


def test_a_month_is_submitted_only_after_it_ends(march, personas, signed_in_client):
    with at(date(2024, 3, 31), hour=20):
        client = sign_in(signed_in_client, personas["village_admin"])
        page = client.get(report_url(), {"month": MARCH}).content.decode()
        assert "上报本月报告单" not in page and "本月结束后才能上报" in page
        page = client.get(submit(client)["Location"]).content.decode()
    assert "该月尚未结束" in page
    assert not MonthlyReport.objects.exists()


def test_who_submits_for_which_village(march, personas, signed_in_client):
    with at(date(2024, 4, 3)):
        village = sign_in(signed_in_client, personas["village_admin"])
        assert submit(village, VILLAGE_A2).status_code == 404
        assert village.get(report_url(VILLAGE_A2)).status_code == 404
        township = sign_in(signed_in_client, personas["township_officer"])
        assert submit(township, VILLAGE_B1).status_code == 404
        assert submit(township, OTHER_VILLAGE).status_code == 404
        submit(township, VILLAGE_A2)
        tech = sign_in(signed_in_client, personas["technician"])
        assert submit(tech, VILLAGE_A1).status_code == 403
        assert "上报本月报告单" not in tech.get(report_url(), {"month": MARCH}).content.decode()
    assert list(MonthlyReport.objects.values_list("unit_code", flat=True)) == [VILLAGE_A2]
    assert MonthlyReport.objects.get().counts["death"] == 1  # 多吉


def test_overview_shows_every_villages_state(march, personas, signed_in_client):
    with at(date(2024, 4, 5)):
        submit(sign_in(signed_in_client, personas["village_admin"]))
    with at(date(2024, 4, 7)):
        county = sign_in(signed_in_client, personas["county_officer"])
        submit(county, VILLAGE_B1)
        body = county.get(reverse("events:monthly_overview"), {"month": MARCH}).content.decode()
        params = {"month": MARCH, "unit": TOWNSHIP_A[:9]}
        town_body = county.get(reverse("events:monthly_overview"), params).content.decode()
    rows = {
        name: row
        for row in body.split("<tr")[2:]
        for name in ("甲一村", "甲二村", "乙一村", "乙二村")
        if name in row
    }
    assert "按时上报" in rows["甲一村"] and "逾期上报" in rows["乙一村"]
    for name in ("甲二村", "乙二村"):
        assert "逾期未报" in rows[name] and "table-danger" in rows[name]
    assert "table-danger" not in rows["甲一村"]
    assert '按时上报 <span class="fw-bold">1</span>' in body
    assert '逾期未报 <span class="fw-bold">2</span>' in body
    assert "甲二村" in town_body and "乙二村" not in town_body


def test_before_the_deadline_unreported_villages_are_not_overdue(march, personas, signed_in_client):
    with at(date(2024, 4, 2)):
        client = sign_in(signed_in_client, personas["township_officer"])
        body = client.get(reverse("events:monthly_overview"), {"month": MARCH}).content.decode()
    assert "逾期未报" in body  # the summary's label
    assert "table-danger" not in body
    assert '未到截止日期尚未上报 <span class="fw-bold">2</span>' in body


def test_leaders_see_the_overview_but_no_names(march, personas, signed_in_client):
    with at(date(2024, 4, 3)):
        submit(sign_in(signed_in_client, personas["village_admin"]))
        leader = sign_in(signed_in_client, personas["leader"])
        body = leader.get(reverse("events:monthly_overview"), {"month": MARCH}).content.decode()
        assert leader.get(report_url(), {"month": MARCH}).status_code == 403
    assert "甲一村" in body and "乙二村" in body and "卓玛" not in body
    assert reverse("events:monthly_report", args=[VILLAGE_A1]) not in body


def test_a_township_code_goes_to_the_overview_of_its_villages(march, personas, signed_in_client):
    with at(date(2024, 4, 3)):
        client = sign_in(signed_in_client, personas["township_officer"])
        response = client.get(report_url(TOWNSHIP_A), {"month": MARCH})
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('events:monthly_overview')}?unit={TOWNSHIP_A[:9]}&month={MARCH}"
    )


def test_the_default_month_is_the_previous_one(march, personas, signed_in_client):
    with at(date(2024, 4, 3)):
        client = sign_in(signed_in_client, personas["village_admin"])
        body = client.get(report_url()).content.decode()
    assert "2024年3月" in body and reverse("events:event_detail", args=[march["death"].pk]) in body


def test_the_report_prints_without_the_controls(march, personas, signed_in_client):
    with at(date(2024, 4, 3)):
        client = sign_in(signed_in_client, personas["village_admin"])
        body = client.get(report_url(), {"month": MARCH}).content.decode()
    controls = body.split('class="card-panel d-print-none"')[1].split('class="card-panel report')[0]
    assert "data-print" in controls and "上报本月报告单" in controls
    assert "js/events.js" in body and VILLAGE_B2 not in body


# --- issue 11 item 7: a submitted report is a frozen version; later events are 补报 ---------


def test_a_submitted_report_stays_as_submitted_and_later_events_are_late(
    march, personas, signed_in_client
):
    with at(date(2024, 4, 3)):
        client = sign_in(signed_in_client, personas["village_admin"])
        submit(client)
    report = MonthlyReport.objects.get(unit_code=VILLAGE_A1, month=202403)
    held = {march[k].pk for k in ("birth", "death", "marriage", "flow_out")}
    assert set(report.event_ids) == held
    # A birth of 12 March reported on 7 April, after the report went in.
    mother = add("央金", "2", date(1996, 1, 1), VILLAGE_A1, marital_status="21")
    with at(date(2024, 4, 7)):
        late = services.record(
            actor=Actor(personas["village_admin"]),
            kind=Kind.BIRTH,
            person=mother,
            effective_date=date(2024, 3, 12),
            reported_date=date(2024, 4, 7),
            today=date(2024, 4, 7),
            details=services.Details(child_name="小央金", sex="1", policy_attribute="1"),
        )
        services.void(
            actor=Actor(personas["township_officer"]),
            event=march["flow_out"],
            reason="误报",
            today=date(2024, 4, 7),
        )
        client = sign_in(signed_in_client, personas["village_admin"])
        body = client.get(report_url(), {"month": MARCH}).content.decode()
    submitted, after = body.split('id="late-events"')
    # The report as submitted: its birth count and date unchanged, the late birth not in it.
    assert "小央金" not in submitted and "小卓玛" in submitted
    totals = submitted.split("本月合计（上报时）")[1]
    assert "<td>1</td>" in totals.split("</tr>")[1]  # 出生 1, the first column, as submitted
    assert "上报日期：2024-04-03" in submitted
    assert "已作废" in submitted and "上报后作废" in submitted  # the outflow, voided since
    assert "补报 1" not in submitted and "补报" in submitted  # the notice at the top
    # 补报 after it, with the day it was recorded.
    assert "小央金" in after and reverse("events:event_detail", args=[late.pk]) in after
    assert MonthlyReport.objects.get(pk=report.pk).counts["birth"] == 1


def test_the_overview_shows_which_reports_changed_after_submission(
    march, personas, signed_in_client
):
    with at(date(2024, 4, 3)):
        submit(sign_in(signed_in_client, personas["village_admin"]))
        county = sign_in(signed_in_client, personas["county_officer"])
        submit(county, VILLAGE_A2)
    mother = add("央金", "2", date(1996, 1, 1), VILLAGE_A1, marital_status="21")
    with at(date(2024, 4, 7)):
        services.record(
            actor=Actor(personas["village_admin"]),
            kind=Kind.BIRTH,
            person=mother,
            effective_date=date(2024, 3, 12),
            reported_date=date(2024, 4, 7),
            today=date(2024, 4, 7),
            details=services.Details(child_name="小央金", sex="1", policy_attribute="1"),
        )
        county = sign_in(signed_in_client, personas["county_officer"])
        body = county.get(reverse("events:monthly_overview"), {"month": MARCH}).content.decode()
    rows = {
        name: row for row in body.split("<tr")[2:] for name in ("甲一村", "甲二村") if name in row
    }
    assert "补报 1" in rows["甲一村"] and "补报" not in rows["甲二村"]
    assert '上报后有补报或作废的 <span class="fw-bold">1</span>' in body
