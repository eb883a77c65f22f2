"""The query kind ``service``: a side of a service measure of ``renkou.assessment.measures``
(pre-pregnancy exam, RH checks, treatments, contraception follow-ups, supplies) as a table cell,
``{"kind": "service", "measure": "rh_check", "side": "done"}`` (side ``base`` for a rate's
denominator). The cell counts the measure's name list in the FP year of the period, so the cell
and its drill-down list are the same rows. Tables using it allow yearly periods only; the
pre-pregnancy target population is the register's count, without the township's manual
adjustment (which has no names).

This module imports nothing from ``queries`` at load time: ``queries.KINDS`` imports it.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from renkou.assessment import entries
from renkou.assessment import measures as M
from renkou.common import dates
from renkou.common.figures import Side
from renkou.common.periods import Period
from renkou.reports.tables.drill import DrillRow

SIDES = ("done", "base")
# Name lists of things that are not persons (协查 messages): no table cell counts them.
NOT_PERSONS = frozenset({"message"})


def _error(message: str) -> Exception:
    from renkou.reports.tables.queries import DefinitionError  # loaded by then (it imports us)

    return DefinitionError(message)


def year_of(period: Period) -> int:
    if not re.fullmatch(r"\d{4}", period.code):
        raise _error("服务统计只能按年度（计划生育统计年度）填报")
    return int(period.code)


class ServiceList(Sequence):
    """A measure's name list as drill rows, read one page at a time."""

    def __init__(self, rows: Any, kind: str, today: date) -> None:
        self.rows, self.kind, self.today = entries.prepared(rows, kind), kind, today
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.rows.count()
        return self._count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int):
            return self[index : index + 1][0]
        return [_drill(e) for e in entries.entries(self.rows[index], self.kind, self.today)]


def _drill(e: entries.Entry) -> DrillRow:
    # A table cell lists persons: a measure over messages is refused by ``check``.
    assert e.person is not None
    return DrillRow(e.person, e.day, e.what, e.unit_code)


class ServiceQuery:
    def check(self, spec: dict[str, Any]) -> None:
        unknown = set(spec) - {"kind", "measure", "side"}
        if unknown:
            raise _error(f"service 查询不支持参数：{', '.join(sorted(unknown))}")
        measure = M.MEASURES.get(spec.get("measure", ""))
        if measure is None:
            raise _error(f"未知的服务项目：{spec.get('measure')}")
        if measure.numerator.kind in NOT_PERSONS:
            raise _error(f"服务项目 {measure.code} 不是人员名册，不能用作报表单元格")
        side = spec.get("side", "done")
        if side not in SIDES or (side == "base" and measure.denominator is None):
            raise _error(f"服务项目 {measure.code} 没有 {side} 一栏")

    @staticmethod
    def _side(spec: dict[str, Any]) -> Side:
        measure = M.MEASURES[spec["measure"]]
        side = measure.denominator if spec.get("side", "done") == "base" else measure.numerator
        assert side is not None
        return side

    def values(self, specs: list[dict[str, Any]], ctx: Any) -> list[dict[str, float]]:
        year, today = year_of(ctx.period), dates.today()
        return [
            self._side(s).grouped(ctx.prefix, year, today, ctx.scope, ctx.group_len) for s in specs
        ]

    def members(
        self, spec: dict[str, Any], *, prefix: str, period: Period, scope: str
    ) -> ServiceList:
        side = self._side(spec)
        rows = side.rows(prefix, year_of(period), dates.today(), scope)
        return ServiceList(rows, side.kind, dates.today())
