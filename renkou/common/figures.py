"""One figure and one description of a counted measure, for every app that counts (issue 12
item 1): the indicators (reports), service coverage and quotas (assessment), the benefit
figures (benefits) and the pre-pregnancy figures (programs) all build ``Figure``, and the
target-responsibility assessment reads them all the same way.

A figure is ``numerator ÷ denominator × scale`` (or a count: the numerator, no denominator) for
one unit (code prefix), period and population scope. It knows its target (value, direction,
veto) and so whether it is met and by how much; and where the name lists (花名册) behind its
numerator and denominator are.

One rounding rule, half up as GB/T 8170 and statistics offices round (0.25 → 0.3,
−0.125 → −0.13), never Python's half-to-even ``round``: the value shown, given by the API and
the exports, and compared with the target is ``rounded``. A target is judged on the value as
displayed, so a page never shows "80.0%" beside "未达标" for an 80 % target.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse

PER_MILLE, PERCENT, PERSONS, RATIO, YUAN, PERSON_TIMES = "‰", "%", "人", "", "元", "人次"
AT_LEAST, AT_MOST = "ge", "le"  # the directions of a target (reports.Target.Direction)
VERDICT_LABELS = {True: "达标", False: "未达标", None: "无数据"}


def round_half_up(value: float, decimals: int) -> float:
    """Round as a statistics office does (GB/T 8170: 0.25 → 0.3, 0.125 → 0.13, −0.125 →
    −0.13): the magnitude half up, the sign put back. The tolerance (relative for large sums
    of money) absorbs the binary error of a computed value: 1.005 is stored as 1.00499999…"""
    factor: float = 10**decimals
    scaled = abs(value) * factor
    magnitude = math.floor(scaled + 0.5 + max(1e-9, scaled * 1e-12)) / factor
    return -magnitude if value < 0 else magnitude


def ratio(numerator: float, denominator: float | None, scale: float = 100) -> float | None:
    """``numerator × scale ÷ denominator``; None without a positive denominator."""
    if denominator is None or denominator <= 0:
        return None
    return numerator * scale / denominator


def plain(number: float | None) -> float | int | None:
    """Whole numbers as int (counts), others as they are (average populations, money)."""
    if number is None:
        return None
    return int(number) if float(number).is_integer() else number


@dataclass(frozen=True)
class Target:
    """What a figure should reach: ``value`` (in the figure's measure unit), ``direction``
    (``ge`` at least, ``le`` at most) and whether missing it vetoes the whole assessment."""

    value: Decimal
    direction: str = AT_LEAST
    veto: bool = False

    @property
    def display(self) -> str:
        """``≥80``, ``≤9.31`` (without trailing zeros; the caller adds the measure unit)."""
        sign = "≤" if self.direction == AT_MOST else "≥"
        return f"{sign}{Decimal(self.value).normalize():f}"


@dataclass(frozen=True)
class NameList:
    """Where the name list behind one side of a figure is: a URL name, its arguments and its
    query. Building one costs nothing; ``url`` reverses it when a page shows the link (only to
    accounts that may read persons)."""

    view: str
    args: tuple[str, ...] = ()
    query: tuple[tuple[str, str], ...] = ()

    @property
    def url(self) -> str:
        path = reverse(self.view, args=self.args)
        return f"{path}?{urlencode(self.query)}" if self.query else path


@dataclass
class Figure:
    code: str
    name: str
    numerator: float
    denominator: float | None = None
    value: float | None = None
    unit_symbol: str = ""  # the measure unit: ‰, %, 人, 人次, 元, or "" for a plain ratio
    decimals: int = 0
    unit_code: str = ""  # the unit's code prefix (county 6, township 9, village 12 digits)
    period: str = ""  # the period's code (2024, 2024H1, 2024-03; a year for yearly figures)
    scope: str = ""  # the population scope by name (registered, resident, managed) or ""
    target: Target | None = None
    numerator_list: NameList | None = None
    denominator_list: NameList | None = None
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rounded(self) -> float | int | None:
        """The value as displayed (half up to ``decimals``; whole numbers as int)."""
        if self.value is None:
            return None
        shown = round_half_up(self.value, self.decimals)
        return int(shown) if self.decimals == 0 else shown

    @property
    def display(self) -> str:
        shown = self.rounded
        if shown is None:
            return "—"
        text = (
            f"{shown:,.{self.decimals}f}"
            if self.unit_symbol == YUAN
            else f"{shown:.{self.decimals}f}"
        )
        return f"{text}{self.unit_symbol}" if self.unit_symbol in (PER_MILLE, PERCENT) else text

    @property
    def met(self) -> bool | None:
        """The rounded value against the target; None without a target or a value."""
        gap = self._gap()
        if gap is None:
            return None
        assert self.target is not None
        return gap <= 0 if self.target.direction == AT_MOST else gap >= 0

    @property
    def gap(self) -> float | None:
        """Rounded value − target (positive: above the target)."""
        gap = self._gap()
        return None if gap is None else float(gap)

    def _gap(self) -> Decimal | None:
        if self.target is None or self.value is None:
            return None
        return Decimal(str(round_half_up(self.value, self.decimals))) - Decimal(self.target.value)

    @property
    def behind(self) -> bool:
        """Below (or, for a "≤" target, above) its target: 未达标, 落后."""
        return self.met is False

    @property
    def verdict(self) -> str:
        return VERDICT_LABELS[self.met] if self.target is not None else ""

    @property
    def target_display(self) -> str:
        if self.target is None:
            return ""
        return f"{self.target.display}{self.unit_symbol}"

    @property
    def gap_display(self) -> str:
        gap = self.gap
        return "—" if gap is None else f"{gap:+.{self.decimals}f}{self.unit_symbol}"

    def as_dict(self) -> dict[str, Any]:
        """The figure as the API and ``manage.py indicators`` give it: ``unit`` is the 12-digit
        unit code, ``value`` rounded as displayed, ``value_unrounded`` not; ``target``,
        ``direction``, ``met`` and ``gap`` where a target is set."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "unit": self.unit_code.ljust(12, "0"),
            "measure_unit": self.unit_symbol,
            "period": self.period,
            "scope": self.scope,
            "numerator": plain(self.numerator),
            "denominator": plain(self.denominator),
            "value": self.rounded,
            "value_unrounded": self.value,
            "value_display": self.display,
            "warnings": list(self.warnings),
            **self.extra,
        }
        if self.target is not None:
            out.update(
                target=float(self.target.value),
                direction=self.target.direction,
                met=self.met,
                gap=self.gap,
            )
        return out


