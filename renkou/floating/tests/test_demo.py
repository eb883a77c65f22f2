"""The demo registers: records of the flow persons, certificates in every state, and a second
run adds nothing."""

import random
from datetime import date

from conftest import make_user
from renkou.accounts.constants import Role
from renkou.common import idnumber
from renkou.floating.demo import seed_floating
from renkou.floating.models import Certificate, FloatingRecord, Message
from renkou.floating.selectors import match_candidates
from renkou.floating.tests.conftest import person
from renkou.people import services as people_services


def test_demo_records_and_certificates_run_once(units):
    for n in range(5):
        person(f"流入{n}", "2", date(1990 + n, 1, 1))
    person("流出甲", "1", date(1988, 1, 1), flow="out")
    found = seed_floating(county="620001", today=date(2027, 6, 1))
    assert found == {"records": 6, "women": 5, "certificates": 4, "messages": 6}
    assert sorted(Certificate.objects.values_list("result", flat=True)) == [
        "",
        "valid",
        "valid",
        "valid",
    ]
    again = seed_floating(county="620001", today=date(2027, 6, 1))
    assert (again["records"], again["messages"]) == (0, 0)
    assert FloatingRecord.objects.count() == 6


def test_demo_requests_name_local_women_by_number_and_by_name(units):
    women = []
    for n in range(2):
        woman = person(f"协查对象{n}", "2", date(1991 + n, 2, 3))
        woman.id_number = idnumber.generate(
            random.Random(n), area="620001", birth=woman.birth_date, sex="2"
        )
        woman.id_index = people_services.id_index(woman.id_number)
        woman.save()
        women.append(woman)
    seed_floating(county="620001", today=date(2027, 6, 1))
    first, second = Message.objects.filter(unit_code="620001100000", way="in").order_by("dated_on")[
        :2
    ]
    by_number = first if first.subject_id_index else second
    by_name = second if by_number is first else first
    assert (by_number.person, by_number.match) == (women[0], "index")
    assert by_number.subject_id_index == women[0].id_index
    assert (by_name.person, by_name.match, by_name.subject_id_number) == (None, "", "")
    officer = make_user("demo_town", Role.TOWNSHIP_OFFICER, units["620001100000"])
    assert list(match_candidates(officer, by_name)) == [women[1]]
