"""协查月度统计 (issue 16 item 3): the messages received and sent in a month and their state at
the month's end, per township, counted by hand; each number equals its list."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from renkou.common import periods
from renkou.common.actors import Actor
from renkou.floating import selectors, services

TODAY = date(2027, 6, 1)
MAY = periods.month(2027, 5)
BASE = {
    "way": "in",
    "kind": "request",
    "urgent": False,
    "counterpart": "外县某乡",
    "subject": "育龄妇女一名",
    "question": "核实婚育情况",
}


@pytest.fixture
def scenario(personas):
    """Township A, received in May: on time (5-02, due 6-01, answered 5-20), late (5-01
    urgent, due 5-16, answered 5-25), overdue (5-03 urgent, due 5-18, none), overdue at the
    month's end though answered on 1 June (5-10 urgent, due 5-25), pending (5-20, due 6-19);
    sent in May: one answered on time. Not in May: 30 April. Township B: one pending. The
    county's own: one pending."""
    town = Actor(personas["township_officer"])
    county = Actor(personas["county_officer"])

    def add(actor, unit, dated, urgent=False, replied=None, way="in"):
        values = {**BASE, "dated_on": dated, "urgent": urgent, "way": way}
        m = services.message_register(actor=actor, unit_code=unit, values=values, today=TODAY)
        if replied:
            services.message_reply(
                actor=actor, message=m, reply="已核实", replied_on=replied, version=1, today=TODAY
            )
        return m

    add(town, TOWNSHIP_A, date(2027, 5, 2), replied=date(2027, 5, 20))
    add(town, TOWNSHIP_A, date(2027, 5, 1), urgent=True, replied=date(2027, 5, 25))
    add(town, TOWNSHIP_A, date(2027, 5, 3), urgent=True)
    add(town, TOWNSHIP_A, date(2027, 5, 10), urgent=True, replied=date(2027, 6, 1))
    add(town, TOWNSHIP_A, date(2027, 5, 20))
    add(town, TOWNSHIP_A, date(2027, 5, 5), urgent=True, replied=date(2027, 5, 10), way="out")
    add(town, TOWNSHIP_A, date(2027, 4, 30))
    add(county, TOWNSHIP_B, date(2027, 5, 10))
    add(county, COUNTY, date(2027, 5, 12))


def cells(table, name):
    row = next(r for r in table if r["name"] == name)
    return row["cells"]


def test_the_month_counted_by_hand(scenario, personas):
    table = selectors.monthly_table(personas["county_officer"], MAY, TODAY)
    a, b = table[0]["cells"], table[1]["cells"]
    assert a["in"] == {"dated": 5, "on_time": 1, "late": 1, "overdue": 2, "pending": 1}
    assert a["out"] == {"dated": 1, "on_time": 1, "late": 0, "overdue": 0, "pending": 0}
    assert b["in"] == {"dated": 1, "on_time": 0, "late": 0, "overdue": 0, "pending": 1}
    assert cells(table, "本级")["in"]["pending"] == 1
    total = cells(table, "合计")
    assert total["in"] == {"dated": 7, "on_time": 1, "late": 1, "overdue": 2, "pending": 3}
    # The township officer's table holds its own township only.
    own = selectors.monthly_table(personas["township_officer"], MAY, TODAY)
    assert cells(own, "合计")["in"]["dated"] == 5


def test_each_number_equals_its_list(scenario, personas):
    user = personas["county_officer"]
    table = selectors.monthly_table(user, MAY, TODAY)
    for row in table:
        if row.get("own"):
            continue
        unit = "" if row.get("total") else row["unit"]
        for way, counts in row["cells"].items():
            for key, n in counts.items():
                filters = {"unit": unit, "way": way, "month": MAY}
                if key != "dated":
                    filters["state"] = key
                assert selectors.message_list(user, filters, TODAY).count() == n, (row, key)


def test_the_current_month_is_cut_at_today(scenario, personas):
    june = selectors.monthly_table(personas["county_officer"], periods.month(2027, 6), TODAY)
    assert cells(june, "合计")["in"]["dated"] == 0


def test_the_page_links_for_readers_and_counts_for_leaders(scenario, personas, signed_in_client):
    with time_machine.travel(
        datetime(2027, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        url = reverse("floating:message_monthly") + "?month=2027-05"
        officer = signed_in_client(personas["township_officer"])
        page = officer.get(url).content.decode()
        assert "2027年5月" in page
        listed = f"unit={TOWNSHIP_A[:9]}&amp;way=in&amp;month=2027-05&amp;state=overdue"
        assert listed in page
        listing = officer.get(
            reverse("floating:message_list"),
            {"unit": TOWNSHIP_A[:9], "way": "in", "month": "2027-05", "state": "overdue"},
        ).content.decode()
        assert "共 2 件" in listing and "逾期未反馈" in listing
        leader = signed_in_client(personas["leader"], c=type(officer)())
        seen = leader.get(url).content.decode()
        assert "state=overdue" not in seen and "逾期未反馈" in seen
        bad = officer.get(reverse("floating:message_monthly") + "?month=2027-13")
        assert "月份应为“年-月”，如 2027-05" in bad.content.decode()