# --- measures: a figure counted from its name lists ---------------------------------------------

Lister = Callable[..., QuerySet[Any]]
Grouper = Callable[[str, int, date, str, int], dict[str, int]]


@dataclass(frozen=True)
class Side:
    """One side of a measure (numerator or denominator) as a name list: ``lister(prefix, year,
    today)`` — with ``scope`` after them when ``by_scope`` — returns the rows (persons, couple
    files, exams, follow-ups, checks, treatments…) in the unit ``prefix`` for the year, and the
    side's number is their ``count()``, so a figure and its list cannot disagree. Lists are not
    scoped to a user: callers pass a prefix inside the user's subtree and scope the rows again."""

    label: str
    lister: Lister
    kind: str  # a row of the list: person, couple, exam, followup, rhcheck, treatment, visit…
    field: str = "unit_code"  # the column the list is counted by unit on
    by_scope: bool = False  # the list depends on the population scope (stocks of spells)
    grouper: Grouper | None = None  # counts by unit when ``field`` cannot (stock spells)

    def rows(self, prefix: str, year: int, today: date | None, scope: str = "") -> QuerySet[Any]:
        if self.by_scope and scope:
            return self.lister(prefix, year, today, scope)
        return self.lister(prefix, year, today)  # its own default scope, if it has one

    def grouped(
        self, prefix: str, year: int, today: date, scope: str, length: int
    ) -> dict[str, int]:
        """Row counts by the first ``length`` digits of the unit (one query)."""
        if self.grouper is not None:
            return self.grouper(prefix, year, today, scope, length)
        return grouped(self.rows(prefix, year, today, scope), self.field, length)


def grouped(rows: QuerySet[Any], column: str, length: int) -> dict[str, int]:
    """Row counts by the first ``length`` digits of ``column`` (one query)."""
    rows = rows.order_by().annotate(g=Substr(column, 1, length)).values("g")
    return {r["g"]: r["n"] for r in rows.annotate(n=Count("pk"))}


@dataclass(frozen=True)
class Measure:
    """A counted measure: a rate (``numerator`` ÷ ``denominator`` × 100 %, e.g. couples
    examined ÷ target couples) or a count (the numerator alone, e.g. 蓝氧 person-times).
    ``target``: the standing target of a rate (programs.constants); ``adjusted``: the
    denominator adds the townships' manual target-population adjustment, which has no names."""

    code: str
    name: str
    numerator: Side
    denominator: Side | None = None
    unit_symbol: str = PERCENT
    target: int | None = None
    adjusted: bool = False
    definition: str = ""

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def decimals(self) -> int:
        return 1 if self.is_rate else 0

    def figure(self, numerator: int, denominator: int | None, **fields: Any) -> Figure:
        """The figure of these counts: a rate in per cent, or the count; with the measure's
        standing target unless ``fields`` give another (or None)."""
        value = ratio(numerator, denominator) if self.is_rate else float(numerator)
        if "target" not in fields and self.target is not None:
            fields["target"] = Target(Decimal(self.target))
        return Figure(
            self.code,
            self.name,
            numerator,
            denominator,
            value,
            self.unit_symbol,
            self.decimals,
            **fields,
        )
