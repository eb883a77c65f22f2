"""Reads of the task quotas: progress of each quota (done, target, percentage, days left,
forecast at the current pace, status) and the name lists behind the figures, scoped again by
the caller (``visible_to``).

Arithmetic (docs/quotas.md):

- the year runs from the first day of the FP year; *elapsed* days are counted from it to today
  (both inclusive, no more than to the deadline), *all* days from it to the deadline;
- a count quota's target is its number; a rate quota's is the number of services it needs,
  ⌈base × target % ÷ 100⌉ (the pre-pregnancy base with its manual adjustment);
- the forecast at the current pace is done ÷ elapsed × all days, or the figure itself once the
  deadline has passed; for a rate whose base grows with the service itself (high-risk detection,
  follow-up rates) the pace says nothing, so the forecast is the current rate;
- status: 已完成 when done reaches the target; 进度正常 when the forecast does; otherwise
  落后, or 否决风险 (red) for a veto item.
"""

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from renkou.assessment import measures as M
from renkou.assessment.models import TaskQuota
from renkou.common.figures import Measure, round_half_up
from renkou.geo.constants import PREFIX_LENGTH, Level
from renkou.geo.models import Unit
from renkou.geo.scope import prefix_range

ACHIEVED, ON_TRACK, BEHIND, VETO_RISK = "achieved", "on_track", "behind", "veto_risk"
STATUS_LABELS = {ACHIEVED: "已完成", ON_TRACK: "进度正常", BEHIND: "落后", VETO_RISK: "否决风险"}
# Rates whose base is fixed by the register, so the numerator's pace predicts the result.
PACED_RATES = frozenset({"prepreg_exam", "rh_check"})


def unit_prefix(code: str) -> str:
    """The prefix of a 12-digit unit code (county 6, township 9, village 12 digits)."""
    for level in (Level.COUNTY, Level.TOWNSHIP):
        length = PREFIX_LENGTH[level]
        if code[length:].strip("0") == "":
            return code[:length]
    return code


def elapsed_days(year: int, today: date, deadline: date) -> int:
    start = M.period(year).start
    return max(0, (min(today, deadline) - start).days + 1)


def all_days(year: int, deadline: date) -> int:
    return max(1, (deadline - M.period(year).start).days + 1)


def days_left(today: date, deadline: date) -> int:
    return max(0, (deadline - today).days)


def forecast(done: int, year: int, today: date, deadline: date) -> float:
    """The count at the deadline at the current pace (the count itself once it has passed)."""
    elapsed = elapsed_days(year, today, deadline)
    if today >= deadline or elapsed == 0:
        return float(done)
    return done / elapsed * all_days(year, deadline)


def needed(target: Decimal, base: int | None) -> int:
    """The number of services a quota asks for (rates: of its base, rounded up)."""
    if base is None:
        return int(target)
    return math.ceil(base * target / 100)


def status(done: int, goal: int, projected: float, veto: bool) -> str:
    if done >= goal:
        return ACHIEVED
    if projected >= goal:
        return ON_TRACK
    return VETO_RISK if veto else BEHIND


@dataclass
class Progress:
    quota: TaskQuota
    measure: Measure
    unit_name: str
    prefix: str
    done: int
    base: int | None  # rates: the base with its adjustment
    goal: int  # the number of services the target asks for
    forecast: float
    days_left: int
    status: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        """Completion: done ÷ goal × 100 (None when the goal is 0)."""
        return None if self.goal <= 0 else self.done * 100 / self.goal

    @property
    def rate(self) -> float | None:
        if self.base is None or self.base <= 0:
            return None
        return self.done * 100 / self.base

    @property
    def forecast_rate(self) -> float | None:
        if self.base is None or self.base <= 0:
            return None
        return self.forecast * 100 / self.base

    @property
    def red(self) -> bool:
        return self.status == VETO_RISK

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def target_display(self) -> str:
        target = self.quota.target
        shown = f"{target:.0f}" if target == target.to_integral() else f"{target:.1f}"
        return f"{shown}%" if self.base is not None else f"{shown}{self.measure.unit_symbol}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.quota.unit_code,
            "measure": self.measure.code,
            "name": self.measure.name,
            "year": self.quota.year,
            "done": self.done,
            "base": self.base,
            "goal": self.goal,
            "target": str(self.quota.target),
            "percent": self.percent,
            "forecast": round_half_up(self.forecast, 1),
            "days_left": self.days_left,
            "deadline": self.quota.deadline.isoformat(),
            "veto": self.quota.veto,
            "status": self.status,
        }


