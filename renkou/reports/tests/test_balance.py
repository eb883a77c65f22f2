"""The population balance (人口变动平衡, issue 13 item 1): for every unit, period and scope
期初 + 出生 − 死亡 + 迁入 − 迁出 (+ 流入 − 流出) + 其他变动 = 期末, over random event streams with
corrections, voids, duplicate merges, register exits and late registrations."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from conftest import OTHER_COUNTY, VILLAGE_A1, VILLAGE_A2
from renkou.common.actors import Actor
from renkou.common.periods import fp_half, fp_year, month, quarter
from renkou.events import services, tally
from renkou.events.constants import Kind, Scope
from renkou.people.duplicates import duplicate_merge
from renkou.people.models import DuplicateCandidate, Person
from renkou.people.services import person_exit
from renkou.reports.indicators import BY_CODE, evaluate
from renkou.reports.selectors import part_count, parts
from renkou.reports.tests.test_indicators import (
    COUNTY,
    KINDS,
    TA,
    TB,
    TODAY,
    VILLAGES,
    _details,
    _register,
    add,
    people_st,
)

R, S, M = Scope.REGISTERED, Scope.RESIDENT, Scope.MANAGED
TERMS = (
    "population_start",
    "births",
    "deaths",
    "moves_in",
    "moves_out",
    "flows_in",
    "flows_out",
    "other_changes",
    "population_end",
)
PERIODS = (
    fp_year(2024),
    fp_half(2024, 1),
    fp_half(2024, 2),
    quarter(2024, 1),
    month(2023, 12),
    month(2024, 3),
    month(2024, 7),
)
UNITS = (COUNTY, TA, TB, *VILLAGES)


def balance_of(prefix, period, scope):
    figs = evaluate(TERMS, prefix=prefix, period=period, scope=scope)[prefix]
    return {code: figs[code].value for code in TERMS}


def closes(b, scope) -> bool:
    """期初 + 出生 − 死亡 + 迁入 − 迁出 (+ 流入 − 流出 resident, + 流入 managed) + 其他 = 期末."""
    flows = {R: 0, S: b["flows_in"] - b["flows_out"], M: b["flows_in"]}[scope]
    change = b["births"] - b["deaths"] + b["moves_in"] - b["moves_out"] + b["other_changes"]
    return b["population_start"] + change + flows == b["population_end"]


def check_every_balance():
    for scope in (R, S, M):
        for period in PERIODS:
            for prefix in UNITS:
                b = balance_of(prefix, period, scope)
                assert closes(b, scope), (scope, period.code, prefix, b)


def _lists_give_back_the_other_changes(scope, period, prefix):
    ind = BY_CODE["other_changes"]
    fig = evaluate(["other_changes"], prefix=prefix, period=period, scope=scope)[prefix]
    listed = sum(
        p.sign * part_count(p, scope=scope, prefix=prefix, period=period)
        for p in parts(ind, "numerator")
    )
    assert listed == fig["other_changes"].numerator


# --- hand-made cases -------------------------------------------------------------------------


@pytest.fixture
def officer(personas):
    return Actor(personas["county_officer"])


def test_a_death_recorded_as_an_event_closes_and_a_register_death_exit_is_refused(units, officer):
    old = add("老人", "1", date(1940, 5, 1), VILLAGE_A1)
    with pytest.raises(ValidationError) as caught:
        person_exit(actor=officer, person=old, on=date(2024, 3, 1), reason="3")
    assert "死亡" in caught.value.messages[0]
    assert Person.objects.get(pk=old.pk).exited_at is None  # nothing changed
    services.record(
        actor=officer, kind=Kind.DEATH, person=old, effective_date=date(2024, 3, 1), today=TODAY
    )
    b = balance_of(COUNTY, fp_year(2024), R)
    assert (b["population_start"], b["deaths"], b["other_changes"], b["population_end"]) == (
        1,
        1,
        0,
        0,
    )


def test_other_changes_list_what_no_event_explains(units, officer):
    """An exit without an event (迁出 by the register), a person entered by the register who was
    born in the period (no birth event) and a duplicate removed: each is an other change, listed
    by name, and the balance closes."""
    moved = add("甲", "1", date(1980, 1, 1), VILLAGE_A1)
    add("乙", "2", date(2024, 2, 10), VILLAGE_A2)  # a late registration of a baby
    first = add("丙", "1", date(1990, 1, 1), VILLAGE_A1)
    second = add("丙", "1", date(1990, 1, 1), VILLAGE_A1)
    person_exit(actor=officer, person=moved, on=date(2024, 4, 2), reason="2")
    candidate = DuplicateCandidate.objects.create(
        first=first, second=second, unit_code=VILLAGE_A1, reason="name_birth"
    )
    duplicate_merge(actor=officer, candidate=candidate, keep_id=first.pk, today=date(2024, 5, 1))
    period = fp_year(2024)
    b = balance_of(COUNTY, period, R)
    # 期初 甲 丙 丙′ = 3 (the duplicate never counted: 2); 期末 乙 丙 = 2.
    assert b["population_start"] == 2
    assert b["population_end"] == 2
    assert b["births"] == 0 and b["moves_out"] == 0
    assert b["other_changes"] == 0  # +1 乙 (late registration) − 1 甲 (exit without event)
    lists = {
        p.measure: part_count(p, scope=R, prefix=COUNTY, period=period)
        for p in parts(BY_CODE["other_changes"], "numerator")
    }
    assert lists == {tally.OTHER_IN: 1, tally.OTHER_OUT: 1}
    check_every_balance()


# --- the property -----------------------------------------------------------------------------

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from((*KINDS, "void", "correct", "merge", "exit", "late")),
        st.integers(0, 6),
        st.dates(date(2023, 8, 1), date(2024, 10, 31)),
        st.integers(0, 3),
        st.sampled_from("12"),
        st.sampled_from(("1", "2", "")),
    ),
    max_size=10,
)


def _act(officer, persons, recorded, action):
    kind, who, day, to, sex, policy = action
    person = Person.objects.get(pk=persons[who % len(persons)].pk)
    if kind == "void" and recorded:
        services.void(actor=officer, event=recorded.pop(), reason="测试作废", today=TODAY)
    elif kind == "correct" and recorded:
        old = recorded.pop()
        subject = Person.objects.get(pk=old.person_id)
        details = _details(old.kind, to, sex, policy, subject)
        recorded.append(
            services.correct(
                actor=officer,
                event=old,
                reason="测试更正",
                effective_date=day,
                details=details,
                today=TODAY,
            )
        )
    elif kind == "merge":
        other = Person.objects.get(pk=persons[(who + 1) % len(persons)].pk)
        if other.pk == person.pk:
            return
        pair, _ = DuplicateCandidate.objects.get_or_create(  # the pair may come up twice
            first=person,
            second=other,
            reason="name_birth",
            defaults={"unit_code": person.unit_code},
        )
        duplicate_merge(actor=officer, candidate=pair, keep_id=person.pk, today=day)
    elif kind == "exit":
        person_exit(actor=officer, person=person, on=day, reason="2")
    elif kind == "late":
        persons.append(add("补", sex, day, VILLAGES[to]))
    elif kind in KINDS:
        recorded.append(
            services.record(
                actor=officer,
                kind=kind,
                person=person,
                effective_date=day,
                today=TODAY,
                details=_details(kind, to, sex, policy, person),
            )
        )


@hsettings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=people_st, actions=ACTIONS)
def test_the_balance_closes_for_every_unit_period_and_scope(units, personas, people, actions):
    officer = Actor(personas["county_officer"])
    with transaction.atomic():
        persons = _register(people)
        recorded: list = []
        for action in sorted(actions, key=lambda a: a[2]):
            try:
                with transaction.atomic():
                    _act(officer, persons, recorded, action)
            except ValidationError:
                continue  # an action the register refuses (e.g. a dead person's move)
        check_every_balance()
        for scope in (R, S, M):
            _lists_give_back_the_other_changes(scope, fp_year(2024), COUNTY)
        transaction.set_rollback(True)


# --- the page -----------------------------------------------------------------------------------


def test_the_balance_page_shows_each_township_and_drills_down_to_the_other_changes(
    units, personas, signed_in_client, client
):
    officer = Actor(personas["county_officer"])
    moved = add("甲", "1", date(1980, 1, 1), VILLAGE_A1)
    add("乙", "2", date(1985, 1, 1), VILLAGE_A2)
    person_exit(actor=officer, person=moved, on=date(2024, 4, 2), reason="2")
    signed_in_client(personas["county_officer"])
    params = {"year": "2024", "part": "fp", "scope": "registered"}
    response = client.get(reverse("reports:balance"), params)
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", html, re.S)
    cells = {
        name: [
            re.sub(r"<[^>]+>|（不计入）", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        ]
        for name, body in rows
    }
    # 地区 | 期初 出生 死亡 迁入 迁出 流入 流出 其他 期末 | 差额: 甲 left by the register form.
    assert cells["甲镇"] == ["2", "0", "0", "0", "0", "0", "0", "-1", "1", "0"]
    assert cells["乙乡"] == ["0"] * 10
    assert cells[next(n for n in cells if n.endswith("（合计）"))][-3:] == ["-1", "1", "0"]
    link = re.search(r'href="([^"]*indicator=other_changes[^"]*)"', html).group(1)
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    tab = re.search(r'href="(\?[^"]*)"[^>]*>分子：减：其他减少', listed).group(1)
    text = client.get(link.split("?")[0] + tab.replace("&amp;", "&")).content.decode()
    assert "户籍退出（迁出），未登记相应变动" in text
    assert "2024-04-02" in text


def test_the_balance_page_of_a_unit_outside_the_subtree_is_404(
    units, personas, signed_in_client, client
):
    signed_in_client(personas["township_officer"])
    response = client.get(reverse("reports:balance"), {"unit": OTHER_COUNTY, "year": "2024"})
    assert response.status_code == 404
