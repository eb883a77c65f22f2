"""Facts over the register, each checked against a case built by hand."""

from datetime import date

import pytest

from renkou.benefits import amounts, facts
from renkou.benefits.facts import Case
from renkou.benefits.tests.conftest import child, couple, person

DAY = date(2026, 3, 1)


@pytest.mark.django_db
def test_age_and_months_on_a_day():
    p = person(born=date(1966, 3, 2))
    assert facts.age(Case(p, DAY)) == 59  # turns 60 tomorrow
    assert facts.age(Case(p, date(2026, 3, 2))) == 60
    baby = person(born=date(2024, 1, 15))
    assert facts.age_months(Case(baby, DAY)) == 25  # 2024-01-15 → 2026-02-15 = 25 months
    assert facts.age_months(Case(baby, date(2026, 3, 15))) == 26


@pytest.mark.django_db
def test_hukou_of_the_couple():
    husband, wife = couple()
    assert facts.hukou_rural(Case(husband, DAY)) is True
    assert facts.couple_rural(Case(husband, DAY)) is True
    wife.hukou_type = "1"
    wife.save()
    assert facts.couple_rural(Case(husband, DAY)) is False
    wife.hukou_type = ""
    wife.save()
    assert facts.couple_rural(Case(husband, DAY)) is None  # unknown, not failed
    # A widower counts by his own hukou.
    wife.exited_at, wife.exit_reason = date(2020, 1, 1), "3"
    wife.save()
    assert facts.couple_rural(Case(husband, DAY)) is True


@pytest.mark.django_db
def test_children_counted_from_the_wifes_card_on_the_day():
    husband, wife = couple()
    assert facts.living_children(Case(husband, DAY)) is None  # no card: unknown
    child(wife, 1, "2", date(1988, 6, 1))
    child(wife, 2, "2", date(1991, 6, 1), kinship="4")  # adopted: counts too
    assert facts.children_ever(Case(husband, DAY)) == 2
    assert facts.living_daughters(Case(husband, DAY)) == 2
    assert facts.one_child_or_two_daughters(Case(wife, DAY)) is True
    # On a day before the second birth there was one child.
    assert facts.children_ever(Case(husband, date(1990, 1, 1))) == 1


@pytest.mark.django_db
def test_only_child_died_and_when():
    husband, wife = couple()
    child(wife, 1, "1", date(1990, 1, 1), survival="dead", death_date=date(2015, 4, 1))
    assert facts.only_child_died(Case(wife, DAY)) is True
    assert facts.children_all_died(Case(husband, DAY)) is True
    assert facts.living_children(Case(husband, DAY)) == 0
    # Before the death the child was alive.
    assert facts.only_child_died(Case(wife, date(2015, 3, 31))) is False
    assert facts.living_children(Case(wife, date(2015, 3, 31))) == 1


@pytest.mark.django_db
def test_only_child_disabled_needs_the_only_child_alive_and_disabled():
    husband, wife = couple()
    first = child(wife, 1, "1", date(1990, 1, 1), health="3")
    assert facts.only_child_disabled(Case(husband, DAY)) is True
    child(wife, 2, "2", date(2000, 1, 1))
    assert facts.only_child_disabled(Case(husband, DAY)) is False
    assert first.health == "3"


@pytest.mark.django_db
def test_wife_age_from_either_spouse():
    husband, wife = couple(wife_born=date(1977, 3, 1))
    assert facts.wife_age(Case(husband, DAY)) == 49
    assert facts.wife_age(Case(wife, DAY)) == 49
    single = person(sex="1")
    assert facts.wife_age(Case(single, DAY)) is None


@pytest.mark.django_db
def test_declared_grades_and_the_certificate():
    p = person()
    assert facts.disability_grade(Case(p, DAY)) is None
    assert facts.disability_grade(Case(p, DAY, declared={"disability_grade": "2"})) == 2
    assert facts.complication_grade(Case(p, DAY, declared={"complication_grade": "x"})) is None
    assert facts.one_child_certificate(Case(p, DAY)) is None
    assert facts.one_child_certificate(Case(p, DAY, declared={"one_child_cert_no": "D1"})) is True


@pytest.mark.django_db
def test_alive_in_register_and_county_of_registration():
    p = person()
    assert facts.alive(Case(p, DAY)) and facts.in_register(Case(p, DAY))
    p.exited_at, p.exit_reason = date(2026, 2, 1), "3"
    assert not facts.alive(Case(p, DAY)) and not facts.in_register(Case(p, DAY))
    assert facts.alive(Case(p, date(2026, 1, 31)))
    moved = person(registered_code="620002100201")
    assert facts.registered_in_county(Case(moved, DAY)) is False


def test_childcare_months_by_hand():
    # Born 2023-06-15: 36 months run 2023-06 … 2026-05; from 2025-01 that is 12 + 5 = 17.
    assert amounts.childcare_months(date(2023, 6, 15)) == 17
    # Born 2025-03-10: all 36 months (2025-03 … 2028-02).
    assert amounts.childcare_months(date(2025, 3, 10)) == 36
    # Born 2021-12-31: three years end 2024-12, before the scheme: nothing.
    assert amounts.childcare_months(date(2021, 12, 31)) == 0
    # 3,600 yuan a year = 300 yuan (30,000 fen) a month.
    assert amounts.childcare_fen(date(2023, 6, 15), 360000) == 17 * 30000
    assert amounts.yuan(96000) == "960" and amounts.yuan(12345) == "123.45"
