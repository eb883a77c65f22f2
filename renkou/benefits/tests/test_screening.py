"""The kept 全覆盖 table (issue 11 item 3): the register's writes keep it current in their own
transaction, the daily catch-up adds what the calendar changed, and a rebuild from scratch
gives exactly the rows the incremental path left; the page filters by programme, unit and
name, explains what is still to be verified, and reads a fixed number of queries whatever the
size of the list."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import VILLAGE_A1, VILLAGE_B1
from renkou.benefits import facts, screening, services
from renkou.benefits.models import Screening
from renkou.benefits.tests.conftest import actor, child, couple, person
from renkou.people.models import Child, Person

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 6, 1)


def at(day):
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=TZ), tick=False)


def snapshot():
    """The table as comparable values (the day of judgement left out: a rebuild is today's)."""
    return sorted(
        (
            r.person_id,
            r.program_id,
            r.unit_code,
            r.verdict,
            r.version_id,
            repr(r.inputs),
            r.valid_until,
        )
        for r in Screening.objects.all()
    )


def listed(**filters):
    rows = screening.rows_in("620001").filter(**filters)
    return sorted(
        (r.person.name, r.program.code, r.verdict) for r in rows.select_related("person", "program")
    )


@pytest.fixture
def county(programs, units, personas):
    """Three couples and a widow around the 奖扶 and 特扶 thresholds, the table rebuilt."""
    with at(DAY):
        h1, w1 = couple(husband_born=date(1965, 1, 10), wife_born=date(1967, 1, 1))
        h1.name = "有子甲"
        h1.save(update_fields=["name"])
        child(w1, 1, "1", date(1990, 1, 1))
        h2, w2 = couple(husband_born=date(1966, 6, 2), wife_born=date(1977, 6, 2))  # 60 tomorrow
        child(w2, 1, "2", date(2000, 1, 1))
        h3, w3 = couple(husband_born=date(1975, 1, 1), wife_born=date(1977, 1, 1), unit=VILLAGE_B1)
        person("孤老", "1", date(1950, 1, 1))  # no card: his children are unknown
        son = person("独子", "1", date(2001, 3, 3), VILLAGE_B1)
        child(w3, 1, "1", date(2001, 3, 3), person=son)
        screening.rebuild("", DAY)
    return {"h1": h1, "w1": w1, "h2": h2, "w2": w2, "h3": h3, "w3": w3, "son": son}


def test_the_daily_refresh_adds_who_the_calendar_brings(county):
    with at(DAY):
        assert not any(name == "李强" and code == "jiangfu" for name, code, _v in listed())
    tomorrow = DAY + timedelta(days=1)
    with at(tomorrow):
        run = screening.refresh(tomorrow)
        assert run.persons >= 1
        assert ("李强", "jiangfu", "pass") in listed()
        # Nothing left for the calendar today: a second run screens nobody again.
        assert Screening.objects.filter(valid_until__lte=tomorrow).count() == 0
        incremental = snapshot()
        screening.rebuild("", tomorrow)
        assert snapshot() == incremental


def test_filing_takes_a_person_off_the_list_at_once(county, personas):
    with at(DAY):
        services.application_file(
            actor=actor(personas, "village_admin"),
            program=Screening.objects.filter(program__code="jiangfu").first().program,
            person=county["h1"],
            village_opinion="评议通过",
            today=DAY,
        )
        assert not any(name == "有子甲" for name, _code, _v in listed())


def test_a_verdict_holds_until_its_valid_until():
    """``facts.changes_on`` never lets a stored verdict outlive a change of its facts: every
    fact reads the same on each day before the day it names."""
    husband = Person(name="甲", sex="1", birth_date=date(1964, 2, 29), hukou_type="2")
    wife = Person(name="乙", sex="2", birth_date=date(1970, 7, 31), hukou_type="2")
    husband.spouse = wife
    kids = [
        Child(parity=1, sex="1", birth_date=date(1995, 5, 5), survival="dead"),
        Child(parity=2, sex="2", birth_date=date(2027, 1, 2)),
    ]
    kids[0].death_date = date(2026, 9, 9)
    names = list(facts.FACTS)
    day = date(2026, 1, 1)
    while day < date(2028, 6, 1):
        case = facts.Case(person=husband, day=day)
        case.preload(kids)
        until = facts.changes_on(case, names)
        assert until is not None and until > day
        seen = {n: facts.FACTS[n].read(case) for n in names}
        probe = day + timedelta(days=1)
        while probe < until:
            later = facts.Case(person=husband, day=probe)
            later.preload(kids)
            assert {n: facts.FACTS[n].read(later) for n in names} == seen, (day, probe)
            probe += timedelta(days=1)
        day = until


def test_the_page_filters_and_explains(county, personas, signed_in_client, client):
    with at(DAY):
        signed_in_client(personas["county_officer"])
        url = reverse("benefits:screening")
        page = client.get(url, {"program": "jiangfu"}).content.decode()
        assert "有子甲" in page and "独子" not in page
        names = client.get(url, {"name": "有子"}).context["page"].object_list
        assert [r.person.name for r in names] == ["有子甲"]
        a1 = client.get(url, {"unit": VILLAGE_A1}).context["page"].object_list
        assert a1 and {r.unit_code for r in a1} == {VILLAGE_A1}
        assert not client.get(url, {"unit": VILLAGE_B1}).context["page"].object_list
        # 孤老 has no card: his children cannot be counted from the register; the page says so.
        unknown = client.get(url, {"program": "jiangfu", "verdict": "unknown"})
        rows = unknown.context["page"].object_list
        assert [r.person.name for r in rows] == ["孤老"]
        assert "现有一个子女" in unknown.content.decode()


def test_the_page_reads_the_same_queries_for_a_long_list(
    programs, units, personas, signed_in_client
):
    from django.test import Client

    def queries(extra):
        with at(DAY):
            for n in range(extra):
                person(f"老人{n}", "1", date(1950, 1, 1) + timedelta(days=n))
            screening.rebuild("", DAY)
            c = signed_in_client(personas["county_officer"], Client())
            c.get(reverse("benefits:screening"))  # the first audit row starts the chain
            with CaptureQueriesContext(connection) as captured:
                response = c.get(reverse("benefits:screening"), {"size": "50"})
            assert response.status_code == 200
            return len(captured), response.context["page"].paginator.count

    few, short = queries(3)
    many, long = queries(60)
    assert long > short and many == few


def test_the_page_says_when_the_list_was_never_built_or_is_a_day_behind(
    programs, units, personas, signed_in_client, client
):
    url = reverse("benefits:screening")
    with at(DAY):
        signed_in_client(personas["county_officer"])
        assert "全覆盖名单尚未生成" in client.get(url).content.decode()
        screening.rebuild("620001", DAY)  # the county's rebuild (as seed_demo_benefits does)
        assert "尚未" not in client.get(url).content.decode()
    later = DAY + timedelta(days=1)
    with at(later):
        signed_in_client(personas["county_officer"])
        body = client.get(url).content.decode()
    assert "今日的按年龄核对尚未进行" in body and DAY.isoformat() in body
