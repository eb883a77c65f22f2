"""The dashboard: headline figures against targets, sub-unit ranking, births and sex ratio by
month and data-quality alerts, all computed by hand below from a small hand-built county; the
pages and the JSON; links; leaders' view without name lists; scope; a constant query count."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from conftest import (
    COUNTY,
    OTHER_COUNTY,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    VILLAGE_B2,
)
from renkou.assessment.models import TaskQuota
from renkou.common.actors import Actor
from renkou.common.periods import fp_year, month
from renkou.events import services
from renkou.events.constants import Kind, Scope
from renkou.events.models import MonthlyReport
from renkou.people.services import person_register
from renkou.reports.dashboard import dashboard_data, due_month
from renkou.reports.models import Target

TODAY = date(2026, 11, 29)
PERIOD = fp_year(2026)  # 2025-10-01 – 2026-09-30
R = Scope.REGISTERED
NAMES = ("卓玛", "扎西", "央金", "拉姆", "才让", "王芳", "李强", "小卓玛", "小央金", "小王")
QUERY = {"period": "2026", "scope": "registered"}


def add(name, sex, born, village, **extra):
    values = {
        "name": name,
        "sex": sex,
        "birth_date": born,
        "registered_code": village,
        "residence_code": village,
        "marital_status": "10",
        "ethnicity": "01",
        "hukou_type": "2",
        "relationship": "02",
    }
    values.update(extra)
    return person_register(actor=Actor(None), household=None, values=values, today=TODAY)


def married(**extra):
    return {"marital_status": "21", "first_marriage_date": date(2015, 5, 1), **extra}


def with_id(number):
    """A valid synthetic resident ID of the test county (check character worked out by hand)."""
    return {"id_type": "01", "id_number": number}


def birth(personas, mother, day, reported, sex, policy, name, partner=None):
    services.record(
        actor=Actor(personas["township_officer"]),
        kind=Kind.BIRTH,
        person=mother,
        effective_date=day,
        reported_date=reported,
        today=TODAY,
        details=services.Details(
            partner=partner, child_name=name, sex=sex, policy_attribute=policy
        ),
    )


@pytest.fixture
def county(units, personas):
    """Township A (甲镇): 甲一村 has 卓玛, 扎西, 央金, 拉姆; 甲二村 has 才让. Township B (乙乡):
    乙一村 has 王芳, 李强; 乙二村 nobody. 卓玛, 扎西, 央金 and 李强 hold valid resident IDs.

    FP year 2026: 卓玛 has a boy on 15 Jan (policy, reported 3 Feb: on time), 央金 a girl on
    10 Mar (policy, reported 20 Apr: late), 王芳 a boy on 1 Feb (outside policy, reported
    10 Feb: on time); 才让 dies on 1 May. The October 2026 report came from 甲一村 and 乙一村.
    """
    zhuoma = add(
        "卓玛", "2", date(1995, 3, 1), VILLAGE_A1, **married(), **with_id("620001199503010028")
    )
    zhaxi = add(
        "扎西",
        "1",
        date(1993, 7, 9),
        VILLAGE_A1,
        **married(relationship="10"),
        **with_id("620001199307090016"),
    )
    yangjin = add(
        "央金", "2", date(1992, 4, 4), VILLAGE_A1, **married(), **with_id("620001199204040040")
    )
    add("拉姆", "2", date(2001, 2, 2), VILLAGE_A1)
    cairang = add("才让", "1", date(1940, 1, 1), VILLAGE_A2)
    wangfang = add("王芳", "2", date(1990, 8, 8), VILLAGE_B1, **married())
    add(
        "李强",
        "1",
        date(1988, 1, 1),
        VILLAGE_B1,
        **married(relationship="10"),
        **with_id("62000119880101003X"),
    )
    birth(personas, zhuoma, date(2026, 1, 15), date(2026, 2, 3), "1", "1", "小卓玛", zhaxi)
    birth(personas, yangjin, date(2026, 3, 10), date(2026, 4, 20), "2", "1", "小央金")
    birth(personas, wangfang, date(2026, 2, 1), date(2026, 2, 10), "1", "2", "小王")
    services.record(
        actor=Actor(personas["township_officer"]),
        kind=Kind.DEATH,
        person=cairang,
        effective_date=date(2026, 5, 1),
        today=TODAY,
    )
    sent = datetime(2026, 11, 3, 9, tzinfo=UTC)
    for village in (VILLAGE_A1, VILLAGE_B1):
        MonthlyReport.objects.create(
            unit_code=village,
            month=202610,
            on_time=True,
            submitted_by=personas["township_officer"],
            submitted_at=sent,
        )
    for unit, code, direction, value in (
        (COUNTY, "natural_growth_rate", "le", "9.31"),
        (COUNTY, "policy_compliant_birth_rate", "ge", "96.5"),
        (COUNTY, "sex_ratio_at_birth", "le", "107"),
        (TOWNSHIP_A, "natural_growth_rate", "le", "200"),
    ):
        Target.objects.create(
            unit_code=unit, year=2026, indicator=code, direction=direction, value=Decimal(value)
        )


def data_for(prefix="620001", period=PERIOD, **kwargs):
    kwargs.setdefault("today", TODAY)
    return dashboard_data(prefix, period, R, **kwargs)


def cards(data):
    return {card["code"]: card for card in data["headline"] + data["quality"]}


def test_headline_figures_of_the_county_against_its_targets(county):
    data = data_for()
    got = cards(data)
    # Population at the start (30 Sep 2025): 7 persons. At the end: 7 + 3 births − 1 death = 9.
    # Average (7 + 9) / 2 = 8.
    assert got["births"]["value"] == 3 and got["deaths"]["value"] == 1
    assert got["average_population"]["value"] == 8
    assert got["crude_birth_rate"]["display"] == "375.00‰"  # 3 / 8 × 1000
    assert got["crude_death_rate"]["display"] == "125.00‰"  # 1 / 8 × 1000
    assert got["natural_growth_rate"]["display"] == "250.00‰"  # (3 − 1) / 8 × 1000
    assert got["sex_ratio_at_birth"]["display"] == "200.0"  # 2 boys / 1 girl × 100
    assert got["policy_compliant_birth_rate"]["display"] == "66.67%"  # 2 of 3 births
    # Married women 15–49 at the end: 卓玛, 央金, 王芳; none uses a method.
    assert (
        got["contraceptive_prevalence"]["numerator"],
        got["contraceptive_prevalence"]["denominator"],
    ) == (0, 3)
    # Valid IDs among the 9 at the end: 卓玛, 扎西, 央金, 李强.
    assert got["id_entry_rate"]["display"] == "44.44%"
    # Complete: the 6 living adults; the babies have no relationship to a household head.
    assert got["completeness"]["display"] == "66.67%"
    # On time: 卓玛's (by 5 Feb) and 王芳's (by 5 Mar); 央金's came after 5 April.
    assert got["birth_timeliness"]["display"] == "66.67%"
    ngr = got["natural_growth_rate"]["target"]
    assert (ngr["met"], ngr["label"], ngr["gap_display"]) == (False, "未达标", "+240.69‰")
    policy = got["policy_compliant_birth_rate"]["target"]
    assert (policy["met"], policy["gap_display"]) == (False, "-29.83%")
    assert got["sex_ratio_at_birth"]["target"]["gap"] == pytest.approx(93.0)
    assert got["births"]["target"] is None
    assert any("出生数仅3人" in w for w in got["sex_ratio_at_birth"]["warnings"])
    assert data["target_year"] == 2026 and data["notes"] == []


def test_townships_and_their_ranking(county):
    data = data_for(rank="natural_growth_rate")
    parts = {p["name"]: p["figures"] for p in data["parts"]}
    assert list(parts) == ["甲镇", "乙乡"] and data["part_label"] == "乡镇"
    # 甲镇: start 5, end 5 + 2 − 1 = 6, average 5.5; 乙乡: start 2, end 3, average 2.5.
    assert parts["甲镇"]["natural_growth_rate"]["display"] == "181.82‰"  # (2 − 1) / 5.5 × 1000
    assert parts["乙乡"]["natural_growth_rate"]["display"] == "400.00‰"  # 1 / 2.5 × 1000
    assert parts["甲镇"]["sex_ratio_at_birth"]["display"] == "100.0"
    assert parts["乙乡"]["sex_ratio_at_birth"]["value"] is None  # no girl born
    assert parts["甲镇"]["policy_compliant_birth_rate"]["display"] == "100.00%"
    assert parts["乙乡"]["policy_compliant_birth_rate"]["display"] == "0.00%"
    assert parts["甲镇"]["natural_growth_rate"]["target"]["met"] is True  # 181.82 ≤ 200
    assert parts["乙乡"]["natural_growth_rate"]["target"] is None
    # A "≤" target (the county's 9.31‰) ranks lower values first, as the indicator page does.
    rows = data["ranking"]["rows"]
    assert data["ranking"]["lower_first"] is True
    assert [(r["rank"], r["name"], r["display"]) for r in rows] == [
        (1, "甲镇", "181.82‰"),
        (2, "乙乡", "400.00‰"),
    ]
    # A "≥" target (96.5%) or none: higher first. Birth rates: 2 / 5.5 and 1 / 2.5 (× 1000).
    by_policy = data_for(rank="policy_compliant_birth_rate")["ranking"]["rows"]
    assert [(r["name"], r["display"]) for r in by_policy] == [
        ("甲镇", "100.00%"),
        ("乙乡", "0.00%"),
    ]
    by_births = data_for(rank="crude_birth_rate")["ranking"]["rows"]
    assert [(r["name"], r["display"]) for r in by_births] == [
        ("乙乡", "400.00‰"),
        ("甲镇", "363.64‰"),
    ]
    # Sub-units without a value come last, unranked: 乙乡 had no girl, so no sex ratio.
    by_ratio = data_for(rank="sex_ratio_at_birth")["ranking"]["rows"]
    assert [(r["rank"], r["name"]) for r in by_ratio] == [(1, "甲镇"), (None, "乙乡")]


def test_township_page_compares_its_villages(county):
    data = data_for(TOWNSHIP_A[:9])
    assert data["unit"]["name"] == "甲镇" and data["part_label"] == "村（居）"
    parts = {p["name"]: p["figures"] for p in data["parts"]}
    assert parts["甲一村"]["births"]["value"] == 2 and parts["甲一村"]["deaths"]["value"] == 0
    assert parts["甲二村"]["deaths"]["value"] == 1
    assert cards(data)["births"]["value"] == 2
    village = data_for(VILLAGE_B2)
    assert village["parts"] == [] and cards(village)["births"]["value"] == 0


def test_births_and_sex_ratio_by_month(county):
    trend = data_for()["trend"]
    assert trend["months"] == [f"2025-{m}" for m in ("10", "11", "12")] + [
        f"2026-{m:02d}" for m in range(1, 10)
    ]
    assert trend["births"] == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert trend["male"] == [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert trend["sex_ratio"][5] == 0.0  # March: no boy, one girl
    assert trend["sex_ratio"][3] is None  # January: no girl, no ratio
    assert "出生3人" in trend["note"]
    # A month period ends the window at that month.
    assert data_for(period=month(2026, 2))["trend"]["months"][-1] == "2026-02"


def test_the_unfinished_month_is_marked(county):
    """Issue 11 item 16: November 2026 has 29 of its 30 days on 29 November."""
    trend = data_for(period=fp_year(2027))["trend"]
    assert trend["months"][-1] == "2026-11"
    assert trend["labels"][-1] == "2026年11月（至29日）" and trend["labels"][-2] == "2026年10月"
    assert trend["partial"] == [False] * 11 + [True]
    assert "11月尚未结束，只计到29日" in trend["note"]
    assert not any(data_for()["trend"]["partial"])  # FP 2026 is over: every month whole
    headline = cards(data_for(period=fp_year(2027)))
    assert any("未年化" in w for w in headline["crude_birth_rate"]["warnings"])


def test_alerts(county):
    alerts = data_for()["alerts"]
    got = {(a["kind"], a["unit"]) for a in alerts}
    assert got == {
        ("id_entry_rate", "测试县"),
        ("id_entry_rate", "甲镇"),
        ("id_entry_rate", "乙乡"),
        ("completeness", "测试县"),
        ("completeness", "甲镇"),
        ("completeness", "乙乡"),
        ("birth_timeliness", "测试县"),
        ("birth_timeliness", "甲镇"),  # 乙乡: 1 of 1 on time
        ("sex_ratio_at_birth", "测试县"),
        ("sex_ratio_at_birth", "甲镇"),  # 200.0 and 100.0
        ("late_report", "甲镇"),
        ("late_report", "乙乡"),
    }
    late = {a["unit"]: a["villages"] for a in alerts if a["kind"] == "late_report"}
    assert late == {"甲镇": ["甲二村"], "乙乡": ["乙二村"]}
    # Each late alert opens the month's report overview of its township.
    links = {a["unit"]: a["link"] for a in alerts if a["kind"] == "late_report"}
    overview = reverse("events:monthly_overview")
    assert links == {
        "甲镇": f"{overview}?month=2026-10&unit=620001100",
        "乙乡": f"{overview}?month=2026-10&unit=620001101",
    }
    ratio = next(a for a in alerts if a["kind"] == "sex_ratio_at_birth" and a["unit"] == "测试县")
    assert "小数字" in ratio["text"]
    # Before the 5 November deadline the October report is not yet late: September's is.
    assert due_month(date(2026, 11, 5)) == date(2026, 9, 1)
    assert due_month(date(2026, 11, 6)) == date(2026, 10, 1)
    early = data_for(today=date(2026, 11, 5))["alerts"]
    assert {tuple(a["villages"]) for a in early if a["kind"] == "late_report"} == {
        ("甲一村", "甲二村"),
        ("乙一村", "乙二村"),
    }


def test_part_of_a_year_is_flagged_against_yearly_targets(county):
    assert data_for(period=month(2026, 3))["notes"] != []


def test_query_count_does_not_grow_with_the_register(county, django_assert_max_num_queries):
    # 1 the units, the villages without the monthly report and the checkpoint horizon; 1 for
    # the townships and, as their sum, the county (the tallies of the period, of the pooled sex
    # ratio's earlier years and of the trend's months, and the yearly checkpoints); 1 targets.
    with django_assert_max_num_queries(3):
        data_for(person_links=True)
    with CaptureQueriesContext(connection) as small:
        data_for(person_links=True)
    for i in range(40):
        add(f"新增{i}", "1" if i % 2 else "2", date(1980 + i % 20, 1, 1), VILLAGE_B2)
    with CaptureQueriesContext(connection) as large:
        data = data_for(person_links=True)
    assert len(large) == len(small)
    # The 40 were born before the period: (7 + 40 + 9 + 40) / 2.
    assert cards(data)["average_population"]["value"] == 48
    assert all("people_person" not in q["sql"] for q in large.captured_queries)


# --- pages ----------------------------------------------------------------------------------


def get(client, name, **params):
    return client.get(reverse(name), {**QUERY, **params})


def test_page_shows_the_numbers(county, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    response = get(client, "reports:dashboard")
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "250.00‰",
        "375.00‰",
        "66.67%",
        "44.44%",
        "未达标",
        "≤9.31‰",
        "+240.69‰",
        "甲镇",
        "乙乡",
        "400.00‰",
        "181.82‰",
        "甲二村",
        'id="dashboard-data"',
        'id="chart-trend"',
        'id="chart-rank"',
        "npm/echarts/echarts.min.js",
        "js/dashboard.js",
    ):
        assert text in body, text
    assert not any(name in body for name in NAMES)
    # The township table follows the ranking: 甲镇 (181.82‰) above 乙乡 (400.00‰), target ≤.
    table = body[body.index("dash-table") :]
    assert table.index("甲镇") < table.index("乙乡")


def test_every_link_resolves(county, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    data = json.loads(get(client, "reports:dashboard_data").content)
    links = []
    for card in data["headline"] + data["quality"]:
        links += [v for v in card["links"].values() if v]
    for part in data["parts"]:
        links.append(part["dashboard"])
        for cell in part["figures"].values():
            links += [v for v in cell["links"].values() if v]
    links += data["trend"]["table_links"] + data["trend"]["birth_links"]
    links += [a["link"] for a in data["alerts"] if a["link"] and a["kind"] != "late_report"]
    assert len(links) > 100
    for link in links:
        assert resolve(urlsplit(link).path).namespace == "reports", link
    for alert in data["alerts"]:
        if alert["kind"] == "late_report":
            assert resolve(urlsplit(alert["link"]).path).url_name == "monthly_overview"
            page = client.get(alert["link"])
            assert page.status_code == 200
            assert all(village in page.content.decode() for village in alert["villages"])
    births = cards(data)["births"]["links"]
    table, names = urlsplit(births["table"]), urlsplit(births["numerator"])
    assert resolve(table.path).url_name == "indicators"
    assert parse_qs(table.query) == {
        "unit": [COUNTY],
        "year": ["2026"],
        "part": ["fp"],
        "scope": ["registered"],
    }
    assert resolve(names.path).url_name == "indicator_list"
    assert resolve(names.path).kwargs == {"code": COUNTY}
    assert parse_qs(names.query)["side"] == ["numerator"]
    march = urlsplit(data["trend"]["birth_links"][5])
    assert parse_qs(march.query)["part"] == ["M03"]
    part = urlsplit(data["parts"][0]["dashboard"])
    assert resolve(part.path).url_name == "dashboard"
    assert parse_qs(part.query)["unit"] == [TOWNSHIP_A]
    for link in (
        births["table"],
        births["numerator"],
        data["trend"]["birth_links"][5],
        data["parts"][0]["dashboard"],
        data["parts"][1]["figures"]["deaths"]["links"]["table"],
    ):
        assert client.get(link).status_code == 200, link


def test_json_has_no_personal_data(county, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    response = get(client, "reports:dashboard_data")
    assert response["Content-Type"].startswith("application/json")
    text = response.content.decode()
    assert not any(name in text for name in NAMES)
    assert "620001199503010028" not in text and "id_number" not in text
    data = json.loads(text)
    assert cards(data)["natural_growth_rate"]["display"] == "250.00‰"


def test_leaders_see_numbers_but_no_name_lists(county, personas, signed_in_client):
    client = signed_in_client(personas["leader"])
    body = get(client, "reports:dashboard").content.decode()
    assert "250.00‰" in body and "side=numerator" not in body
    data = json.loads(get(client, "reports:dashboard_data").content)
    assert all(
        c["links"]["numerator"] is None and c["links"]["denominator"] is None
        for c in data["headline"]
    )
    assert set(data["trend"]["birth_links"]) == {None}
    officer = signed_in_client(personas["county_officer"])
    assert "side=numerator" in get(officer, "reports:dashboard").content.decode()


@pytest.mark.parametrize(
    "name", ["reports:dashboard", "reports:dashboard_data", "reports:bigscreen"]
)
def test_out_of_scope_unit_is_404(name, county, personas, signed_in_client):
    township = signed_in_client(personas["township_officer"])
    assert get(township, name, unit=TOWNSHIP_B).status_code == 404
    assert get(township, name, unit=COUNTY).status_code == 404
    assert get(township, name, unit=VILLAGE_A1).status_code == 200
    county_officer = signed_in_client(personas["county_officer"])
    assert get(county_officer, name, unit=OTHER_COUNTY).status_code == 404


def test_township_officer_defaults_to_own_township(county, personas, signed_in_client):
    client = signed_in_client(personas["township_officer"])
    data = json.loads(get(client, "reports:dashboard_data").content)
    assert data["unit"]["code"] == TOWNSHIP_A
    assert [p["name"] for p in data["parts"]] == ["甲一村", "甲二村"]


def test_bad_period_and_scope_fall_back_with_a_message(county, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    response = get(client, "reports:dashboard", period="2026Q9", scope="nowhere")
    assert response.status_code == 200
    body = response.content.decode()
    assert "无法识别的统计期间" in body and "无法识别的人口口径" in body


def test_resident_scope(county, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    data = json.loads(get(client, "reports:dashboard_data", scope="resident").content)
    assert data["scope"]["code"] == "S"
    assert cards(data)["births"]["value"] == 3  # everyone lives where registered


def test_bigscreen(county, personas, signed_in_client):
    client = signed_in_client(personas["leader"])
    response = get(client, "reports:bigscreen")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="bigscreen"' in body and "250.00‰" in body
    assert f'data-refresh-url="{reverse("reports:dashboard_data")}?' in body
    assert 'data-refresh-seconds="300"' in body
    assert "<form" not in body.split('id="bs-stage"')[1]  # read-only
    assert not any(name in body for name in NAMES)


@pytest.mark.parametrize("role", ["county_officer", "leader"])
def test_home_of_county_officers_and_leaders_is_the_dashboard(
    role, county, personas, signed_in_client
):
    client = signed_in_client(personas[role])
    body = client.get(reverse("home")).content.decode()
    assert 'id="dashboard-data"' in body and 'id="chart-trend"' in body


def test_other_homes_stay_as_they_were(county, personas, signed_in_client):
    client = signed_in_client(personas["village_admin"])
    body = client.get(reverse("home")).content.decode()
    assert 'id="dashboard-data"' not in body


def test_periods_as_the_indicator_pages_name_them():
    from renkou.common.periods import parse
    from renkou.reports.indicators import period_params

    assert period_params(parse("2026")) == {"year": "2026", "part": "fp"}
    assert period_params(parse("2026H2")) == {"year": "2026", "part": "H2"}
    assert period_params(parse("2026Q3")) == {"year": "2026", "part": "Q3"}
    assert period_params(parse("2026-03")) == {"year": "2026", "part": "M03"}
    assert period_params(parse("2025-10-01..2026-03-31")) is None


def test_a_period_the_indicator_pages_cannot_name_links_to_the_dashboard(county):
    from renkou.common.periods import parse

    data = data_for(period=parse("2025-10-01..2026-03-31"), person_links=True)
    links = cards(data)["births"]["links"]
    assert resolve(urlsplit(links["table"]).path).url_name == "dashboard"
    assert links["numerator"] is None


# --- in a browser -----------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_charts_draw_without_console_or_csp_errors(
    live_server, audit_flushable, county, personas, settings
):
    import os

    from playwright.sync_api import sync_playwright

    from tests.test_e2e import CHROMIUM, _page, _sign_in

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    errors: list[str] = []
    query = "?period=2026&scope=registered"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = _page(browser, errors, viewport={"width": 1366, "height": 900})
        _sign_in(page, live_server.url, personas["county_officer"].username)
        page.wait_for_selector("#chart-trend canvas")  # the home page is the dashboard
        page.goto(f"{live_server.url}{reverse('reports:dashboard')}{query}")
        page.wait_for_selector("#chart-trend canvas")
        page.wait_for_selector("#chart-rank canvas")
        assert "250.00‰" in page.inner_text("main")
        page.goto(f"{live_server.url}{reverse('reports:bigscreen')}{query}")
        page.wait_for_selector("#chart-rank canvas")
        refreshed = page.evaluate(
            "fetch(document.getElementById('bs-stage').dataset.refreshUrl)"
            ".then(r => r.json()).then(d => d.headline.map(c => c.display))"
        )
        assert "250.00‰" in refreshed
        browser.close()
    assert errors == []


HOSTILE_NAME = "<img src=x onerror=alert(1)>"
COUNT_INJECTED = "document.querySelectorAll('img[src=\"x\"]').length"
# Where each bar of the ranking chart is on the screen: its pixel from ECharts' own coordinate
# conversion, scaled as the page is (the big screen shrinks its 1920×1080 stage to the window).
BARS = """() => {
  const el = document.getElementById('chart-rank');
  const chart = window.echarts.getInstanceByDom(el);
  const rect = el.getBoundingClientRect();
  const scale = rect.width / el.offsetWidth;
  const data = chart.getOption().series[0].data;
  return data.map((d, i) => {
    const [x, y] = chart.convertToPixel({seriesIndex: 0}, [d.value / 2, i]);
    return [rect.left + x * scale, rect.top + y * scale];
  });
}"""


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_hostile_unit_name_stays_text_in_the_chart_tooltips(
    live_server, audit_flushable, county, personas, settings
):
    """Issue 19 item 7: a township named like an HTML tag, hovered in the ranking chart of the
    dashboard and of the big screen, shows as text; no element is created, no dialog opens."""
    import os

    from playwright.sync_api import sync_playwright

    from renkou.geo.models import Unit
    from tests.test_e2e import CHROMIUM, _page, _sign_in

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    Unit.objects.filter(code=TOWNSHIP_A).update(name=HOSTILE_NAME)
    errors: list[str] = []
    dialogs: list[str] = []
    query = "?period=2026&scope=registered&rank=natural_growth_rate"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = _page(browser, errors, viewport={"width": 1366, "height": 900})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _sign_in(page, live_server.url, personas["county_officer"].username)
        page.wait_for_selector("#chart-trend canvas")
        for name in ("reports:dashboard", "reports:bigscreen"):
            page.goto(f"{live_server.url}{reverse(name)}{query}")
            page.wait_for_selector("#chart-rank canvas")
            page.locator("#chart-rank").scroll_into_view_if_needed()
            shown, created = [], 0
            for x, y in page.evaluate(BARS):
                page.mouse.move(x, y)
                # The tooltip follows the pointer after a moment (longer on a busy machine).
                for _ in range(10):
                    page.wait_for_timeout(300)
                    text = page.inner_text("#chart-rank")  # the tooltip is drawn inside
                    if HOSTILE_NAME in text:
                        break
                shown.append(text)
                created += page.evaluate(COUNT_INJECTED)
            assert created == 0, name
            assert any(HOSTILE_NAME in text for text in shown), name  # shown, as text
        browser.close()
    assert dialogs == []


def test_service_panel_shows_coverage_and_veto_quotas_at_risk(county, personas, signed_in_client):
    """The panel the dashboard loads after the page: the six coverage indicators and the
    task quotas, a veto quota that cannot be met in red; name lists only for staff."""
    TaskQuota.objects.create(
        year=2026,
        unit_code=COUNTY,
        measure="treatment",
        target=3,
        deadline=date(2026, 9, 30),
        veto=True,
    )
    names_url = reverse("assessment:names", args=[COUNTY])
    for role, lists in (("county_officer", True), ("leader", False)):
        client = signed_in_client(personas[role])
        page = get(client, "reports:dashboard_services", unit=COUNTY, period="2026")
        assert page.status_code == 200
        html = page.content.decode()
        for name in ("孕前优生目标人群覆盖率", "已婚育龄妇女生殖健康检查率", "蓝氧治疗任务完成率"):
            assert name in html
        assert "table-danger" in html and "否决风险" in html  # 0 of 3 after the deadline
        assert (names_url in html) is lists
    outside = signed_in_client(personas["village_admin"])
    assert get(outside, "reports:dashboard_services", unit=COUNTY).status_code == 404


def test_county_blue_oxygen_card_sums_the_townships_quotas(county, personas, signed_in_client):
    """Issue 13 item 8: with the 蓝氧 quotas set for the townships only, the county's card is
    measured against their sum (3 + 4) instead of saying the county has no quota."""
    for unit_code, target in ((TOWNSHIP_A, 3), (TOWNSHIP_B, 4)):
        TaskQuota.objects.create(
            year=2026,
            unit_code=unit_code,
            measure="treatment",
            target=target,
            deadline=date(2026, 9, 30),
            veto=True,
        )
    client = signed_in_client(personas["county_officer"])
    html = get(client, "reports:dashboard_services", unit=COUNTY, period="2026").content.decode()
    card = html.split('data-code="treatment_completion"')[1].split("</div></div>")[0]
    assert "0</a> / 7" in card and "任务 ≥100% · 未达标" in card
    assert "按下级2个单位的任务合计" in card and "未下达蓝氧治疗任务" not in card
    assert "一票否决" not in card  # the townships' veto, not the county's


def test_benefit_panel_shows_coverage_payment_rate_and_money(county, personas, signed_in_client):
    """The panel the dashboard loads after the page: the benefit figures of the calendar year
    of the period's end (no beneficiary yet: rates "—", money 0.00), for leaders too."""
    for role in ("county_officer", "leader"):
        client = signed_in_client(personas[role])
        page = get(client, "reports:dashboard_benefits", unit=COUNTY, period="2026")
        assert page.status_code == 200
        html = page.content.decode()
        assert "测试县2026年利益导向落实情况" in html
        for name in ("利益导向覆盖率", "按时足额发放率", "发放金额"):
            assert name in html
        assert reverse("benefits:figures") in html
    outside = signed_in_client(personas["village_admin"])
    assert get(outside, "reports:dashboard_benefits", unit=COUNTY).status_code == 404
