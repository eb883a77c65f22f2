"""孩次 by the statistical counting rules (docs/indicators.md §4.2), each rule on a hand-made
family. The expected 孩次 is worked out from the rule in the comment, not read from the code."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from conftest import VILLAGE_A1, VILLAGE_B1
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.events import services, tally
from renkou.events.constants import Kind, Status
from renkou.events.models import Event
from renkou.events.tests.test_core import TODAY, add
from renkou.people.models import Child, Person, WomanCard
from renkou.people.services import person_exit

BIRTH_DAY = date(2024, 3, 1)


@pytest.fixture
def officer(personas):
    return Actor(personas["township_officer"])


def wife(name="卓玛", born=date(1990, 3, 1)):
    return add(
        name, "2", born, VILLAGE_A1, marital_status="22", first_marriage_date=date(2010, 1, 1)
    )


def husband(name="扎西", born=date(1988, 7, 9)):
    return add(
        name, "1", born, VILLAGE_A1, marital_status="22", first_marriage_date=date(2009, 1, 1)
    )


def child_of(name, born, *, mother=None, father=None, sex="1", village=VILLAGE_A1):
    child = add(name, sex, born, village)
    Person.objects.filter(pk=child.pk).update(
        mother=mother.pk if mother else None, father=father.pk if father else None
    )
    return child


def adopted(mother, name, born):
    card, _ = WomanCard.objects.get_or_create(
        person=mother, defaults={"unit_code": mother.unit_code, "opened_on": date(2015, 1, 1)}
    )
    return Child.objects.create(
        card=card,
        unit_code=mother.unit_code,
        parity=1,
        name=name,
        sex="2",
        birth_date=born,
        kinship="4",  # 非本人及配偶亲生: a legally adopted child
    )


def birth(officer, mother, father, **extra):
    details = services.Details(partner=father, child_name="新生儿", sex="2", **extra)
    return services.record(
        actor=officer,
        kind=Kind.BIRTH,
        person=mother,
        effective_date=BIRTH_DAY,
        today=TODAY,
        details=details,
    )


def test_r1_a_remarried_couple_counts_each_spouses_children_of_earlier_marriages(units, officer):
    mother, father = wife(), husband()
    other_man, other_woman = husband("前夫"), wife("前妻")
    child_of("前婚子", date(2011, 5, 1), mother=other_woman, father=father)  # his, earlier marriage
    child_of("前婚女", date(2013, 6, 1), mother=mother, father=other_man, sex="2")  # hers
    # Two existing children of the two spouses: the new birth is their third child.
    assert birth(officer, mother, father).parity == 3


def test_r2_r6_a_birth_after_a_legal_adoption_is_the_second_child(units, officer):
    mother, father = wife(), husband()
    adopted(mother, "养女", date(2016, 2, 1))
    # 统计口径 #3: 合法收养后又生育的，按第二孩统计.
    assert birth(officer, mother, father).parity == 2


def test_r3_a_child_who_died_before_the_birth_is_not_counted(units, officer):
    mother, father = wife(), husband()
    first = child_of("长子", date(2015, 1, 1), mother=mother, father=father)
    services.record(
        actor=officer, kind=Kind.DEATH, person=first, effective_date=date(2020, 1, 1), today=TODAY
    )
    # The only child died: no existing child, so the birth is a first child.
    assert birth(officer, mother, father).parity == 1


def test_r4_a_child_who_married_out_still_counts(units, officer):
    mother, father = wife(born=date(1976, 1, 1)), husband(born=date(1975, 1, 1))
    daughter = child_of("外嫁女", date(1998, 1, 1), mother=mother, father=father, sex="2")
    person_exit(actor=officer, person=daughter, on=date(2021, 5, 1), reason="2")  # 迁出
    # She left the register but exists: the birth is the couple's second child.
    assert birth(officer, mother, father).parity == 2


def test_r5_a_non_marital_birth_counts_the_mothers_children(units, officer):
    mother = add("央金", "2", date(1992, 1, 1), VILLAGE_A1)
    some_man = husband("某男")
    child_of("其子", date(2012, 1, 1), mother=None, father=some_man)  # not hers
    child_of("她的孩子", date(2018, 1, 1), mother=mother, father=None, sex="2")
    # No father: the mother's one child counts, the man's child does not → second child.
    assert birth(officer, mother, None).parity == 2


def test_the_whole_family_together_and_the_event_page_explains_it(
    units, personas, officer, signed_in_client, client
):
    mother, father = wife(), husband()
    other_man, other_woman = husband("前夫"), wife("前妻")
    child_of("前婚子", date(2011, 5, 1), mother=other_woman, father=father, village=VILLAGE_B1)
    child_of("前婚女", date(2013, 6, 1), mother=mother, father=other_man, sex="2")
    adopted(mother, "养女", date(2014, 2, 1))
    out = child_of("外嫁女", date(2000, 1, 1), mother=mother, father=father, sex="2")
    person_exit(actor=officer, person=out, on=date(2020, 5, 1), reason="2")
    dead = child_of("夭折子", date(2016, 1, 1), mother=mother, father=father)
    services.record(
        actor=officer, kind=Kind.DEATH, person=dead, effective_date=date(2017, 1, 1), today=TODAY
    )
    twin = child_of("前婚子", date(2011, 5, 1), mother=other_woman, father=father)
    person_exit(actor=officer, person=twin, on=date(2019, 1, 1), reason="4")  # a duplicate row
    # 前婚子 + 前婚女 + 养女 + 外嫁女 = 4 existing children (夭折子 dead, the duplicate no child).
    event = birth(officer, mother, father)
    assert event.parity == 5
    signed_in_client(personas["county_officer"])
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert "孩次怎么算的" in html
    assert html.count("<strong>计入</strong>") == 4
    assert "已死亡（R3）" in html and "合法收养子女，计入（R2）" in html


def test_a_typed_parity_that_differs_needs_a_reason_which_is_audited(units, officer):
    mother, father = wife(), husband()
    child_of("长女", date(2015, 1, 1), mother=mother, father=father, sex="2")
    with pytest.raises(ValidationError) as caught:
        birth(officer, mother, father, parity=1)
    assert "第2孩" in str(caught.value)
    assert not Event.objects.filter(kind=Kind.BIRTH).exists()  # nothing written
    event = birth(officer, mother, father, parity=3, parity_reason="另有一子在外县登记")
    assert (event.parity, event.parity_reason) == (3, "另有一子在外县登记")
    log = AuditEntry.objects.get(action="event.parity_override")
    assert log.object_id == str(event.pk) and log.reason == "另有一子在外县登记"


def test_an_unknown_parity_is_its_own_category_never_a_first_child(units, officer):
    mother = wife()
    event = Event.objects.create(
        kind=Kind.BIRTH,
        person=mother,
        effective_date=BIRTH_DAY,
        reported_date=BIRTH_DAY,
        unit_code=VILLAGE_A1,
        reg_code=VILLAGE_A1,
        res_code=VILLAGE_A1,
        man_code=VILLAGE_A1,
        sex="1",
        parity=None,  # e.g. an old record loaded without 孩次
        status=Status.CONFIRMED,
    )
    measures = tally.event_measures(event)
    assert "birth_pu" in measures and "birth_pu_m" in measures
    assert not any(m.startswith(("birth_p1", "birth_p2", "birth_p3")) for m in measures)
