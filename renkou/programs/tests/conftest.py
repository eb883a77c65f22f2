"""Builders for the pre-pregnancy exam tests: persons of the test county, the county service
centre, and one step of the service each (through the services, as a user would)."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.core.cache import cache

from conftest import COUNTY, VILLAGE_A1, VILLAGE_A2
from renkou.common.actors import Actor
from renkou.common.models import DictType
from renkou.geo.models import ServicePoint, Unit
from renkou.people.cards import card_sync
from renkou.people.models import Child, ContraceptionEpisode, Person, Pregnancy
from renkou.people.services import person_exit, person_register
from renkou.programs import services
from renkou.programs.constants import RISK_DICT, RiskCategory, result_items

TODAY = date(2026, 11, 29)
YEAR = 2026  # FP year 2026: 2025-10-01 to 2026-09-30
DAY = date(2025, 10, 1)  # the day the FP-2026 target population is counted on


@pytest.fixture(autouse=True)
def risk_dictionary(db):
    """The risk-factor list seeded by migration 0002 (a transactional test elsewhere may have
    flushed it)."""
    if not DictType.objects.filter(code=RISK_DICT).exists():
        module = importlib.import_module("renkou.programs.migrations.0002_risk_dictionary")
        module.forward(apps, None)
        cache.clear()


def add(name: str, sex: str, born: date, village: str, **extra) -> Person:
    values = {
        "name": name,
        "sex": sex,
        "birth_date": born,
        "registered_code": village,
        "residence_code": village,
        "marital_status": "21",
        "ethnicity": "01",
        "relationship": "02",
    }
    values.update(extra)
    return person_register(actor=Actor(None), household=None, values=values, today=TODAY)


def wed(wife: Person, husband: Person) -> None:
    Person.objects.filter(pk=wife.pk).update(spouse=husband)
    Person.objects.filter(pk=husband.pk).update(spouse=wife)
    wife.spouse, husband.spouse = husband, wife


@pytest.fixture
def point(units) -> ServicePoint:
    county = Unit.objects.get(code=COUNTY)
    return ServicePoint.objects.create(
        unit=county, kind=ServicePoint.Kind.COUNTY_CENTRE, name="测试县计划生育服务中心"
    )


@pytest.fixture
def staff(personas) -> dict[str, Actor]:
    return {role: Actor(user, "10.0.0.1") for role, user in personas.items()}


def open_file(actor, wife, husband=None, *, on: date, sequence: int = 1, **extra):
    return services.couple_open(
        actor=actor, wife=wife, husband=husband, sequence=sequence, consent_on=on, today=on, **extra
    )


def confirm(actor, couple, on: date):
    return services.couple_confirm(actor=actor, couple=couple, on=on, notice_no="TZ-001", today=on)


def examine(actor, couple, spouse: str, on: date, point, abnormal=()):
    items = {
        i.code: services.ItemValue(i.code in abnormal, "异常" if i.code in abnormal else "未见异常")
        for i in result_items(spouse)
    }
    return services.exam_record(
        actor=actor,
        couple=couple,
        spouse=spouse,
        examined_on=on,
        service_point=point,
        examiner="李医生",
        items=items,
        today=on,
    )


def assess(actor, exam, on: date, factors=()):
    category = RiskCategory.HIGH if factors else RiskCategory.GENERAL
    values = {
        "assessed_on": on,
        "category": category,
        "factors": list(factors),
        "counselled_on": on,
        "counselling": "face" if factors else "phone",
    }
    return services.assessment_record(actor=actor, exam=exam, values=values, today=on)


def pregnant(actor, couple, lmp: date, recorded: date):
    return services.pregnancy_record(
        actor=actor, couple=couple, lmp_on=lmp, recorded_on=recorded, today=recorded
    )


def follow(actor, row, done: date, **values):
    values = {"done_on": done, "method": "phone", **values}
    return services.followup_record(actor=actor, followup=row, values=values, today=done)


@pytest.fixture
def scenario(units, staff, point):
    """Hand-built township A (villages A1, A2) and township B for FP year 2026 (counted on
    2025-10-01); the expected figures are worked out in test_figures.py."""
    t, tech, v = staff["township_officer"], staff["technician"], staff["village_admin"]
    w = {
        "w1": add("一号", "2", date(1995, 1, 1), VILLAGE_A1),
        "w2": add("二号", "2", date(1990, 1, 1), VILLAGE_A1),
        "w3": add("三号", "2", date(1992, 1, 1), VILLAGE_A2),
        "w4": add("四号", "2", date(1988, 1, 1), VILLAGE_A2),
        "w5": add("五号", "2", date(2006, 1, 1), VILLAGE_A1),
        "w6": add("六号", "2", date(1980, 6, 1), "620001101201"),
        "w7": add("七号", "2", date(1995, 1, 1), VILLAGE_A1, marital_status="10"),
        "w8": add("八号", "2", date(1993, 1, 1), VILLAGE_A2, registered_code="622921100201"),
        "w9": add("九号", "2", date(1991, 1, 1), VILLAGE_A1),
        "w10": add("十号", "2", date(1994, 1, 1), VILLAGE_A1),
        "w11": add("十一号", "2", date(1975, 10, 1), VILLAGE_A1),
        "w12": add("十二号", "2", date(1975, 10, 2), VILLAGE_A1),
        "w13": add("十三号", "2", date(1990, 5, 5), VILLAGE_A1),
        "w14": add("十四号", "2", date(1990, 5, 5), VILLAGE_A1),
    }
    h = {
        key: add(
            f"{w[key].name}夫", "1", date(1990, 1, 1), w[key].residence_code, relationship="10"
        )
        for key in ("w1", "w6", "w8", "w10")
    }
    for key, man in h.items():
        wed(w[key], man)
    ContraceptionEpisode.objects.create(
        card=w["w2"].card, unit_code=VILLAGE_A1, method="03", start=date(2020, 1, 1)
    )
    ContraceptionEpisode.objects.create(
        card=w["w9"].card, unit_code=VILLAGE_A1, method="00", start=date(2024, 1, 1)
    )
    Child.objects.create(
        card=w["w3"].card,
        unit_code=VILLAGE_A2,
        parity=1,
        name="三号子",
        sex="1",
        birth_date=date(2025, 3, 1),
    )
    Pregnancy.objects.create(card=w["w4"].card, unit_code=VILLAGE_A2, detected_on=date(2025, 8, 1))
    person_exit(actor=t, person=w["w13"], on=date(2026, 1, 1), reason="2")
    died(w["w14"], date(2025, 6, 1))
    c = {}
    # c1: both spouses examined in November 2025; the wife is high risk.
    c["c1"] = open_file(v, w["w1"], h["w1"], on=date(2025, 10, 20))
    confirm(t, c["c1"], date(2025, 10, 25))
    examine(tech, c["c1"], "husband", date(2025, 11, 9), point)
    wife_exam = examine(tech, c["c1"], "wife", date(2025, 11, 10), point, abnormal={10})
    assess(tech, wife_exam, date(2025, 11, 15), factors=["3"])
    assess(tech, c["c1"].exams.get(spouse="husband"), date(2025, 11, 15))
    # c2: husband from outside the county; pregnant, early follow-up in time.
    c["c2"] = open_file(
        v,
        w["w9"],
        on=date(2026, 1, 20),
        husband_name="马福禄",
        husband_id_number="622921199202023294",
    )
    confirm(t, c["c2"], date(2026, 1, 25))
    assess(tech, examine(tech, c["c2"], "wife", date(2026, 2, 1), point), date(2026, 2, 5))
    early, _ = pregnant(v, c["c2"], date(2026, 3, 1), date(2026, 4, 10))
    follow(v, early, date(2026, 5, 20))
    # c3: township B, examined on the last day of the year, not assessed.
    c["c3"] = open_file(t, w["w6"], h["w6"], on=date(2026, 9, 1))
    confirm(t, c["c3"], date(2026, 9, 2))
    examine(tech, c["c3"], "wife", date(2026, 9, 30), point)
    # c4: examined in FP year 2025, still open; its follow-ups were never done.
    c["c4"] = open_file(v, w["w10"], h["w10"], on=date(2025, 4, 20))
    confirm(t, c["c4"], date(2025, 4, 25))
    assess(tech, examine(tech, c["c4"], "wife", date(2025, 5, 1), point), date(2025, 5, 5))
    pregnant(v, c["c4"], date(2025, 6, 1), date(2025, 7, 15))
    # c5: an inflow wife in A2; high risk; early follow-up late, outcome recorded.
    c["c5"] = open_file(v, w["w8"], h["w8"], on=date(2025, 10, 5))
    confirm(t, c["c5"], date(2025, 10, 6))
    exam = examine(tech, c["c5"], "wife", date(2025, 10, 15), point)
    assess(tech, exam, date(2025, 10, 20), factors=["8"])
    early, outcome = pregnant(v, c["c5"], date(2025, 11, 1), date(2025, 12, 15))
    follow(v, early, date(2026, 2, 10))
    follow(
        t,
        outcome,
        date(2026, 8, 20),
        outcome="1",
        outcome_on=date(2026, 8, 10),
        birth_weight=3300,
        birth_defect=False,
    )
    for couple in c.values():
        couple.refresh_from_db()
    return {**w, **{f"h_{k}": v for k, v in h.items()}, **c}


def died(person: Person, on: date) -> None:
    """The register as a death event leaves it (events are a layer beside programs): closed
    with reason 死亡 on the day, the card closed with it."""
    person.refresh_from_db()
    person.exited_at, person.exit_reason, person.is_head = on, "3", False
    person.version += 1
    person.save()
    card_sync(person, day=on)
