"""协查反馈及时率 (issue 16 item 6): one definition over the received messages, computed by hand
on a small fixture; the figure equals the name lists behind it, per township and in total."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import TOWNSHIP_A, TOWNSHIP_B
from renkou.common.actors import Actor
from renkou.floating import figures, selectors, services

TODAY = date(2027, 6, 1)
YEAR = 2027  # FP year 1 October 2026 – 30 September 2027
BASE = {
    "way": "in",
    "kind": "request",
    "urgent": True,  # due 15 days after the date
    "counterpart": "外县某乡",
    "subject": "育龄妇女一名",
    "question": "核实现孕情况",
}


@pytest.fixture
def scenario(personas):
    """Township A, received: on time (4-01 → due 4-16, answered 4-10), on time on the
    deadline day (4-20 → due 5-05, answered 5-05), late (3-01 → due 3-16, answered 3-20),
    overdue (5-01 → due 5-16, none), pending (5-25 → due 6-09, none: not judged), answered
    early but not yet due (5-28 → due 6-12, answered 5-30: on time, judged), due in the
    previous year (9-01-2026 → due 9-16-2026: not in 2027), sent (not ours to answer).
    Township B: one late."""
    town = Actor(personas["township_officer"])
    county = Actor(personas["county_officer"])

    def add(actor, unit, dated, replied=None, way="in"):
        values = {**BASE, "dated_on": dated, "way": way}
        m = services.message_register(actor=actor, unit_code=unit, values=values, today=TODAY)
        if replied:
            services.message_reply(
                actor=actor, message=m, reply="已核实", replied_on=replied, version=1, today=TODAY
            )
        return m

    return {
        "on_time": add(town, TOWNSHIP_A, date(2027, 4, 1), date(2027, 4, 10)),
        "on_the_day": add(town, TOWNSHIP_A, date(2027, 4, 20), date(2027, 5, 5)),
        "late": add(town, TOWNSHIP_A, date(2027, 3, 1), date(2027, 3, 20)),
        "overdue": add(town, TOWNSHIP_A, date(2027, 5, 1)),
        "pending": add(town, TOWNSHIP_A, date(2027, 5, 25)),
        "early": add(town, TOWNSHIP_A, date(2027, 5, 28), date(2027, 5, 30)),
        "last_year": add(town, TOWNSHIP_A, date(2026, 9, 1), date(2026, 9, 5)),
        "sent": add(town, TOWNSHIP_A, date(2027, 4, 1), way="out"),
        "b_late": add(county, TOWNSHIP_B, date(2027, 4, 1), date(2027, 5, 1)),
    }


def pks(rows) -> set[int]:
    return {m.pk for m in rows}


def test_the_lists_by_hand(scenario):
    a = TOWNSHIP_A[:9]
    s = scenario
    assert pks(figures.replied_on_time(a, YEAR, TODAY)) == {
        s["on_time"].pk,
        s["on_the_day"].pk,
        s["early"].pk,
    }
    assert pks(figures.replied_late(a, YEAR, TODAY)) == {s["late"].pk}
    assert pks(figures.reply_overdue(a, YEAR, TODAY)) == {s["overdue"].pk}
    assert len(figures.replies_due(a, YEAR, TODAY)) == 5
    fig = figures.TIMELY.figure(3, 5)
    assert fig.display == "60.0%"


def test_on_an_earlier_day_a_later_reply_does_not_count(scenario):
    # On 10 May: the 5-05 reply was on time; the 5-16 deadline had not passed; the reply of
    # 30 May had not been given.
    a = TOWNSHIP_A[:9]
    early = date(2027, 5, 10)
    assert pks(figures.replied_on_time(a, YEAR, early)) == {
        scenario["on_time"].pk,
        scenario["on_the_day"].pk,
    }
    assert pks(figures.reply_overdue(a, YEAR, early)) == set()


def test_the_table_equals_the_lists(scenario, personas):
    user = personas["county_officer"]
    rows, total = selectors.timeliness_table(user, YEAR, TODAY)
    by_unit = {f.unit_code: f for f in rows}
    a, b = by_unit[TOWNSHIP_A[:9]], by_unit[TOWNSHIP_B[:9]]
    assert (a.numerator, a.denominator, a.extra["late"], a.extra["overdue"]) == (3, 5, 1, 1)
    assert (a.display, b.display) == ("60.0%", "0.0%")
    assert (total.numerator, total.denominator, total.display) == (3, 6, "50.0%")
    for fig in [*rows, total]:
        unit = fig.unit_code if fig is not total else ""
        for key, n in fig.extra["cols"]:
            filters = {"unit": unit, "year": YEAR, "timely": key}
            listed = selectors.message_list(user, filters, TODAY)
            assert listed.count() == n, (fig.unit_code, key)
    # the same figure through the registered measure's sides
    assert figures.TIMELY.numerator.rows(TOWNSHIP_A[:9], YEAR, TODAY).count() == a.numerator
    assert figures.TIMELY.denominator is not None
    assert figures.TIMELY.denominator.rows(TOWNSHIP_A[:9], YEAR, TODAY).count() == a.denominator


def test_the_page_and_its_links(scenario, personas, signed_in_client):
    with time_machine.travel(
        datetime(2027, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        officer = signed_in_client(personas["county_officer"])
        page = officer.get(reverse("floating:message_timeliness")).content.decode()
        assert "60.0%" in page and "50.0%" in page
        assert f"unit={TOWNSHIP_A[:9]}&amp;year=2027&amp;timely=overdue" in page
        listing = officer.get(
            reverse("floating:message_list"),
            {"unit": TOWNSHIP_A[:9], "year": 2027, "timely": "late"},
        ).content.decode()
        assert "2027年度逾期反馈" in listing and "共 1 件" in listing
        leader = signed_in_client(personas["leader"], c=type(officer)())
        seen = leader.get(reverse("floating:message_timeliness")).content.decode()
        assert "60.0%" in seen and "timely=" not in seen
        # A township officer sees its own township only.
        town = signed_in_client(personas["township_officer"], c=type(officer)())
        own = town.get(reverse("floating:message_timeliness")).content.decode()
        assert "60.0%" in own and "0.0%</td>" not in own.replace("60.0%</td>", "")
