"""The demo cases: one opened from a demo tip-off by its handler (its informant not copied),
one referred to the police, one not substantiated, one overdue; seeded once; and the crawl
county holds them, so the crawl reaches every case page."""

from datetime import date

import time_machine
from django.db import connection

from conftest import COUNTY
from renkou.cases.demo import seed_cases
from renkou.cases.models import Case
from renkou.tipoffs.demo import informant_names, seed_tipoffs

TODAY = date(2027, 6, 1)


def test_the_demo_seeds_each_kind_of_case_once(units, personas):
    with time_machine.travel(TODAY, tick=False):
        seed_tipoffs(county=COUNTY[:6], today=TODAY)
        made = seed_cases(county=COUNTY[:6], today=TODAY)
        assert seed_cases(county=COUNTY[:6], today=TODAY) == []
    assert len(made) == 4 and Case.objects.count() == 4
    from_tipoff = Case.objects.get(source="tipoff")
    tipoff = from_tipoff.tipoffs.get()
    assert tipoff.category == "two_non" and from_tipoff.opened_by == tipoff.handler
    assert (from_tipoff.status, from_tipoff.outcome, from_tipoff.referred_to) == (
        "closed",
        "penalized",
        "inspectorate",
    )
    police = Case.objects.get(referred_to="police")
    assert (police.status, police.subject_type) == ("referred", "person")
    assert Case.objects.get(outcome="unsubstantiated").status == "closed"
    assert Case.objects.filter(status="open", deadline__lt=TODAY).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case")
        text = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert not any(name in text for name in informant_names())


def test_the_crawl_county_holds_the_demo_cases(db):
    from tests.crawl_county import build_crawl_county

    with time_machine.travel(TODAY, tick=False):
        build_crawl_county(TODAY)
    assert Case.objects.count() == 4
    assert Case.objects.filter(source="tipoff").get().tipoffs.count() == 1
