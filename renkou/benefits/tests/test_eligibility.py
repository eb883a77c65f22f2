"""Seeded programmes, rule versions by effective date, stored decisions that replay, amounts,
rule management and the screening list."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from renkou.benefits import amounts, eligibility
from renkou.benefits.facts import Case
from renkou.benefits.models import Decision, RuleVersion
from renkou.benefits.tests.conftest import actor, child, couple, person
from renkou.common import rules

DAY = date(2026, 3, 1)


def _verdict(programs, code, who, day=DAY, **declared):
    return eligibility.check(programs[code], Case(who, day, declared=declared))


def test_seeded_amounts_by_date(programs):
    # 奖扶 600 a year from 2004, 960 from 2012; 特扶 590/460 a month from 2022-07-01.
    assert amounts.amount_on(programs["jiangfu"], date(2011, 12, 31)).fen == 60000
    assert amounts.amount_on(programs["jiangfu"], date(2012, 1, 1)).fen == 96000
    assert amounts.amount_on(programs["tefu_died"], date(2022, 6, 30)).fen == 13500
    assert amounts.amount_on(programs["tefu_died"], date(2022, 7, 1)).fen == 59000
    assert amounts.amount_on(programs["tefu_disabled"], date(2022, 7, 1)).fen == 46000
    assert amounts.amount_on(programs["tefu_complication"], DAY, "2").fen == 39000
    assert amounts.amount_on(programs["childcare"], date(2024, 12, 31)) is None
    assert amounts.amount_on(programs["childcare"], date(2025, 1, 1)).fen == 360000


def test_jiangfu_for_a_rural_couple_with_one_child(programs, units):
    husband, wife = couple(husband_born=date(1966, 2, 1), wife_born=date(1968, 1, 1))
    child(wife, 1, "1", date(1990, 1, 1))
    verdict = _verdict(programs, "jiangfu", husband)
    assert verdict.result.verdict == rules.PASS
    assert verdict.version.number == 1 and verdict.amount.fen == 96000
    # The wife is 58: not yet.
    assert _verdict(programs, "jiangfu", wife).result.verdict == rules.FAIL
    ages = [r for r in rules.conditions(verdict.result.trace) if r.get("fact") == "age"]
    assert ages[0]["actual"] == 60 and ages[0]["verdict"] == rules.PASS
    # On a page the condition shows whether it holds, not the age (docs/masking.md).
    shown = [r for r in verdict.rows if r.get("fact") == "age"]
    assert shown[0]["actual"] == "（不显示）" and shown[0]["verdict"] == rules.PASS


def test_two_sons_fail_two_daughters_pass(programs, units):
    husband, wife = couple(husband_born=date(1950, 1, 1))
    child(wife, 1, "1", date(1980, 1, 1))
    child(wife, 2, "1", date(1982, 1, 1))
    assert _verdict(programs, "jiangfu", husband).result.verdict == rules.FAIL
    h2, w2 = couple(husband_born=date(1950, 1, 1))
    child(w2, 1, "2", date(1980, 1, 1))
    child(w2, 2, "2", date(1982, 1, 1))
    assert _verdict(programs, "jiangfu", h2).result.verdict == rules.PASS


def test_tefu_woman_turned_49_whose_only_child_died(programs, units):
    husband, wife = couple(husband_born=date(1975, 1, 1), wife_born=date(1977, 2, 1))
    child(wife, 1, "1", date(2000, 1, 1), survival="dead", death_date=date(2019, 1, 1))
    assert _verdict(programs, "tefu_died", husband).result.verdict == rules.PASS  # wife is 49
    assert _verdict(programs, "tefu_died", husband, date(2026, 1, 31)).result.verdict == "fail"
    amount = _verdict(programs, "tefu_died", husband).amount
    assert amount.fen == 59000


def test_tefu_disabled_is_unknown_until_the_grade_is_declared(programs, units):
    _husband, wife = couple(wife_born=date(1970, 1, 1))
    child(wife, 1, "1", date(1995, 1, 1), health="3")
    assert _verdict(programs, "tefu_disabled", wife).result.verdict == rules.UNKNOWN
    assert _verdict(programs, "tefu_disabled", wife, disability_grade=2).result.verdict == "pass"
    assert _verdict(programs, "tefu_disabled", wife, disability_grade=4).result.verdict == "fail"


def test_childcare_for_a_child_under_three(programs, units):
    baby = person("小宝", "1", date(2024, 5, 1))
    assert _verdict(programs, "childcare", baby).result.verdict == rules.PASS
    assert _verdict(programs, "childcare", baby, date(2024, 12, 31)) is None  # not in force yet
    older = person("大宝", "1", date(2021, 12, 1))
    assert _verdict(programs, "childcare", older).result.verdict == rules.FAIL


def _new_version(programs, personas, start, conditions):
    return eligibility.rule_version_create(
        actor=actor(personas, "county_officer"),
        program=programs["jiangfu"],
        effective_from=start,
        conditions=conditions,
    )


def test_a_future_version_changes_nothing_before_its_date(programs, personas):
    husband, wife = couple(husband_born=date(1965, 1, 1))
    child(wife, 1, "1", date(1990, 1, 1))
    stricter = {"all": [{"fact": "age", "op": ">=", "value": 65}]}
    version = _new_version(programs, personas, date(2026, 7, 1), stricter)
    who = actor(personas, "county_officer")
    eligibility.rule_version_test(actor=who, version=version, person=husband, day=DAY)
    eligibility.rule_version_activate(actor=who, version=version)
    before = _verdict(programs, "jiangfu", husband, date(2026, 6, 30))
    after = _verdict(programs, "jiangfu", husband, date(2026, 7, 1))
    assert before.version.number == 1 and before.result.verdict == rules.PASS
    assert after.version.number == 2 and after.result.verdict == rules.FAIL


def test_a_draft_must_be_tested_before_it_takes_effect(programs, personas):
    version = _new_version(
        programs, personas, date(2026, 1, 1), {"fact": "age", "op": ">=", "value": 60}
    )
    who = actor(personas, "county_officer")
    with pytest.raises(ValidationError, match="测试"):
        eligibility.rule_version_activate(actor=who, version=version)
    # A draft is not in force, whatever its date.
    assert eligibility.version_on(programs["jiangfu"], DAY).number == 1
    eligibility.rule_version_test(actor=who, version=version, person=person(), day=DAY)
    # Editing after the test voids the test.
    version = eligibility.rule_version_update(
        actor=who,
        version=version,
        effective_from=date(2026, 1, 1),
        conditions={"fact": "age", "op": ">", "value": 1},
    )
    with pytest.raises(ValidationError):
        eligibility.rule_version_activate(actor=who, version=version)


def test_malformed_or_unknown_fact_rules_are_refused(programs, personas):
    with pytest.raises(ValidationError, match="未知的事实"):
        _new_version(programs, personas, DAY, {"fact": "income", "op": ">", "value": 1})
    assert RuleVersion.objects.filter(program=programs["jiangfu"]).count() == 1


def test_a_stored_decision_replays_after_the_register_changes(programs, personas):
    husband, wife = couple(husband_born=date(1960, 1, 1))
    child(wife, 1, "1", date(1990, 1, 1))
    verdict = _verdict(programs, "jiangfu", husband)
    decision = eligibility.store(verdict, purpose="test", actor=actor(personas, "village_admin"))
    child(wife, 2, "1", date(1992, 1, 1))  # the register changes later
    assert _verdict(programs, "jiangfu", husband).result.verdict == rules.FAIL
    stored = Decision.objects.get(pk=decision.pk)
    assert stored.rule_version_id == verdict.version.pk
    assert stored.inputs["living_children"] == 1
    assert eligibility.replay(stored).verdict == rules.PASS == stored.verdict


def test_screening_lists_the_eligible_without_an_application(programs, units):
    husband, wife = couple(husband_born=date(1966, 1, 10), wife_born=date(1969, 1, 1))
    child(wife, 1, "2", date(1992, 1, 1))
    young, young_wife = couple(husband_born=date(1970, 1, 1), wife_born=date(1971, 1, 1))
    child(young_wife, 1, "2", date(1992, 1, 1))
    _h, lost = couple(husband_born=date(1976, 1, 1), wife_born=date(1977, 1, 5))
    child(lost, 1, "1", date(2000, 1, 1), survival="dead", death_date=date(2020, 1, 1))
    counts = {m: m.objects.count() for m in (Decision, RuleVersion)}
    rows = eligibility.screen("620001", DAY)
    assert {m: m.objects.count() for m in counts} == counts  # reads only
    found = {(r.person.pk, r.program.code) for r in rows}
    assert (husband.pk, "jiangfu") in found  # turned 60 this year
    assert (young.pk, "jiangfu") not in found  # 56
    assert (lost.pk, "tefu_died") in found and (_h.pk, "tefu_died") in found
    # Another county's prefix sees none of them.
    assert eligibility.screen("620002", DAY) == []
