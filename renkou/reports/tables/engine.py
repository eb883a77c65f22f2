"""Statutory and county tables as data (domain.md §4): a table is a JSON file in
``definitions/`` (rows × columns, each leaf column a cell query of ``queries.KINDS``), so a
province's new table is a new file, not new code.

A definition holds ``code``, ``title``, ``form_no`` (表号), ``authority`` and ``approval``
(制表机关, 批准文号), ``measure_unit``, ``periods`` (any of year, half, quarter, month),
``rows`` ("units": one row per sub-unit of the chosen unit and a 合计 row; or a list of fixed
rows ``{"id", "label", "where"}`` whose ``where`` is merged into every cell query of the row),
``columns`` (a tree: a group has ``label`` and ``children``, a leaf ``id``, ``label`` and
``query``), ``notes`` and ``order``; for a statutory form also ``validity`` (有效期 line),
``stub`` (the row heading, 地区 on the national forms; 单位名称 by default) and ``footer``
("official": 报出日期 / 统计负责人 / 填表人 as the national forms print them, else 填报人 /
审核人 / 填报日期).

合计 is the sum of the rows: every query counts, so the total of a unit is the sum over its
sub-units. Counts whose place lies under the unit but in no current sub-unit (a retired code)
form an extra row "其他" rather than vanish from the rows.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from renkou.common import periods as P
from renkou.common.figures import round_half_up
from renkou.common.periods import Period
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.reports.tables.queries import KINDS, NONE, RATIO, SUM, Ctx, DefinitionError, Spec

DEFINITIONS = Path(__file__).resolve().parent / "definitions"
PERIOD_KINDS = {"year": "年报", "half": "半年报", "quarter": "季报", "month": "月报"}
NOT_HELD = "本系统未采集"
_ID = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Column:
    label: str
    id: str = ""
    query: Spec | None = None
    children: tuple["Column", ...] = ()
    note: str = ""

    @cached_property
    def leaves(self) -> list["Column"]:
        if not self.children:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves]

    @cached_property
    def depth(self) -> int:
        return 1 + max((c.depth for c in self.children), default=0)


@dataclass(frozen=True)
class FixedRow:
    id: str
    label: str
    where: Spec = field(default_factory=dict)


@dataclass(frozen=True)
class HeaderCell:
    label: str
    colspan: int
    rowspan: int
    col: int  # the first leaf column it covers (0-based)
    leaf: str = ""  # the column id, for leaves


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    periods: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: str | tuple[FixedRow, ...] = "units"
    form_no: str = ""
    authority: str = ""
    approval: str = ""
    measure_unit: str = "人"
    notes: tuple[str, ...] = ()
    order: int = 100
    validity: str = ""
    stub: str = "单位名称"
    footer: str = ""

    @cached_property
    def leaves(self) -> list[Column]:
        return [leaf for column in self.columns for leaf in column.leaves]

    @property
    def right_heading(self) -> list[str]:
        """表号, 制表机关, 批准机关 and 文号, 有效期: the lines printed top right."""
        lines = [f"表　　号：{self.form_no}" if self.form_no else "", self.authority]
        return [line for line in (*lines, self.approval, self.validity) if line]

    @cached_property
    def depth(self) -> int:
        return max(c.depth for c in self.columns)

    @property
    def wide(self) -> bool:
        """Printed in landscape."""
        return len(self.leaves) > 9

    @property
    def by_units(self) -> bool:
        return self.rows == "units"

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.leaves if c.id == column_id), None)

    def fixed_row(self, row_id: str) -> FixedRow | None:
        if self.by_units:
            return None
        return next((r for r in self.rows if r.id == row_id), None)

    def header(self) -> list[list[HeaderCell]]:
        """Header rows with spans for a multi-level heading (leaves span down to the last)."""
        rows: list[list[HeaderCell]] = [[] for _ in range(self.depth)]
        position = 0

        def walk(column: Column, level: int) -> None:
            nonlocal position
            if column.children:
                rows[level].append(HeaderCell(column.label, len(column.leaves), 1, position))
                for child in column.children:
                    walk(child, level + 1)
            else:
                rows[level].append(
                    HeaderCell(column.label, 1, self.depth - level, position, column.id)
                )
                position += 1

        for column in self.columns:
            walk(column, 0)
        return rows

    def footnotes(self) -> list[str]:
        missing = [c.label for c in self.leaves if c.query and c.query["kind"] == NONE]
        notes = list(self.notes)
        if missing:
            notes.append(f"“—”表示{NOT_HELD}该项数据（{'、'.join(missing)}），不填报估算数。")
        return notes


# --- loading -------------------------------------------------------------------------------------


def _column(data: dict[str, Any]) -> Column:
    children = tuple(_column(c) for c in data.get("children", ()))
    if children:
        return Column(data["label"], children=children)
    query = dict(data.get("query") or {})
    if query.get("kind") not in (*KINDS, SUM, NONE, RATIO):
        raise DefinitionError(f"栏目“{data.get('label')}”的查询类型未知：{query.get('kind')}")
    return Column(data["label"], data.get("id", ""), query, note=data.get("note", ""))


def _check_query(table: Table, leaf: Column, where: Spec) -> None:
    assert leaf.query is not None
    kind = leaf.query["kind"]
    if kind == SUM:
        parts = [table.column(p) for p in leaf.query.get("of", ())]
        if not parts or any(p is None or p.query["kind"] in (SUM, NONE, RATIO) for p in parts):
            raise DefinitionError(f"合计栏“{leaf.label}”应引用其他计数栏目")
    elif kind == RATIO:
        parts = [table.column(p) for p in leaf.query.get("of", ())]
        if len(parts) != 2 or any(p is None or p.query["kind"] in (NONE, RATIO) for p in parts):
            raise DefinitionError(f"比率栏“{leaf.label}”应引用两个计数栏目（分子、分母）")
        if not isinstance(leaf.query.get("scale", 100), int):
            raise DefinitionError(f"比率栏“{leaf.label}”的 scale 应为整数")
    elif kind != NONE:
        KINDS[kind].check({**leaf.query, **where})


def parse(data: dict[str, Any]) -> Table:
    """A table from its definition, checked: unique leaf ids, known periods and queries."""
    rows = data.get("rows", "units")
    if rows != "units":
        rows = tuple(FixedRow(r["id"], r["label"], dict(r.get("where", {}))) for r in rows)
    table = Table(
        code=data["code"],
        title=data["title"],
        periods=tuple(data["periods"]),
        columns=tuple(_column(c) for c in data["columns"]),
        rows=rows,
        form_no=data.get("form_no", ""),
        authority=data.get("authority", ""),
        approval=data.get("approval", ""),
        measure_unit=data.get("measure_unit", "人"),
        notes=tuple(data.get("notes", ())),
        order=data.get("order", 100),
        validity=data.get("validity", ""),
        stub=data.get("stub", "单位名称"),
        footer=data.get("footer", ""),
    )
    ids = [leaf.id for leaf in table.leaves]
    if not _ID.fullmatch(table.code) or not all(_ID.fullmatch(i) for i in ids):
        raise DefinitionError(f"{table.code}：表代码和栏目代码只能用小写字母、数字和下划线")
    if len(set(ids)) != len(ids):
        raise DefinitionError(f"{table.code}：栏目代码重复")
    if not table.periods or set(table.periods) - set(PERIOD_KINDS):
        raise DefinitionError(f"{table.code}：periods 应取自 {', '.join(PERIOD_KINDS)}")
    wheres = [r.where for r in table.rows] if not table.by_units else [{}]
    for where in wheres:
        for leaf in table.leaves:
            _check_query(table, leaf, where)
    return table


@lru_cache(maxsize=1)
def tables() -> dict[str, Table]:
    """Every table of ``definitions/``, in their ``order``."""
    found = [
        parse(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(DEFINITIONS.glob("*.json"))
    ]
    found.sort(key=lambda t: (t.order, t.code))
    return {t.code: t for t in found}


# --- periods -------------------------------------------------------------------------------------


def period_kind(period: Period) -> str:
    code = period.code
    if re.fullmatch(r"\d{4}", code):
        return "year"
    if re.fullmatch(r"\d{4}H[12]", code):
        return "half"
    if re.fullmatch(r"\d{4}Q[1-4]", code):
        return "quarter"
    return "month" if re.fullmatch(r"\d{4}-\d{2}", code) else ""


def period_options(table: Table, today: date) -> list[tuple[str, list[Period]]]:
    """The recent periods of each kind the table allows, newest first, none in the future
    and none before the statistics start."""
    fp = P.fp_year_of(today)
    candidates: dict[str, list[Period]] = {
        "year": [P.fp_year(y) for y in range(fp, fp - 5, -1)],
        "half": [P.fp_half(y, h) for y in range(fp, fp - 3, -1) for h in (2, 1)],
        "quarter": [
            P.quarter(y, q) for y in range(today.year, today.year - 3, -1) for q in (4, 3, 2, 1)
        ],
        "month": [
            P.month(y, m) for y in range(today.year, today.year - 2, -1) for m in range(12, 0, -1)
        ],
    }
    first = P.stats_start()
    return [
        (PERIOD_KINDS[kind], [p for p in candidates[kind] if first <= p.start <= today])
        for kind in table.periods
    ]


def default_period(table: Table, today: date) -> Period:
    """The latest period of the table's first kind that has ended, else the current one."""
    _label, options = period_options(table, today)[0]
    ended = [p for p in options if p.end < today]
    return (ended or options or [P.month(today.year, today.month)])[0]


