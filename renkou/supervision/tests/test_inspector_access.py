"""The inspector's access to people's data (issue 14 item 6, a security requirement): "reads
sampled records in the inspected township only for the duration of the visit (scope by
assignment, audited), and sees no one else". Outside a visit: no person at all; during a visit
of its team: the persons of that visit's sample in the inspected township, and the rows about
them; the first read is audited with the visit named. Every other role keeps its subtree."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_user
from renkou.accounts.constants import Role
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.geo.scope import GRANT_READ
from renkou.people.models import Person, WomanCard
from renkou.supervision import inspections
from renkou.supervision.constants import InspectionKind, SampleTopic
from renkou.supervision.models import Inspection, Sample
from renkou.todo.models import ReminderRule, TodoItem
from renkou.todo.tests.factories import woman

DAY = date(2027, 6, 10)  # the visit runs 10–12 June 2027
LAST = DAY + timedelta(days=2)


def _item(person: Person) -> TodoItem:
    return TodoItem.objects.create(
        rule=ReminderRule.objects.get(code="gyn_check"),
        rule_version=1,
        person=person,
        unit_code=person.unit_code,
        anchor_type="card",
        anchor_id=person.pk,
        due_on=date(2027, 5, 1),
        overdue_on=date(2027, 5, 1),
        ends_on=date(2027, 12, 31),
        status="done",
        done_on=date(2027, 5, 2),
    )


@pytest.fixture
def visit(units, personas):
    """A visit of township A, 10–12 June 2027, by the inspector persona; its sample is one
    woman of village A1 (``sampled``); ``unsampled`` lives in A2, ``elsewhere`` in B1."""
    made = inspections.plan(
        actor=Actor(personas["inspector"]),
        county_code=COUNTY,
        kind=InspectionKind.TOPIC,
        title="随访服务专项督查",
        units=[TOWNSHIP_A],
        first_day=DAY,
        days=3,
        every=0,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 5, 31),
        team=[personas["inspector"]],
    )[0]
    people = {"sampled": woman(VILLAGE_A1), "unsampled": woman(VILLAGE_A2)}
    people["elsewhere"] = woman(VILLAGE_B1)
    items = {key: _item(person) for key, person in people.items()}
    Sample.objects.create(
        inspection=made,
        unit_code=made.unit_code,
        topic=SampleTopic.TODO_DONE,
        position=1,
        record_type="todo.todoitem",
        record_id=items["sampled"].pk,
        person=people["sampled"],
    )
    made.people, made.items = people, items  # type: ignore[attr-defined]  # test handles
    return made


def _status(client, person: Person) -> int:
    return client.get(reverse("people:person_detail", args=[person.pk])).status_code


def test_outside_any_visit_the_inspector_sees_no_person(visit, personas, signed_in_client):
    inspector = personas["inspector"]
    with time_machine.travel(DAY - timedelta(days=1), tick=False):
        c = signed_in_client(inspector)
        assert _status(c, visit.people["sampled"]) == 404
        page = c.get(reverse("people:person_list")).content.decode()
        assert not any(p.name in page for p in visit.people.values())
        assert not Person.objects.visible_to(inspector).exists()
        assert not TodoItem.objects.visible_to(inspector).exists()
        home = c.get(reverse("home")).content.decode()
        assert "当前不在督查期间" in home


def test_during_the_visit_only_the_sampled_persons_of_the_township(
    visit, personas, signed_in_client
):
    inspector = personas["inspector"]
    with time_machine.travel(DAY + timedelta(days=1), tick=False):
        c = signed_in_client(inspector)
        page = c.get(reverse("people:person_detail", args=[visit.people["sampled"].pk]))
        assert page.status_code == 200 and visit.people["sampled"].name in page.content.decode()
        assert _status(c, visit.people["unsampled"]) == 404  # township A, not sampled
        assert _status(c, visit.people["elsewhere"]) == 404  # township B
        listed = c.get(reverse("people:person_list")).content.decode()
        assert visit.people["sampled"].name in listed
        assert visit.people["unsampled"].name not in listed
        # The rows about the sampled person come with it; no one else's.
        fresh = type(inspector).objects.get(pk=inspector.pk)
        assert list(TodoItem.objects.visible_to(fresh)) == [visit.items["sampled"]]
        assert list(WomanCard.objects.visible_to(fresh)) == [visit.people["sampled"].card]
        assert list(Sample.objects.visible_to(fresh)) == list(Sample.objects.all())
        # Rows about units keep the county scope (the assessment and supervision pages).
        assert Inspection.objects.visible_to(fresh).get() == visit


@pytest.mark.parametrize("day", [DAY - timedelta(days=1), LAST + timedelta(days=1)])
def test_before_and_after_the_visit_the_sampled_person_is_404(
    day, visit, personas, signed_in_client
):
    with time_machine.travel(day, tick=False):
        c = signed_in_client(personas["inspector"])
        assert _status(c, visit.people["sampled"]) == 404
    with time_machine.travel(LAST, tick=False):  # the last day still counts
        c = signed_in_client(personas["inspector"])
        assert _status(c, visit.people["sampled"]) == 200


def test_closing_the_visit_ends_the_access(visit, personas, signed_in_client):
    actor = Actor(personas["inspector"])
    with time_machine.travel(DAY, tick=False):
        inspections.start(actor=actor, inspection=visit)
        inspections.close(actor=actor, inspection=visit)
        c = signed_in_client(personas["inspector"])
        assert _status(c, visit.people["sampled"]) == 404


def test_an_inspector_not_on_the_team_sees_no_one(visit, units, signed_in_client):
    other = make_user("insp_other", Role.INSPECTOR, units[COUNTY])
    with time_machine.travel(DAY, tick=False):
        c = signed_in_client(other)
        assert _status(c, visit.people["sampled"]) == 404
        assert not Person.objects.visible_to(other).exists()


def test_the_first_read_under_the_visit_is_audited_once(visit, personas, signed_in_client):
    with time_machine.travel(DAY, tick=False):
        c = signed_in_client(personas["inspector"])
        assert _status(c, visit.people["sampled"]) == 200
        assert _status(c, visit.people["sampled"]) == 200
    rows = AuditEntry.objects.filter(action=GRANT_READ, user_id=personas["inspector"].pk)
    assert [(r.object_type, r.object_id) for r in rows] == [
        ("supervision.inspection", str(visit.pk))
    ]
    assert rows.get().summary == f"unit={TOWNSHIP_A[:9]} persons=1"


def test_denied_reads_are_audited_as_denials(visit, personas, signed_in_client):
    with time_machine.travel(DAY, tick=False):
        c = signed_in_client(personas["inspector"])
        assert _status(c, visit.people["unsampled"]) == 404
    denied = AuditEntry.objects.filter(action="authz.denied", user_id=personas["inspector"].pk)
    assert denied.filter(object_id=str(visit.people["unsampled"].pk)).exists()


def test_the_home_and_visit_pages_say_what_the_visit_opens(visit, personas, signed_in_client):
    with time_machine.travel(DAY, tick=False):
        c = signed_in_client(personas["inspector"])
        home = c.get(reverse("home")).content.decode()
        assert "本次督查可查阅：" in home and "抽样记录" in home and "至 2027-06-12" in home
        page = c.get(reverse("supervision:inspection_detail", args=[visit.pk])).content.decode()
        assert "本次督查可查阅：" in page and visit.people["sampled"].name in page
    with time_machine.travel(LAST + timedelta(days=1), tick=False):
        c = signed_in_client(personas["inspector"])
        page = c.get(reverse("supervision:inspection_detail", args=[visit.pk])).content.decode()
        assert "不在督查期间" in page and visit.people["sampled"].name not in page
        assert reverse("supervision:inspection_sample", args=[visit.pk]) not in page  # drawn


def test_the_grants_are_looked_up_once_per_user_object(visit, personas, django_assert_num_queries):
    inspector = type(personas["inspector"]).objects.get(pk=personas["inspector"].pk)
    with time_machine.travel(DAY, tick=False):
        first = inspector.person_grants()
        with django_assert_num_queries(0):
            assert inspector.person_grants() == first
    assert first is not None and first[0].person_ids == {visit.people["sampled"].pk}


def test_the_other_roles_keep_their_subtree(visit, personas):
    """A village administrator sees its village, a county officer the county, visit or not."""
    with time_machine.travel(DAY, tick=False):
        village = set(Person.objects.visible_to(personas["village_admin"]))
        county = set(Person.objects.visible_to(personas["county_officer"]))
    assert village == {visit.people["sampled"]}
    assert county == set(visit.people.values())
    assert personas["county_officer"].person_grants() is None


def test_the_menu_offers_the_person_lists_only_during_a_visit(visit, personas, signed_in_client):
    persons = reverse("people:person_list")
    with time_machine.travel(DAY - timedelta(days=1), tick=False):
        home = signed_in_client(personas["inspector"]).get(reverse("home")).content.decode()
        assert f'href="{persons}"' not in home
        assert f'href="{reverse("supervision:inspection_list")}"' in home
    with time_machine.travel(DAY, tick=False):
        home = signed_in_client(personas["inspector"]).get(reverse("home")).content.decode()
        assert f'href="{persons}"' in home


# The modules 人口变动, 孕前优生 and 生殖健康: their person lists follow the visit; their
# aggregate pages (counts only, computed over the unit's subtree) stay, without the links to
# person lists or name lists and with small counts suppressed outside a visit.
PERSON_PAGES = ("events:event_list", "programs:couple_list", "programs:rh_check_list")
AGGREGATE_PAGES = (
    "events:monthly_overview",
    "programs:target_list",
    "programs:coverage",
    "programs:rh_counts",
)


def _menu(client) -> str:
    return client.get(reverse("home")).content.decode()


def test_the_three_modules_keep_their_aggregates_and_offer_person_lists_only_in_a_visit(
    visit, personas, signed_in_client
):
    with time_machine.travel(DAY - timedelta(days=1), tick=False):
        client = signed_in_client(personas["inspector"])
        home = _menu(client)
        for name in PERSON_PAGES:
            assert f'href="{reverse(name)}"' not in home, name
        for name in AGGREGATE_PAGES:
            assert f'href="{reverse(name)}"' in home, name
            page = client.get(reverse(name))
            assert page.status_code == 200, name
            body = page.content.decode()
            for person_page in (*PERSON_PAGES, "programs:followup_due"):
                assert f'href="{reverse(person_page)}"' not in body, (name, person_page)
            assert reverse("programs:names", args=[TOWNSHIP_A]) not in body, name
            assert reverse("events:monthly_report", args=[VILLAGE_A1]) not in body, name
    with time_machine.travel(DAY, tick=False):
        client = signed_in_client(personas["inspector"])
        home = _menu(client)
        for name in (*PERSON_PAGES, *AGGREGATE_PAGES):
            assert f'href="{reverse(name)}"' in home, name
        coverage = client.get(reverse("programs:coverage")).content.decode()
        assert f'href="{reverse("programs:couple_list")}"' in coverage
        targets = client.get(reverse("programs:target_list")).content.decode()
        assert reverse("programs:names", args=[TOWNSHIP_A]) in targets
        monthly = client.get(reverse("events:monthly_overview")).content.decode()
        assert reverse("events:monthly_report", args=[VILLAGE_A1]) in monthly