def evaluate(
    quota: TaskQuota, done: int, base: int | None, today: date, unit_name: str = ""
) -> Progress:
    """The progress of one quota from its figures."""
    measure = M.MEASURES[quota.measure]
    goal = needed(quota.target, base)
    if measure.is_rate and quota.measure not in PACED_RATES:
        projected = float(done)  # the current rate stands for the forecast
    else:
        projected = forecast(done, quota.year, today, quota.deadline)
    return Progress(
        quota,
        measure,
        unit_name,
        unit_prefix(quota.unit_code),
        done,
        base,
        goal,
        projected,
        days_left(today, quota.deadline),
        status(done, goal, projected, quota.veto),
    )


def quotas_within(prefix: str, year: int) -> QuerySet[TaskQuota]:
    """The quotas of the units of a subtree (not scoped: the caller passes its own prefix)."""
    return (
        TaskQuota.objects.filter(
            year=year, measure__in=list(M.MEASURES), **prefix_range("unit_code", prefix)
        )
        .prefetch_related("service_points")
        .order_by("unit_code", "measure")
    )


class _Figures:
    """Counts of measures by unit one level down, each measure read once per level."""

    def __init__(self, prefix: str, year: int, today: date, scope: str) -> None:
        self.prefix, self.year, self.today, self.scope = prefix, year, today, scope
        self.cache: dict[tuple[str, int], tuple[dict, dict | None]] = {}

    def _grouped(self, code: str, length: int) -> tuple[dict, dict | None]:
        key = (code, length)
        if key not in self.cache:
            measure = M.MEASURES[code]
            args = (self.prefix, self.year, self.today, self.scope, length)
            done = measure.numerator.grouped(*args)
            base = measure.denominator.grouped(*args) if measure.denominator else None
            if base is not None:
                for unit, added in M.grouped_adjustment(
                    code, self.prefix, self.year, length
                ).items():
                    base[unit] = base.get(unit, 0) + added
            self.cache[key] = (done, base)
        return self.cache[key]

    def of(self, quota: TaskQuota) -> tuple[int, int | None]:
        prefix = unit_prefix(quota.unit_code)
        points = [p.pk for p in quota.service_points.all()]
        if points or len(prefix) <= len(self.prefix):
            return M.counted(
                quota.measure,
                prefix,
                self.year,
                self.today,
                self.scope,
                service_points=points or None,
            )
        done, base = self._grouped(quota.measure, len(prefix))
        return done.get(prefix, 0), None if base is None else base.get(prefix, 0)


def progress(
    prefix: str,
    year: int,
    today: date,
    scope: str = M.DEFAULT_SCOPE,
    *,
    measures: Collection[str] | None = None,
    units: Collection[str] | None = None,
) -> list[Progress]:
    """Progress of every quota of the units within ``prefix`` (the unit itself first), for the
    statistics dashboard and the pages; only the ``measures`` and the units (full codes) asked
    for when given (an assessment sheet reads the townships' quotas of its items, not the
    county's 47). Not scoped: pass a prefix inside the caller's subtree."""
    rows = quotas_within(prefix, year)
    if measures is not None:
        rows = rows.filter(measure__in=list(measures))
    if units is not None:
        rows = rows.filter(unit_code__in=list(units))
    quotas = list(rows)
    names = dict(
        Unit.objects.current()
        .filter(code__in={q.unit_code for q in quotas})
        .values_list("code", "name")
    )
    found = _Figures(prefix, year, today, scope)
    out = []
    for quota in quotas:
        done, base = found.of(quota)
        out.append(evaluate(quota, done, base, today, names.get(quota.unit_code, "")))
    return out


def quota_of(unit_code: str, year: int, measure: str) -> TaskQuota | None:
    return TaskQuota.objects.filter(unit_code=unit_code, year=year, measure=measure).first()


def names(
    user: Any,
    measure: str,
    side: str,
    prefix: str,
    year: int,
    today: date,
    service_points: Any = None,
    scope: str = M.DEFAULT_SCOPE,
) -> QuerySet:
    """The name list behind one side (``done`` or ``base``) of a measure in a unit, limited
    again to what the caller may see."""
    if side == "base":
        rows = M.base_rows(measure, prefix, year, today, scope)
        assert rows is not None
    else:
        rows = M.done_rows(measure, prefix, year, today, scope, service_points)
    return rows.visible_to(user)
