"""Targets against figures: every figure shows its target, met / not met, and the gap."""

from dataclasses import dataclass
from decimal import Decimal

from renkou.reports.indicators import BY_CODE, Figure, round_half_up
from renkou.reports.models import Target


@dataclass(frozen=True)
class Verdict:
    target: Target
    met: bool | None  # None: no value to judge
    gap: float | None  # value − target (positive = above the target)

    @property
    def label(self) -> str:
        return {True: "达标", False: "未达标", None: "无数据"}[self.met]

    @property
    def target_display(self) -> str:
        sign = "≤" if self.target.direction == Target.Direction.AT_MOST else "≥"
        return f"{sign}{self.target.value}{BY_CODE[self.target.indicator].unit}"

    @property
    def gap_display(self) -> str:
        if self.gap is None:
            return "—"
        ind = BY_CODE[self.target.indicator]
        return f"{self.gap:+.{ind.decimals}f}{ind.unit}"

    def as_dict(self) -> dict:
        return {
            "target": float(self.target.value),
            "direction": self.target.direction,
            "met": self.met,
            "gap": self.gap,
        }


def judge(figure: Figure, target: Target) -> Verdict:
    if figure.value is None:
        return Verdict(target, None, None)
    ind = BY_CODE[figure.code]
    shown = Decimal(str(round_half_up(figure.value, ind.decimals)))
    goal = target.value
    met = shown <= goal if target.direction == Target.Direction.AT_MOST else shown >= goal
    return Verdict(target, bool(met), float(shown - goal))


def targets_for(unit_codes: list[str], year: int) -> dict[tuple[str, str], Target]:
    """The targets of these units (12-digit codes) for a year: {(unit_code, indicator): target}."""
    rows = Target.objects.filter(unit_code__in=unit_codes, year=year)
    return {(t.unit_code, t.indicator): t for t in rows}


def attach(figures: dict[str, Figure], unit_code: str, year: int) -> dict[str, Verdict]:
    """Verdicts for the figures of one unit that have a target that year."""
    found = targets_for([unit_code], year)
    return {
        code: judge(fig, found[(unit_code, code)])
        for code, fig in figures.items()
        if (unit_code, code) in found
    }
