"""A small rules engine: conditions over named facts, evaluated with a trace (architecture.md
"Rules"). No domain here: the facts and their meaning belong to the app that uses the engine.

A rule is JSON data, never code::

    {"all": [
        {"fact": "age", "op": ">=", "value": 60},
        {"any": [{"fact": "living_children", "op": "==", "value": 1},
                 {"fact": "living_daughters", "op": "==", "value": 2}]},
        {"not": {"fact": "exited", "op": "is_true"}}
    ]}

Evaluation is three-valued: a condition whose fact is unknown (``None``: the register does not
hold it and nobody declared it) is ``unknown``, not failed, so a page can say "needs a document"
instead of "not eligible". ``all`` fails if any part fails, else is unknown if any part is
unknown; ``any`` passes if any part passes, else is unknown if any part is unknown. Every
condition is evaluated (no short-circuit), so the trace explains each one.

``evaluate`` returns the verdict, the trace (each condition with the fact's value and its
outcome) and the inputs (every fact value read), all JSON-serialisable: stored with a decision,
``replay(rule, inputs)`` gives the same verdict years later, whatever the register says then.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
OPERATORS: dict[str, str] = {
    "==": "等于",
    "!=": "不等于",
    ">": "大于",
    ">=": "大于等于",
    "<": "小于",
    "<=": "小于等于",
    "in": "属于",
    "not_in": "不属于",
    "is_true": "为是",
    "is_false": "为否",
}
UNARY = frozenset({"is_true", "is_false"})
MAX_DEPTH = 6


class RuleError(ValueError):
    """A rule that is not well formed; the message (Chinese) says where."""


@dataclass(frozen=True)
class Result:
    verdict: str  # PASS | FAIL | UNKNOWN
    trace: dict[str, Any]
    inputs: dict[str, Any]

    @property
    def passed(self) -> bool:
        return self.verdict == PASS

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "trace": self.trace, "inputs": self.inputs}


# --- checking a rule ----------------------------------------------------------------------------


def check(rule: Any, facts: Mapping[str, Any] | None = None, depth: int = 0) -> None:
    """Raise ``RuleError`` unless ``rule`` is well formed; with ``facts`` (names → anything),
    every fact it names must be one of them."""
    if depth > MAX_DEPTH:
        raise RuleError(f"条件嵌套超过 {MAX_DEPTH} 层")
    if not isinstance(rule, dict):
        raise RuleError("每个条件须为对象（{...}）")
    keys = set(rule) - {"label"}
    if keys in ({"all"}, {"any"}):
        parts = rule[keys.pop()]
        if not isinstance(parts, list) or not parts:
            raise RuleError("all/any 须为非空列表")
        for part in parts:
            check(part, facts, depth + 1)
        return
    if keys == {"not"}:
        check(rule["not"], facts, depth + 1)
        return
    _check_condition(rule, facts)


def _check_condition(rule: dict[str, Any], facts: Mapping[str, Any] | None) -> None:
    name, op = rule.get("fact"), rule.get("op")
    if not isinstance(name, str) or not name:
        raise RuleError("条件缺少 fact（事实名称），或写成了 all/any/not 以外的组合")
    if facts is not None and name not in facts:
        raise RuleError(f"未知的事实：{name}")
    if op not in OPERATORS:
        raise RuleError(f"条件 {name} 的运算符无效：{op}（可用：{'、'.join(OPERATORS)}）")
    extra = set(rule) - {"fact", "op", "value", "label"}
    if extra:
        raise RuleError(f"条件 {name} 含有未知的键：{'、'.join(sorted(extra))}")
    if op in UNARY:
        return
    if "value" not in rule:
        raise RuleError(f"条件 {name} 缺少比较值 value")
    if op in ("in", "not_in") and not isinstance(rule["value"], list):
        raise RuleError(f"条件 {name} 使用 {op} 时 value 须为列表")


def fact_names(rule: dict[str, Any]) -> list[str]:
    """Every fact the rule names, in order of first appearance."""
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        for key in ("all", "any"):
            if key in node:
                for part in node[key]:
                    walk(part)
                return
        if "not" in node:
            walk(node["not"])
        elif node.get("fact") not in found:
            found.append(node["fact"])

    walk(rule)
    return found


# --- evaluating ---------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """A fact value as stored with a decision: dates as ISO strings, Decimals as strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def _compare(op: str, actual: Any, expected: Any) -> str:
    # Compared in stored form, so a live date and its replayed ISO string agree.
    actual = jsonable(actual)
    if actual is None:
        return UNKNOWN
    if op == "is_true":
        return PASS if actual is True else FAIL
    if op == "is_false":
        return PASS if actual is False else FAIL
    try:
        comparisons: dict[str, Callable[[], bool]] = {
            "==": lambda: actual == expected,
            "!=": lambda: actual != expected,
            ">": lambda: actual > expected,
            ">=": lambda: actual >= expected,
            "<": lambda: actual < expected,
            "<=": lambda: actual <= expected,
            "in": lambda: actual in expected,
            "not_in": lambda: actual not in expected,
        }
        outcome = comparisons[op]()
    except TypeError:
        return UNKNOWN  # values of different kinds cannot be ordered: not a fail
    return PASS if outcome else FAIL


