"""The kept 全覆盖 table follows every register write, the events' too (issue 11 item 3): a
test across benefits and events, so it lives above both."""

from datetime import date

from conftest import VILLAGE_A1, VILLAGE_B1
from renkou.benefits import screening
from renkou.benefits.tests.conftest import actor, programs  # noqa: F401 fixture
from renkou.benefits.tests.test_screening import DAY, at, county, listed, snapshot  # noqa: F401
from renkou.events import services as events
from renkou.events.constants import Kind
from renkou.people import card_services
from renkou.people import services as people
from renkou.people.models import Child, Person


def test_register_writes_keep_the_table_current_and_a_rebuild_agrees(county, personas):  # noqa: F811
    c = county
    officer = actor(personas, "township_officer")
    with at(DAY):
        assert ("有子甲", "jiangfu", "pass") in listed()
        # The first couple's second child, entered on the card: no longer one living child.
        card = c["w1"].card
        card_services.card_row_create(
            actor=officer,
            card=card,
            model=Child,
            values={"parity": 2, "name": "次子", "sex": "1", "birth_date": date(1993, 1, 1)},
            version=card.version,
        )
        assert ("有子甲", "jiangfu", "pass") not in listed()
        # The only son of the third couple dies: his mother, 49, appears for 特扶 at once.
        county_actor = actor(personas, "county_officer")
        death = events.record(
            actor=county_actor, kind=Kind.DEATH, person=c["son"], effective_date=DAY, today=DAY
        )
        assert ("王芳", "tefu_died", "pass") in listed(unit_code=VILLAGE_B1)
        # A new person of 61 is registered: on the list for 奖扶 (children unknown: 待核实).
        people.person_register(
            actor=officer,
            household=None,
            values={
                "name": "新登记",
                "sex": "1",
                "birth_date": date(1965, 1, 1),
                "registered_code": VILLAGE_A1,
                "residence_code": VILLAGE_A1,
                "hukou_type": "2",
                "marital_status": "10",
            },
            today=DAY,
        )
        assert ("新登记", "jiangfu", "unknown") in listed()
        # The first husband's hukou turns non-agricultural through the entry form.
        h1 = Person.objects.get(pk=c["h1"].pk)
        people.person_update(
            actor=officer, person=h1, values={"hukou_type": "1"}, version=h1.version, today=DAY
        )
        incremental = snapshot()
        screening.rebuild("", DAY)
        assert snapshot() == incremental
        # Voiding the death puts the son back: his mother leaves the 特扶 list again.
        events.void(actor=county_actor, event=death, reason="误报", today=DAY)
        assert ("王芳", "tefu_died", "pass") not in listed(unit_code=VILLAGE_B1)
        incremental = snapshot()
        screening.rebuild("", DAY)
        assert snapshot() == incremental
