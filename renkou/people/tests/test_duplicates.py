"""Duplicate queue: the three rules, merge (links, card, exit, history, audit), 不是同一人, and
the queue's scope."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, VILLAGE_B2
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.people import duplicates
from renkou.people.constants import CardStatus
from renkou.people.models import Child, ContraceptionEpisode, DuplicateCandidate, Person
from renkou.people.tests.quality_data import card, household, person, valid_id

M, F = "1", "2"
Reason = DuplicateCandidate.Reason


@pytest.fixture
def people(units):
    """Three true pairs (one per rule), a township-B pair, and two look-alikes that are not."""
    # fmt: off
    same = valid_id(date(1985, 5, 5), F)
    a = person(VILLAGE_A1, household(VILLAGE_A1, 1), "王丽", F, date(1985, 5, 5),
               relationship="02", number=same, marital_status="21",
               first_marriage_date=date(2008, 1, 1))
    card(a)
    home_b = household(VILLAGE_B1, 1)
    b = person(VILLAGE_B1, home_b, "王丽", F, date(1985, 5, 5), relationship="02", number=same,
               marital_status="21", first_marriage_date=date(2008, 1, 1), phone="13912345678")
    husband = person(VILLAGE_B1, home_b, "李强", M, date(1983, 3, 3), relationship="11",
                     number=None, marital_status="21", spouse=b)
    b.spouse = husband
    b.save()
    son = person(VILLAGE_B1, home_b, "李军", M, date(2010, 1, 1), mother=b, father=husband)
    b_card = card(b)
    Child.objects.create(card=b_card, person=son, unit_code=VILLAGE_B1, parity=1, name="李军",
                         sex=M, birth_date=date(2010, 1, 1))
    ContraceptionEpisode.objects.create(card=b_card, unit_code=VILLAGE_B1, method="03",
                                        start=date(2011, 1, 1))
    grandma = person(VILLAGE_B2, household(VILLAGE_B2, 1), "王母", F, date(1960, 1, 1),
                     relationship="02", marital_status="21")
    Child.objects.create(card=card(grandma), person=b, unit_code=VILLAGE_B2, parity=1,
                         name="王丽", sex=F, birth_date=date(1985, 5, 5))
    mother = person(VILLAGE_A1, household(VILLAGE_A1, 2), "卓玛", F, date(1990, 1, 1),
                    relationship="02", marital_status="21")
    twice = [person(VILLAGE_A1, mother.household, "才让", M, date(2015, 1, 1), mother=mother,
                    number=n) for n in (None, "")]
    homophones = [person(village, household(village, 5), name, F, date(2000, 2, 2))
                  for village, name in ((VILLAGE_A1, "张丽"), (VILLAGE_A2, "章丽"))]
    for village, name in ((VILLAGE_A1, "张丽"), (VILLAGE_A2, "章丽")):  # two valid, distinct IDs
        person(village, household(village, 6), name, F, date(1999, 9, 9), number=None)
    for village, name in ((VILLAGE_A1, "张丽"), (VILLAGE_B1, "章丽")):  # different townships
        person(village, household(village, 7), name, F, date(2001, 1, 1))
    b_pair = [person(village, household(village, 8), "多杰", M, date(2010, 10, 10))
              for village in (VILLAGE_B1, VILLAGE_B2)]
    # fmt: on
    duplicates.duplicates_scan()
    return {
        "a": a,
        "b": b,
        "husband": husband,
        "son": son,
        "grandma": grandma,
        "twice": twice,
        "homophones": homophones,
        "b_pair": b_pair,
    }


def _pair(*persons) -> DuplicateCandidate:
    first, second = sorted(p.pk for p in persons)
    return DuplicateCandidate.objects.get(first_id=first, second_id=second)


def test_the_scan_finds_each_rule_once(people):
    found = {(c.reason, c.unit_code) for c in DuplicateCandidate.objects.all()}
    assert found == {
        (Reason.SAME_ID, COUNTY),
        (Reason.SAME_NAME_BIRTH_MOTHER, VILLAGE_A1),
        (Reason.SAME_PINYIN_BIRTH, TOWNSHIP_A),
        (Reason.SAME_PINYIN_BIRTH, TOWNSHIP_B),
    }
    assert _pair(people["a"], people["b"]).reason == Reason.SAME_ID
    assert _pair(*people["twice"]).reason == Reason.SAME_NAME_BIRTH_MOTHER
    assert _pair(*people["homophones"]).reason == Reason.SAME_PINYIN_BIRTH
    assert duplicates.duplicates_scan() == 0
    assert AuditEntry.objects.filter(action="duplicate.scan").count() == 2


def test_merge_moves_links_and_exits_the_duplicate(people, personas, signed_in_client):
    a, b = people["a"], people["b"]
    pair = _pair(a, b)
    client = signed_in_client(personas["county_officer"])
    page = client.get(reverse("people:duplicate_detail", args=[pair.pk])).content.decode()
    assert a.id_number not in page and a.id_number[:4] + "*" * 10 in page
    response = client.post(reverse("people:duplicate_merge", args=[pair.pk]), {"keep": a.pk})
    assert response.status_code == 302
    b.refresh_from_db()
    a.refresh_from_db()
    assert (b.exit_reason, b.exited_at is not None, b.is_head) == ("4", True, False)
    assert b.history.first().exit_reason == "4" and b.history.count() >= 2
    assert a.spouse_id == people["husband"].pk and a.phone == "13912345678"
    people["husband"].refresh_from_db()
    people["son"].refresh_from_db()
    assert people["husband"].spouse_id == a.pk and people["son"].mother_id == a.pk
    assert Child.objects.get(card__person=people["grandma"]).person_id == a.pk
    assert list(a.card.children.values_list("name", flat=True)) == ["李军"]
    assert a.card.episodes.count() == 1 and a.card.status == CardStatus.OPEN
    assert b.card.status == CardStatus.CLOSED
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.MERGED
    entry = AuditEntry.objects.get(action="person.merge")
    assert entry.object_id == str(a.pk) and f"duplicate={b.pk}" in entry.summary
    assert "王丽" not in entry.summary and a.id_number not in entry.summary


def test_merge_takes_over_the_household_of_the_duplicate(people):
    kept, dropped = people["twice"][1], people["twice"][0]  # keep the one without an ID
    kept.household = None
    kept.save()
    duplicates.duplicate_merge(actor=Actor(None), candidate=_pair(kept, dropped), keep_id=kept.pk)
    kept.refresh_from_db()
    assert kept.household_id == dropped.household_id and kept.id_number == dropped.id_number
    assert kept.id_index == dropped.id_index and kept.id_status == "ok"


def test_not_the_same_person_closes_the_pair(people, personas, signed_in_client):
    pair = _pair(*people["homophones"])
    client = signed_in_client(personas["county_officer"])
    assert client.post(reverse("people:duplicate_distinct", args=[pair.pk])).status_code == 302
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.DISTINCT and pair.resolved_by_id
    assert AuditEntry.objects.filter(action="person.duplicate_distinct").count() == 1
    assert duplicates.duplicates_scan() == 0
    with pytest.raises(ValidationError):
        duplicates.duplicate_merge(actor=Actor(None), candidate=pair, keep_id=pair.first_id)
    assert Person.objects.present().filter(pk__in=[pair.first_id, pair.second_id]).count() == 2


def test_merge_needs_one_of_the_pair(people):
    pair = _pair(*people["b_pair"])
    with pytest.raises(ValidationError):
        duplicates.duplicate_merge(actor=Actor(None), candidate=pair, keep_id=people["a"].pk)


def test_township_officer_sees_only_the_township_queue(people, personas, signed_in_client):
    client = signed_in_client(personas["township_officer"])
    listed = client.get(reverse("people:duplicate_list")).context["page"].object_list
    assert {p.unit_code for p in listed} == {VILLAGE_A1, TOWNSHIP_A}
    for other in (_pair(*people["b_pair"]), _pair(people["a"], people["b"])):
        assert client.get(reverse("people:duplicate_detail", args=[other.pk])).status_code == 404
    mine = _pair(*people["homophones"])
    assert client.get(reverse("people:duplicate_detail", args=[mine.pk])).status_code == 200
    url = reverse("people:duplicate_merge", args=[mine.pk])
    assert client.post(url, {"keep": mine.first_id}).status_code == 403
    assert client.post(reverse("people:duplicate_distinct", args=[mine.pk])).status_code == 403
    county = signed_in_client(personas["county_officer"])
    assert county.get(reverse("people:duplicate_list")).context["page"].paginator.count == 4