def _combine(kind: str, verdicts: list[str]) -> str:
    if kind == "all":
        if FAIL in verdicts:
            return FAIL
        return UNKNOWN if UNKNOWN in verdicts else PASS
    if PASS in verdicts:
        return PASS
    return UNKNOWN if UNKNOWN in verdicts else FAIL


_NEGATE = {PASS: FAIL, FAIL: PASS, UNKNOWN: UNKNOWN}


def _node(rule: dict[str, Any], read: Callable[[str], Any]) -> dict[str, Any]:
    label = rule.get("label", "")
    for kind in ("all", "any"):
        if kind in rule:
            items = [_node(part, read) for part in rule[kind]]
            verdict = _combine(kind, [i["verdict"] for i in items])
            return {"kind": kind, "label": label, "verdict": verdict, "items": items}
    if "not" in rule:
        inner = _node(rule["not"], read)
        return {
            "kind": "not",
            "label": label,
            "verdict": _NEGATE[inner["verdict"]],
            "items": [inner],
        }
    actual = read(rule["fact"])
    expected = rule.get("value")
    return {
        "kind": "fact",
        "label": label,
        "fact": rule["fact"],
        "op": rule["op"],
        "value": jsonable(expected),
        "actual": jsonable(actual),
        "verdict": _compare(rule["op"], actual, expected),
    }


def evaluate(rule: dict[str, Any], facts: Mapping[str, Any] | Callable[[str], Any]) -> Result:
    """Evaluate ``rule`` against ``facts``: a mapping of values, or a function name → value
    (called at most once per name). A name the facts do not hold reads as unknown."""
    check(rule)
    inputs: dict[str, Any] = {}
    cache: dict[str, Any] = {}

    def read(name: str) -> Any:
        if name not in cache:
            if callable(facts):
                cache[name] = facts(name)
            else:
                cache[name] = facts.get(name)
            inputs[name] = jsonable(cache[name])
        return cache[name]

    trace = _node(rule, read)
    return Result(verdict=trace["verdict"], trace=trace, inputs=inputs)


def replay(rule: dict[str, Any], inputs: Mapping[str, Any]) -> Result:
    """Evaluate again from stored inputs. Facts give dates as ISO strings (rule values are JSON),
    so a stored input compares exactly as the live value did."""
    return evaluate(rule, dict(inputs))


def conditions(trace: dict[str, Any]) -> list[dict[str, Any]]:
    """The leaf conditions of a trace, with their depth, in order (for a flat explanation)."""
    rows: list[dict[str, Any]] = []

    def walk(node: dict[str, Any], depth: int) -> None:
        rows.append({**{k: v for k, v in node.items() if k != "items"}, "depth": depth})
        for item in node.get("items", []):
            walk(item, depth + 1)

    walk(trace, 0)
    return rows
