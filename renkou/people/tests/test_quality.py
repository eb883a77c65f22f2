"""Data-quality page: figures on a small hand-built register, computed by hand below, equal the
page's figures for the county and each township; every name list has as many rows as its figure;
scope and the ID status column."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import (
    COUNTY,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    VILLAGE_B2,
    make_user,
)
from renkou.accounts.constants import Role
from renkou.geo.models import Unit
from renkou.people import quality
from renkou.people.constants import IdStatus
from renkou.people.models import Person, id_status_of
from renkou.people.tests.quality_data import TODAY, bad_check, card, household, person, valid_id

M, F = "1", "2"


@pytest.fixture(autouse=True)
def frozen():
    moment = datetime(
        TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=timezone.get_default_timezone()
    )
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def register(units):
    """Thirteen present persons in six households, each line noting what it should count."""
    # fmt: off
    h1 = household(VILLAGE_A1, 1)
    p1 = person(VILLAGE_A1, h1, "王强", M, date(1980, 5, 1), relationship="02", number=None,
                marital_status="21", first_marriage_date=date(2005, 6, 1))
    p2 = person(VILLAGE_A1, h1, "李梅", F, date(1983, 3, 3), relationship="12", number=None,
                marital_status="21", first_marriage_date=date(2005, 6, 1), spouse=p1)
    card(p2)  # eligible, with card: fine
    person(VILLAGE_A1, h1, "王小军", M, date(2006, 1, 1), number=None, mother=p2, father=p1)
    person(VILLAGE_A1, h1, "王小红", F, date(2020, 2, 2), relationship="30", mother=p2)  # no ID
    h2 = household(VILLAGE_A1, 2)  # two persons recorded as 户主
    person(VILLAGE_A1, h2, "张福", M, date(1950, 1, 10), relationship="02", number=None,
           marital_status="30")
    person(VILLAGE_A1, h2, "刘兰", F, date(1952, 2, 2), relationship="02", is_head=False,
           number=bad_check(valid_id(date(1952, 2, 2), F)), id_override_reason="原件即为此号码",
           marital_status="30")  # check character wrong, with reason
    h3 = household(VILLAGE_A2, 1)
    # sex mismatch with reason; married at 18; eligible but no card
    p7 = person(VILLAGE_A2, h3, "卓玛", F, date(1990, 1, 1), relationship="02",
                number=valid_id(date(1990, 1, 1), M), id_override_reason="性别待公安更正",
                marital_status="21", first_marriage_date=date(2008, 1, 1))
    # mother aged 14, born before the mother's marriage, check character wrong without reason
    person(VILLAGE_A2, h3, "拉毛", F, date(2004, 6, 1), relationship="30", mother=p7,
           number=bad_check(valid_id(date(2004, 6, 1), F)))
    # married at 13, 户口性质 missing, no ID
    person(VILLAGE_A2, h3, "才让", M, date(2013, 1, 1), marital_status="21", hukou_type="")
    h4 = household(VILLAGE_B1, 1)
    twin_id = valid_id(date(1970, 1, 1), F)
    p10 = person(VILLAGE_B1, h4, "德吉", F, date(1970, 1, 1), relationship="02", number=twin_id,
                 marital_status="21", first_marriage_date=date(1992, 1, 1))
    card(p10)  # aged 56 with an open card
    p12 = person(VILLAGE_B1, h4, "央金", F, date(1980, 1, 1), relationship="97", number=None,
                 marital_status="21", first_marriage_date=date(2000, 1, 1),
                 exited_at=date(2025, 1, 1), exit_reason="3")
    card(p12)  # deceased with an open card
    person(VILLAGE_B1, h4, "多杰", M, date(1985, 1, 1), ethnicity="")  # adult, no number
    h5 = household(VILLAGE_B2, 1)
    person(VILLAGE_B2, h5, "德吉", F, date(1970, 1, 1), relationship="02", number=twin_id,
           marital_status="21", first_marriage_date=date(1992, 1, 1))  # the same ID as p10
    h6 = household(VILLAGE_B1, 2)  # the head died: no head left
    person(VILLAGE_B1, h6, "扎西", M, date(1945, 1, 1), relationship="02", number=None,
           exited_at=date(2024, 3, 1), exit_reason="3")
    person(VILLAGE_B1, h6, "吉毛", F, date(1948, 1, 1), relationship="10", number=None,
           marital_status="30")
    # fmt: on


# By hand, per township (A: 王强 李梅 王小军 王小红 张福 刘兰 卓玛 拉毛 才让;
# B: 德吉 德吉 多杰 吉毛).
EXPECTED_A = {
    "all": 9,
    "id_valid": 4,
    "id_not_valid": 5,
    "adult_all": 7,
    "adult_id_valid": 4,
    "adult_id_not_valid": 3,
    "adult_no_number": 0,
    "complete": 8,
    "incomplete": 1,
    "missing_hukou_type": 1,
    "missing_ethnicity": 0,
    "id_check_no_reason": 1,
    "id_check_reason": 1,
    "id_mismatch_reason": 1,
    "id_mismatch_no_reason": 0,
    "mother_age": 1,
    "marriage_age": 1,
    "married_child": 1,
    "birth_before_marriage": 1,
    "card_not_eligible": 0,
    "eligible_no_card": 1,
    "household_heads": 1,
    "deceased_records": 0,
    "dup_id": 0,
    "override": 2,
}
EXPECTED_B = {
    "all": 4,
    "id_valid": 3,
    "id_not_valid": 1,
    "adult_all": 4,
    "adult_id_valid": 3,
    "adult_id_not_valid": 1,
    "adult_no_number": 1,
    "complete": 3,
    "incomplete": 1,
    "missing_hukou_type": 0,
    "missing_ethnicity": 1,
    "id_check_no_reason": 0,
    "id_check_reason": 0,
    "id_mismatch_reason": 0,
    "id_mismatch_no_reason": 0,
    "mother_age": 0,
    "marriage_age": 0,
    "married_child": 0,
    "birth_before_marriage": 0,
    "card_not_eligible": 2,
    "eligible_no_card": 0,
    "household_heads": 1,
    "deceased_records": 1,
    "dup_id": 2,
    "override": 0,
}
EXPECTED_COUNTY = {k: EXPECTED_A[k] + EXPECTED_B[k] for k in EXPECTED_A}


def _figures(figures) -> dict[str, int]:
    return {code: figures.count(code) for code in EXPECTED_A}


def test_county_and_township_figures_equal_the_hand_count(register, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    response = client.get(reverse("people:quality"))
    assert response.status_code == 200
    report = response.context["report"]
    assert _figures(report.total) == EXPECTED_COUNTY
    parts = {f.prefix: f for f in report.parts}
    assert _figures(parts[TOWNSHIP_A[:9]]) == EXPECTED_A
    assert _figures(parts[TOWNSHIP_B[:9]]) == EXPECTED_B
    assert report.total.id_rate == round(7 / 13 * 100, 2)
    page = response.content.decode()
    assert "53.85%" in page and "甲镇" in page and "7 / 13" in page
    assert report.total.logic_problems == 9
    assert parts[TOWNSHIP_A[:9]].unit.name == "甲镇"
    township = client.get(reverse("people:quality_unit", args=[TOWNSHIP_B])).context["report"]
    assert _figures(township.total) == EXPECTED_B
    assert {f.prefix for f in township.parts} == {VILLAGE_B1, VILLAGE_B2}


def test_every_name_list_has_as_many_rows_as_its_figure(register, personas, signed_in_client):
    client = signed_in_client(personas["county_officer"])
    total = client.get(reverse("people:quality")).context["report"].total
    url = reverse("people:quality_list", args=[COUNTY])
    for code in quality.CHECKS:
        response = client.get(url, {"check": code, "size": "50"})
        assert response.status_code == 200, code
        assert response.context["page"].paginator.count == total.count(code), code
    body = client.get(url, {"check": "dup_id"}).content.decode()
    number = Person.objects.filter(name="德吉").first().id_number
    assert number not in body and number[:4] + "*" * 14 in body


def test_township_officer_sees_only_the_township(register, personas, signed_in_client):
    client = signed_in_client(personas["township_officer"])
    report = client.get(reverse("people:quality")).context["report"]
    assert report.unit.code == TOWNSHIP_A and _figures(report.total) == EXPECTED_A
    assert client.get(reverse("people:quality_unit", args=[TOWNSHIP_B])).status_code == 404
    listing = reverse("people:quality_list", args=[TOWNSHIP_B])
    assert client.get(listing, {"check": "all"}).status_code == 404
    assert client.get(reverse("people:quality_list", args=[TOWNSHIP_A])).status_code == 302


def test_the_breadcrumb_offers_only_units_the_account_may_open(
    register, personas, signed_in_client
):
    """Issue 11 crawl: a village's quality page linked its county and township, both 404."""
    client = signed_in_client(personas["village_admin"])
    body = client.get(reverse("people:quality")).content.decode()
    for outside in (COUNTY, TOWNSHIP_A):
        assert reverse("people:quality_unit", args=[outside]) not in body


