"""The rules engine: well-formedness, three-valued evaluation, traces, replay from inputs."""

import json
from datetime import date

import pytest

from renkou.common import rules
from renkou.common.rules import FAIL, PASS, UNKNOWN, RuleError

JIANGFU_LIKE = {
    "all": [
        {"fact": "age", "op": ">=", "value": 60, "label": "年满60周岁"},
        {"fact": "rural", "op": "is_true"},
        {
            "any": [
                {"fact": "living", "op": "==", "value": 1},
                {"fact": "daughters", "op": "==", "value": 2},
            ]
        },
    ]
}


def test_all_passes_only_when_every_condition_passes():
    result = rules.evaluate(JIANGFU_LIKE, {"age": 61, "rural": True, "living": 1, "daughters": 0})
    assert result.verdict == PASS and result.passed
    result = rules.evaluate(JIANGFU_LIKE, {"age": 59, "rural": True, "living": 1, "daughters": 0})
    assert result.verdict == FAIL


def test_any_passes_on_one_part():
    facts = {"age": 70, "rural": True, "living": 2, "daughters": 2}
    assert rules.evaluate(JIANGFU_LIKE, facts).verdict == PASS
    facts["daughters"] = 1
    assert rules.evaluate(JIANGFU_LIKE, facts).verdict == FAIL


def test_an_unknown_fact_makes_the_verdict_unknown_not_failed():
    result = rules.evaluate(JIANGFU_LIKE, {"age": 65, "rural": None, "living": 1})
    assert result.verdict == UNKNOWN
    # ...but a failed condition still fails the whole, whatever is unknown.
    result = rules.evaluate(JIANGFU_LIKE, {"age": 40, "rural": None, "living": 1})
    assert result.verdict == FAIL


def test_not_negates_and_keeps_unknown():
    rule = {"not": {"fact": "dead", "op": "is_true"}}
    assert rules.evaluate(rule, {"dead": False}).verdict == PASS
    assert rules.evaluate(rule, {"dead": True}).verdict == FAIL
    assert rules.evaluate(rule, {}).verdict == UNKNOWN


@pytest.mark.parametrize(
    ("op", "value", "actual", "verdict"),
    [
        ("==", 1, 1, PASS),
        ("!=", 1, 1, FAIL),
        (">", 3, 4, PASS),
        ("<", 3, 4, FAIL),
        ("<=", 3, 3, PASS),
        ("in", ["1", "2"], "2", PASS),
        ("not_in", ["1", "2"], "2", FAIL),
        ("is_true", None, 1, FAIL),  # only the boolean True is true
        (">=", 60, "sixty", UNKNOWN),  # values that cannot be ordered are not a fail
        (">=", "2022-01-01", "2023-05-01", PASS),  # ISO dates order as strings
    ],
)
def test_operators(op, value, actual, verdict):
    rule = {"fact": "x", "op": op} | ({} if value is None else {"value": value})
    assert rules.evaluate(rule, {"x": actual}).verdict == verdict


def test_the_trace_shows_every_condition_with_its_value():
    result = rules.evaluate(JIANGFU_LIKE, {"age": 59, "rural": True, "living": 2, "daughters": 2})
    trace = result.trace
    assert trace["kind"] == "all" and trace["verdict"] == FAIL
    age, rural, either = trace["items"]
    assert (age["fact"], age["actual"], age["value"], age["verdict"]) == ("age", 59, 60, FAIL)
    assert age["label"] == "年满60周岁"
    assert rural["verdict"] == PASS
    # No short-circuit: the any-branch is explained although the age already failed.
    assert [i["verdict"] for i in either["items"]] == [FAIL, PASS]
    flat = rules.conditions(trace)
    assert [row["depth"] for row in flat] == [0, 1, 1, 1, 2, 2]


def test_facts_by_function_are_read_once_and_recorded_as_inputs():
    calls = []

    def read(name):
        calls.append(name)
        return {"age": 62, "rural": True, "living": 1, "daughters": 0, "born": date(1964, 1, 2)}[
            name
        ]

    rule = {"all": [JIANGFU_LIKE, {"fact": "age", "op": "<", "value": 100}]}
    result = rules.evaluate(rule, read)
    assert sorted(calls) == ["age", "daughters", "living", "rural"]
    assert result.inputs == {"age": 62, "rural": True, "living": 1, "daughters": 0}


def test_result_is_json_and_replays_to_the_same_verdict():
    facts = {"age": 63, "rural": True, "living": 0, "daughters": 2, "when": date(2024, 3, 1)}
    rule = {"all": [JIANGFU_LIKE, {"fact": "when", "op": ">=", "value": "2024-01-01"}]}
    result = rules.evaluate(rule, facts)
    stored = json.loads(json.dumps(result.as_dict()))
    assert stored["inputs"]["when"] == "2024-03-01"
    again = rules.replay(rule, stored["inputs"])
    assert again.verdict == result.verdict == PASS
    assert again.trace == stored["trace"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ([], "对象"),
        ({"all": []}, "非空列表"),
        ({"fact": "age", "op": "~", "value": 1}, "运算符无效"),
        ({"fact": "age", "op": ">="}, "缺少比较值"),
        ({"fact": "age", "op": "in", "value": 3}, "须为列表"),
        ({"fact": "nobody", "op": "is_true"}, "未知的事实"),
        ({"fact": "age", "op": ">", "value": 1, "extra": 1}, "未知的键"),
        ({"all": [{"op": ">"}]}, "缺少 fact"),
    ],
)
def test_malformed_rules_are_refused_with_a_reason(rule, message):
    with pytest.raises(RuleError, match=message):
        rules.check(rule, facts={"age": None})


def test_nesting_is_limited():
    rule = {"fact": "age", "op": ">", "value": 1}
    for _ in range(rules.MAX_DEPTH + 1):
        rule = {"not": rule}
    with pytest.raises(RuleError, match="嵌套"):
        rules.check(rule)


def test_fact_names_in_order():
    assert rules.fact_names(JIANGFU_LIKE) == ["age", "rural", "living", "daughters"]