def read_period(table: Table, code: str) -> Period:
    """The period a code names, if the table allows its kind (``PeriodError`` otherwise)."""
    period = P.parse(code)
    if period_kind(period) not in table.periods:
        allowed = "、".join(PERIOD_KINDS[k] for k in table.periods)
        raise P.PeriodError(f"{table.form_no or table.title}只能按{allowed}的期间填报")
    return period


# --- computing -----------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    values: list[float | None]
    unit_code: str = ""  # the row's unit (12 digits), whose name list a cell opens
    row_id: str = ""  # a fixed row
    kind: str = "unit"  # unit | fixed | other | total


@dataclass
class Result:
    table: Table
    unit: Unit
    period: Period
    scope: str
    rows: list[Row]
    total: Row | None
    frozen: Any = None  # the TableSubmission shown instead of live figures

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total else [])]


def sub_units(unit: Unit) -> list[Unit]:
    if unit.level >= Level.VILLAGE:
        return []
    below = Unit.objects.current().filter(level=unit.level + 1, prefix__startswith=unit.prefix)
    return list(below.order_by("code"))


def _add(parts: list[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in parts:
        for group, value in part.items():
            out[group] = out.get(group, 0) + value
    return out


def column_values(table: Table, ctx: Ctx, where: Spec | None = None) -> dict[str, Any]:
    """{column id: {group: value}} for every leaf (None for data not held), one batched
    evaluation per query kind."""
    by_kind: dict[str, list[tuple[str, Spec]]] = {}
    for leaf in table.leaves:
        assert leaf.query is not None
        if leaf.query["kind"] not in (SUM, NONE, RATIO):
            spec = {**leaf.query, **(where or {})}
            by_kind.setdefault(leaf.query["kind"], []).append((leaf.id, spec))
    out: dict[str, Any] = {}
    for kind, items in by_kind.items():
        found = KINDS[kind].values([spec for _id, spec in items], ctx)
        out.update(zip((i for i, _spec in items), found, strict=True))
    for leaf in table.leaves:
        assert leaf.query is not None
        if leaf.query["kind"] == SUM:
            out[leaf.id] = _add([out[p] for p in leaf.query["of"]])
        elif leaf.query["kind"] == NONE:
            out[leaf.id] = None
        elif leaf.query["kind"] == RATIO:
            out[leaf.id] = {}  # filled row by row from the row's own cells (_with_ratios)
    return out


def _with_ratios(table: Table, cells: list[float | None]) -> list[float | None]:
    """The row's ratio cells (e.g. 检查率 = 已查 ÷ 应查 × 100) from its own counts, rounded as
    printed; "—" (None) when the denominator is 0 or not held. A total row's ratio is the
    ratio of its totals, never a sum of ratios."""
    at = {leaf.id: i for i, leaf in enumerate(table.leaves)}
    out = list(cells)
    for i, leaf in enumerate(table.leaves):
        if leaf.query is None or leaf.query["kind"] != RATIO:
            continue
        num, den = (cells[at[p]] for p in leaf.query["of"])
        scale = leaf.query.get("scale", 100)
        out[i] = None if num is None or not den else round_half_up(num / den * scale, 1)
    return out


def _unit_rows(table: Table, unit: Unit, period: Period, scope: str) -> list[Row]:
    children = sub_units(unit)
    shown = children or [unit]
    ctx = Ctx(unit.prefix, period, scope, len(shown[0].prefix))
    values = column_values(table, ctx)
    ids = [leaf.id for leaf in table.leaves]
    rows = [
        Row(u.name, _with_ratios(table, [_value(values[i], u.prefix) for i in ids]), u.code)
        for u in shown
    ]
    known = {u.prefix for u in shown}
    stray = {g for v in values.values() if v for g, n in v.items() if n and g not in known}
    if stray:
        cells = [
            None if values[i] is None else sum(values[i].get(g, 0) for g in stray) for i in ids
        ]
        rows.append(Row("其他（不属于现有下级单位）", _with_ratios(table, cells), kind="other"))
    return rows


def _value(values: dict[str, float] | None, group: str) -> float | None:
    return None if values is None else values.get(group, 0)


def _fixed_rows(table: Table, unit: Unit, period: Period, scope: str) -> list[Row]:
    ctx = Ctx(unit.prefix, period, scope, len(unit.prefix))
    rows = []
    for fixed in table.rows:
        assert isinstance(fixed, FixedRow)
        values = column_values(table, ctx, fixed.where)
        cells = [_value(values[leaf.id], unit.prefix) for leaf in table.leaves]
        rows.append(Row(fixed.label, _with_ratios(table, cells), unit.code, fixed.id, "fixed"))
    return rows


def total_of(rows: list[Row], unit: Unit, table: Table) -> Row:
    width = len(table.leaves)
    sums = [
        None if any(r.values[i] is None for r in rows) else sum(r.values[i] for r in rows)
        for i in range(width)
    ]
    return Row("合计", _with_ratios(table, sums), unit.code, kind="total")


def compute(table: Table, *, unit: Unit, period: Period, scope: str) -> Result:
    """The table for a unit, period and scope (R/S/M), with its 合计 row."""
    if table.by_units:
        rows = _unit_rows(table, unit, period, scope)
    else:
        rows = _fixed_rows(table, unit, period, scope)
    return Result(table, unit, period, scope, rows, total_of(rows, unit, table))


def members(
    table: Table, column_id: str, *, prefix: str, period: Period, scope: str, row_id: str = ""
) -> Any:
    """The name list behind one cell (None: the cell has none): persons (a queryset or a
    ``PersonList``) or a list of events, episodes or pregnancies."""
    leaf = table.column(column_id)
    if leaf is None or leaf.query is None or leaf.query["kind"] in (NONE, RATIO):
        return None
    fixed = table.fixed_row(row_id)
    where = fixed.where if fixed else {}
    if leaf.query["kind"] == SUM:
        parts = [
            members(table, p, prefix=prefix, period=period, scope=scope, row_id=row_id)
            for p in leaf.query["of"]
        ]
        if any(p is None for p in parts):
            return None
        found = []
        for part_id, part in zip(leaf.query["of"], parts, strict=True):
            for obj in part:
                obj.counted_as = table.column(part_id).query  # which part counted it
                found.append(obj)
        return found
    spec = {**leaf.query, **where}
    return KINDS[spec["kind"]].members(spec, prefix=prefix, period=period, scope=scope)


# --- frozen versions (上报) ----------------------------------------------------------------------


def freeze(result: Result) -> dict[str, Any]:
    """The cell values as stored in ``TableSubmission.cells``."""
    return {
        "columns": [leaf.id for leaf in result.table.leaves],
        "rows": [
            {
                "label": r.label,
                "unit_code": r.unit_code,
                "row_id": r.row_id,
                "kind": r.kind,
                "values": r.values,
            }
            for r in result.all_rows
        ],
    }


def thaw(table: Table, submission: Any, unit: Unit, period: Period) -> Result:
    """A submitted version as a result (columns matched by id; a column added to the
    definition later shows "—")."""
    cells = submission.cells or {}
    stored = cells.get("columns", [])
    rows = []
    for data in cells.get("rows", []):
        by_id = dict(zip(stored, data["values"], strict=False))
        cells = [by_id.get(leaf.id) for leaf in table.leaves]
        rows.append(
            Row(
                data["label"],
                cells,
                data.get("unit_code", ""),
                data.get("row_id", ""),
                data["kind"],
            )
        )
    total = next((r for r in rows if r.kind == "total"), None)
    body = [r for r in rows if r.kind != "total"]
    return Result(table, unit, period, submission.scope, body, total, frozen=submission)


def drillable(table: Table, leaf: Column) -> bool:
    """Whether a column's cells have a name list (not for data not held, nor for an indicator
    term that is a mean or a sum of several measures)."""
    assert leaf.query is not None
    kind = leaf.query["kind"]
    if kind in (NONE, RATIO):
        return False
    if kind == SUM:
        return all(drillable(table, table.column(p)) for p in leaf.query["of"])  # type: ignore[arg-type]  # a SUM's "of" lists column ids
    check = getattr(KINDS[kind], "drillable", None)
    return check(leaf.query) if check else True


def layout(result: Result, url_for: Any = None) -> dict[str, Any]:
    """What the page, the PDF and the .xlsx print: header rows, column numbers (栏次) and rows of
    cells, each with its text and, when ``url_for(row, leaf)`` is given and the cell has a name
    list, its link."""
    table = result.table
    leaves = table.leaves
    linked = [
        url_for is not None and result.frozen is None and drillable(table, leaf) for leaf in leaves
    ]
    rows = []
    ordered = [*([result.total] if result.total else []), *result.rows]  # 合计 first, as printed
    for row in ordered:
        cells = []
        for leaf, value, link in zip(leaves, row.values, linked, strict=True):
            url = url_for(row, leaf) if link and row.unit_code and value is not None else ""
            cells.append({"value": value, "text": show(value), "url": url})
        rows.append(
            {"label": row.label, "kind": row.kind, "unit_code": row.unit_code, "cells": cells}
        )
    return {
        "header": table.header(),
        "depth": table.depth,
        "stub": table.stub,
        "rows": rows,
        "numbers": list(range(1, len(leaves) + 1)),
    }


@dataclass(frozen=True)
class Signature:
    """The signing block of a printed table (填报单位 is the result's unit)."""

    filler: str  # 填报人 (填表人 on the national forms)
    reviewer: str  # 审核人 (统计负责人 on the national forms)
    day: date  # 填报日期 (报出日期)

    def lines(self, table: Table) -> list[str]:
        """The block as the table prints it: the national forms' footer
        (人口厅函[2008]165号: 报出日期, 统计负责人, 填表人) or the county's own."""
        blank = "　　　　"
        day = f"{self.day:%Y年%m月%d日}"
        if table.footer == "official":
            return [
                f"报出日期：{day}",
                f"统计负责人：{self.reviewer or blank}",
                f"填表人：{self.filler or blank}",
            ]
        return [
            f"填报人：{self.filler or blank}",
            f"审核人：{self.reviewer or blank}",
            f"填报日期：{day}",
        ]


def show(value: float | None) -> str:
    """A cell as printed: "—" for data not held, whole numbers without decimals."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{round_half_up(value, 1):.1f}"
