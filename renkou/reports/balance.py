"""The population balance (人口变动平衡表, docs/indicators.md §4.1): for a unit and each of its
sub-units, 期初 + 出生 − 死亡 + 迁入 − 迁出 (+ 流入 − 流出) + 其他变动 = 期末, read from the same
indicator definitions as every other figure, and the check that it closes (差额 0)."""

from collections.abc import Iterable
from typing import Any

from renkou.common.periods import Period
from renkou.events.constants import Scope
from renkou.geo.models import Unit
from renkou.reports.indicators import evaluate
from renkou.reports.selectors import lower_units

BALANCE = (
    ("population_start", "期初人口", 0),
    ("births", "出生", +1),
    ("deaths", "死亡", -1),
    ("moves_in", "迁入", +1),
    ("moves_out", "迁出", -1),
    ("flows_in", "流入", +1),
    ("flows_out", "流出", -1),
    ("other_changes", "其他变动", +1),
    ("population_end", "期末人口", 0),
)
CODES = tuple(code for code, _label, _sign in BALANCE)
# Which flows move the population of a scope (docs/indicators.md §3): none the registered one,
# both the resident one, the inflow only the managed one (an outflow is still managed here).
FLOWS_COUNTED = {
    Scope.REGISTERED: frozenset(),
    Scope.RESIDENT: frozenset({"flows_in", "flows_out"}),
    Scope.MANAGED: frozenset({"flows_in"}),
}


def counted(code: str, scope: str) -> bool:
    """Whether a term moves the population of ``scope`` (the stocks themselves: True)."""
    return not code.startswith("flows") or code in FLOWS_COUNTED[scope]


def gap(values: dict[str, float], scope: str) -> float:
    """期初 + Σ sign × term − 期末: zero when the balance closes."""
    change = sum(
        sign * values[code] for code, _label, sign in BALANCE if sign and counted(code, scope)
    )
    return values["population_start"] + change - values["population_end"]


def balances(
    prefix: str, period: Period, scope: str, group_len: int | None, groups: Iterable[str] = ()
) -> dict[str, dict[str, float]]:
    """The terms of the unit ``prefix`` (and, with ``group_len``, of each sub-unit), by code."""
    found = evaluate(
        CODES,
        prefix=prefix,
        period=period,
        scope=scope,
        group_len=group_len,
        groups=groups,
        with_total=group_len is not None,
    )
    return {g: {c: fig.numerator for c, fig in figs.items()} for g, figs in found.items()}


def balance_rows(unit: Unit, period: Period, scope: str) -> list[dict[str, Any]]:
    """The unit (合计) and each sub-unit: its cells and its 差额."""
    lower = lower_units(unit)
    group_len = len(lower[0].prefix) if lower else None
    found = balances(unit.prefix, period, scope, group_len, [u.prefix for u in lower])
    rows = []
    for target, name in [(unit, f"{unit.name}（合计）"), *((u, u.name) for u in lower)]:
        values = found.get(target.prefix) or dict.fromkeys(CODES, 0)
        cells = [
            {"code": code, "value": values[code], "counted": counted(code, scope)} for code in CODES
        ]
        rows.append({"unit": target, "name": name, "cells": cells, "gap": gap(values, scope)})
    return rows
