"""Benefit figures (issue 6 item 7) and the name lists behind them.

- ``coverage`` (覆盖率) = entitlements in force on the day / people who appear eligible on the
  day: those entitlements plus the 全覆盖 list (pass or "待核实", no application yet), counted
  per person and programme, for 奖扶, 特扶 and 育儿补贴;
- ``payment_rate`` (按时足额发放率) = beneficiaries whose every regular roll line of the year
  was paid (on time: by the roll itself, not a later carried-over line; in full: every line)
  / beneficiaries with a regular line on a roll of the year (confirmed for payment);
- ``paid_<programme>`` (发放金额) = yuan the bank confirmed for periods of the year (the
  ledger), per programme.

The day is ``today`` in the current year, else 31 December of the year. Lists take a unit code
prefix and are not scoped: callers pass a prefix inside the user's subtree and scope the people
again. Each side is counted from its own list, so a figure and its drill-down always agree.
"""

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Q, Sum
from django.utils import timezone

from renkou.benefits import eligibility, screening
from renkou.benefits.constants import LineStatus
from renkou.benefits.models import (
    Application,
    Beneficiary,
    LedgerEntry,
    PaymentLine,
    Program,
    RuleVersion,
)
from renkou.common import rules
from renkou.common.figures import PERCENT, YUAN, Figure, NameList, ratio
from renkou.geo.constants import township_of
from renkou.geo.scope import prefix_range

COVERED = ("jiangfu", "tefu_died", "tefu_disabled", "tefu_complication", "childcare")
PAID_PROGRAMS = COVERED
NAMES = {"coverage": "利益导向覆盖率", "payment_rate": "按时足额发放率"}


def day_of(year: int, today: date) -> date:
    return today if today.year == year else date(year, 12, 31)


# --- the lists ---------------------------------------------------------------------------------


