"""The outcome figures per township beside the sex ratio at birth: counts worked out by hand
from a few cases, each count equal to the case list behind it (followed through its link),
the sex ratio the dashboard's indicator gives, and leaders reading counts without links or
subjects."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1
from renkou.cases import services
from renkou.cases.models import Case
from renkou.cases.tests.conftest import open_case
from renkou.common.actors import Actor
from renkou.events import services as events
from renkou.events.constants import Kind
from renkou.people.services import person_register

YEAR = 2027  # FP year 2027: 2026-10-01 – 2027-09-30


def _mother(name, village):
    values = {
        "name": name,
        "sex": "2",
        "birth_date": date(1995, 3, 1),
        "registered_code": village,
        "residence_code": village,
        "marital_status": "21",
        "first_marriage_date": date(2018, 5, 1),
        "ethnicity": "01",
        "hukou_type": "2",
        "relationship": "02",
    }
    return person_register(
        actor=Actor(None), household=None, values=values, today=date(2027, 3, 10)
    )


def _birth(officer, mother, day, sex, name):
    events.record(
        actor=Actor(officer),
        kind=Kind.BIRTH,
        person=mother,
        effective_date=day,
        reported_date=day,
        today=date(2027, 3, 10),
        details=events.Details(child_name=name, sex=sex, policy_attribute="1"),
    )


@pytest.fixture
def county(personas, today):
    """Township A: an inspection case closed not substantiated, a hospital report referred to
    the police (pending), a department's case referred and closed with a penalty, and one
    opened in FP year 2026 (not counted). Township B: one open inspection case. Births in FP
    year 2027: township A a boy and a girl, township B a boy."""
    t, c = personas["township_officer"], personas["county_officer"]
    officer = Actor(t)
    unfounded = open_case(t)
    services.case_close(
        actor=officer,
        case=unfounded,
        outcome="unsubstantiated",
        decision="查无实据",
        closed_on=date(2027, 3, 5),
        version=1,
    )
    pending = open_case(t, source="hospital")
    services.case_refer(
        actor=officer,
        case=pending,
        referred_to="police",
        referral_body="县公安局",
        referred_on=date(2027, 3, 2),
        version=1,
    )
    penalised = open_case(t, source="department")
    penalised = services.case_refer(
        actor=officer,
        case=penalised,
        referred_to="inspectorate",
        referral_body="县卫生健康综合监督执法局",
        referred_on=date(2027, 3, 2),
        version=1,
    )
    services.case_close(
        actor=officer,
        case=penalised,
        outcome="penalized",
        decision="罚款",
        closed_on=date(2027, 3, 8),
        version=2,
    )
    open_case(t, opened_on=date(2026, 9, 30))  # FP year 2026
    open_case(c, unit_code=TOWNSHIP_B)
    a1, a2, b1 = (
        _mother("卓玛", VILLAGE_A1),
        _mother("央金", VILLAGE_A1),
        _mother("王芳", VILLAGE_B1),
    )
    _birth(t, a1, date(2027, 1, 15), "1", "小卓玛")
    _birth(t, a2, date(2027, 2, 10), "2", "小央金")
    _birth(c, b1, date(2027, 2, 1), "1", "小王")


def _table(response):
    columns = ["opened", "tipoff", "inspection", "hospital", "department", "other"]
    columns += ["open", "pending", "penalized", "corrected", "unsubstantiated"]
    columns += ["referred", "substantiated"]
    out = {}
    for row in [*response.context["rows"], response.context["total"]]:
        out[row["name"]] = {k: cell for k, cell in zip(columns, row["cells"], strict=True)}
        out[row["name"]]["srb"] = row["srb"]
    return out


def test_the_counts_per_township_and_the_sex_ratio(county, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    got = _table(client.get(reverse("cases:stats"), {"year": YEAR}))
    assert list(got) == ["甲镇", "乙乡", "合计"]
    a = {k: v[0] for k, v in got["甲镇"].items() if k != "srb"}
    assert a == {
        "opened": 3,
        "tipoff": 0,
        "inspection": 1,
        "hospital": 1,
        "department": 1,
        "other": 0,
        "open": 0,
        "pending": 1,
        "penalized": 1,
        "corrected": 0,
        "unsubstantiated": 1,
        "referred": 2,
        "substantiated": 1,
    }
    assert got["乙乡"]["opened"][0] == 1 and got["乙乡"]["open"][0] == 1
    assert got["合计"]["opened"][0] == 4 and got["合计"]["referred"][0] == 2
    # Township A: 1 boy / 1 girl × 100; township B: no girl (no value); county 2 / 1 × 100.
    assert got["甲镇"]["srb"].display == "100.0"
    assert got["乙乡"]["srb"].value is None
    assert got["合计"]["srb"].display == "200.0"


def test_each_count_equals_the_case_list_behind_it(county, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    got = _table(client.get(reverse("cases:stats"), {"year": YEAR}))
    checked = 0
    for cells in got.values():
        for key, value in cells.items():
            if key == "srb":
                continue
            count, url = value
            listed = client.get(f"{url}&size=50").context["page"].paginator.count
            assert listed == count, (key, url)
            checked += 1
    assert checked == 3 * 13
    # The county's own row links to the whole year: the FP-2026 case is not in it.
    count, url = got["合计"]["opened"]
    numbers = {c.number for c in client.get(f"{url}&size=50").context["page"]}
    assert len(numbers) == count == 4
    assert Case.objects.filter(opened_on=date(2026, 9, 30)).get().number not in numbers


def test_a_township_officer_sees_its_township_only(county, personas, signed_in_client):
    client = signed_in_client(personas["township_officer"])
    got = _table(client.get(reverse("cases:stats"), {"year": YEAR}))
    assert list(got) == ["甲镇", "合计"] and got["合计"]["opened"][0] == 3
    assert got["甲镇"]["srb"].display == "100.0"


def test_leaders_read_counts_without_links_or_subjects(county, personas, signed_in_client):
    client = signed_in_client(personas["leader"])
    response = client.get(reverse("cases:stats"), {"year": YEAR})
    got = _table(response)
    assert got["合计"]["opened"] == (4, None)
    assert all(url is None for cells in got.values() for k, (n, url) in _cells(cells))
    html = response.content.decode()
    assert "仁和诊所" not in html and f'href="{reverse("cases:list")}?' not in html


def _cells(cells):
    return [(k, v) for k, v in cells.items() if k != "srb"]


def test_a_bad_year_falls_back_to_the_current_one(personas, signed_in_client, today):
    client = signed_in_client(personas["county_officer"])
    for year in ("abc", "²⁰²⁷", "1900"):
        response = client.get(reverse("cases:stats"), {"year": year})
        assert response.status_code == 200 and response.context["year"] == YEAR
    assert TOWNSHIP_A.startswith("620001")
