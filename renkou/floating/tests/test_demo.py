"""The demo registers: records of the flow persons, certificates in every state, and a second
run adds nothing."""

from datetime import date

from renkou.floating.demo import seed_floating
from renkou.floating.models import Certificate, FloatingRecord
from renkou.floating.tests.conftest import person


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