def in_force(prefix: str, day: date) -> Any:
    """Entitlements of the covered programmes in force on ``day`` (the coverage numerator)."""
    return (
        Beneficiary.objects.filter(program__code__in=COVERED, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .filter(**prefix_range("unit_code", prefix))
        .select_related("program", "person")
        .order_by("unit_code", "pk")
    )


SCREEN_CACHE_SECONDS = 600


def screened(prefix: str, day: date, today: date | None = None) -> list[tuple[int, str, str]]:
    """The 全覆盖 list on ``day`` as (person id, unit code, programme name): people who pass
    the rule in force without an application ("待核实" rows, whose register data cannot decide,
    are not counted as eligible). Today's list is read from the kept table
    (``renkou.benefits.screening``); an earlier day (a past year's figures) is screened from
    the register, which takes about half a minute for a county, so it is kept for ten minutes
    per process and per state of the applications, entitlements and rules."""
    if day == (today or timezone.localdate()):
        rows = screening.rows_in(prefix).filter(verdict=rules.PASS, program__code__in=COVERED)
        return list(rows.values_list("person_id", "unit_code", "program__name"))
    marks = Application.objects.aggregate(a=Max("updated_at"), b=Max("beneficiary__pk"))
    rule = RuleVersion.objects.aggregate(r=Max("activated_at"))["r"]
    stamp = f"{marks['a'] and marks['a'].timestamp()}-{marks['b']}-{rule and rule.timestamp()}"
    key = f"benefits.screened.{prefix}.{day.isoformat()}.{stamp}"
    rows = cache.get(key)
    if rows is None:
        rows = [
            (r.person.pk, r.person.unit_code, r.program.name)
            for r in eligibility.screen(prefix, day)
            if r.program.code in COVERED and r.verdict.result.verdict == rules.PASS
        ]
        cache.set(key, rows, SCREEN_CACHE_SECONDS)
    return rows


def _regular(prefix: str, year: int) -> Any:
    return PaymentLine.objects.filter(
        roll__starts_on__gte=date(year, 1, 1),
        roll__starts_on__lte=date(year, 12, 31),
        carried_from__isnull=True,
        **prefix_range("unit_code", prefix),
    )


def confirmed(prefix: str, year: int) -> Any:
    """Beneficiaries with a regular line on a roll of ``year`` (payment-rate denominator)."""
    lines = _regular(prefix, year).values("beneficiary_id")
    return (
        Beneficiary.objects.filter(pk__in=lines)
        .select_related("program", "person")
        .order_by("unit_code", "pk")
    )


def paid_in_full(prefix: str, year: int) -> Any:
    """Those of ``confirmed`` with every regular line of the year paid (numerator)."""
    unpaid = _regular(prefix, year).exclude(status=LineStatus.PAID).values("beneficiary_id")
    return confirmed(prefix, year).exclude(pk__in=unpaid)


def ledger(prefix: str, year: int, program: str) -> Any:
    return (
        LedgerEntry.objects.filter(year=year, program__code=program)
        .filter(**prefix_range("unit_code", prefix))
        .select_related("person", "program", "roll")
        .order_by("unit_code", "paid_on", "pk")
    )


# --- figures -------------------------------------------------------------------------------


def _program_names() -> dict[str, str]:
    return dict(Program.objects.filter(code__in=PAID_PROGRAMS).values_list("code", "name"))


def _counts(prefix: str, year: int, today: date, length: int) -> dict[tuple[str, str], Counter]:
    """(code, side) → counts by the first ``length`` digits of the unit code."""
    day = day_of(year, today)
    out: dict[tuple[str, str], Counter] = defaultdict(Counter)
    held = list(in_force(prefix, day).values_list("unit_code", flat=True))
    out[("coverage", "n")].update(u[:length] for u in held)
    out[("coverage", "d")].update(u[:length] for u in held)
    listed = screened(prefix, day, today)
    out[("coverage", "d")].update(unit[:length] for _pk, unit, _name in listed)
    for side, rows in (("n", paid_in_full(prefix, year)), ("d", confirmed(prefix, year))):
        out[("payment_rate", side)].update(
            u[:length] for u in rows.values_list("unit_code", flat=True)
        )
    sums = (
        LedgerEntry.objects.filter(year=year, program__code__in=PAID_PROGRAMS)
        .filter(**prefix_range("unit_code", prefix))
        .values_list("program__code", "unit_code", "fen")
    )
    for code, unit, fen in sums:
        out[(f"paid_{code}", "n")][unit[:length]] += fen
    return out


def _names(code: str, side: str, key: str, year: int) -> NameList:
    """The benefit figures page's name list of one side (benefits:figure_names)."""
    return NameList(
        "benefits:figure_names", (code,), (("side", side), ("unit", key), ("year", str(year)))
    )


def _figures(
    counts: dict[tuple[str, str], Counter], key: str, year: int, names: dict[str, str]
) -> dict[str, Figure]:
    figures = {}
    for code in ("coverage", "payment_rate"):
        numerator, denominator = counts[(code, "n")][key], counts[(code, "d")][key]
        figures[code] = Figure(
            code,
            NAMES[code],
            numerator,
            denominator,
            ratio(numerator, denominator),
            PERCENT,
            1,
            unit_code=key,
            period=str(year),
            numerator_list=_names(code, "n", key, year),
            denominator_list=_names(code, "d", key, year),
        )
    for program in PAID_PROGRAMS:
        code = f"paid_{program}"
        fen = counts[(code, "n")][key]
        figures[code] = Figure(
            code,
            f"{names.get(program, program)}发放金额",
            fen / 100,
            None,
            fen / 100,
            YUAN,
            2,
            unit_code=key,
            period=str(year),
            extra={"fen": fen},
        )
    return figures


def evaluate(prefix: str, year: int, today: date) -> dict[str, Figure]:
    """Every benefit figure of one unit (code prefix) and calendar year."""
    counts = _counts(prefix, year, today, len(prefix))
    return _figures(counts, prefix, year, _program_names())


def table(prefix: str, year: int, today: date, length: int) -> dict[str, dict[str, Figure]]:
    """The figures of each unit one level down (``length`` 9 or 12), keyed by its prefix."""
    counts = _counts(prefix, year, today, length)
    keys = {k for c in counts.values() for k in c}
    names = _program_names()
    return {key: _figures(counts, key, year, names) for key in sorted(keys)}


def money_by_township(prefix: str, year: int) -> dict[str, dict[str, int]]:
    """Fen paid per programme and township (the county totals of the reconciliation)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        LedgerEntry.objects.filter(year=year, **prefix_range("unit_code", prefix))
        .values("program__code", "unit_code")
        .annotate(fen=Sum("fen"))
    )
    for row in rows:
        township = township_of(row["unit_code"])
        out[township][row["program__code"]] = (
            out[township].get(row["program__code"], 0) + row["fen"]
        )
    return out