def test_leaders_and_technicians_have_no_quality_page(register, personas, signed_in_client):
    for role in ("leader", "technician"):
        assert signed_in_client(personas[role]).get(reverse("people:quality")).status_code == 403


@pytest.mark.parametrize(
    ("id_type", "number", "birth", "sex", "status"),
    [
        ("01", "", date(1990, 1, 1), M, IdStatus.NONE),
        ("03", "E12345678", date(1990, 1, 1), M, IdStatus.OTHER),
        ("01", "12345", date(1990, 1, 1), M, IdStatus.UNREADABLE),
        ("01", "ok", date(1990, 5, 1), F, IdStatus.OK),
        ("01", "check", date(1990, 5, 1), F, IdStatus.CHECK),
        ("01", "ok", date(1990, 5, 2), M, "birth,sex"),
        ("04", "ok", date(1990, 5, 1), M, IdStatus.SEX),
    ],
)
def test_id_status_of(id_type, number, birth, sex, status):
    good = valid_id(date(1990, 5, 1), F)
    number = {"ok": good, "check": bad_check(good)}.get(number, number)
    assert id_status_of(id_type, number, birth, sex) == status


def test_saving_a_person_sets_the_id_status(units):
    home = household(VILLAGE_A1, 9)
    someone = person(VILLAGE_A1, home, "王秀英", F, date(1990, 5, 1), number=None)
    assert someone.id_status == IdStatus.OK
    someone.sex = M
    someone.save(update_fields=["sex"])
    someone.refresh_from_db()
    assert someone.id_status == IdStatus.SEX


def test_a_child_born_after_the_mothers_death_is_flagged(units):
    home = household(VILLAGE_B1, 9)
    mother = person(
        VILLAGE_B1,
        home,
        "央金",
        F,
        date(1980, 1, 1),
        relationship="02",
        exited_at=date(2020, 1, 1),
        exit_reason="3",
    )
    person(VILLAGE_B1, home, "扎西", M, date(2021, 6, 1), mother=mother)
    person(VILLAGE_B1, home, "拉姆", F, date(2019, 6, 1), mother=mother)  # born before: fine
    county = Unit.objects.get(code=COUNTY)
    reader = make_user("quality_reader", Role.COUNTY_OFFICER, county)
    rows = quality.check_rows(reader, county, quality.CHECKS["deceased_records"])
    assert list(rows) == [mother]
