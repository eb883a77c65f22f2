"""Targets against figures: every figure shows its target, met / not met, and the gap
(``renkou.common.figures.Figure``: judged on the value as displayed)."""

from renkou.common import figures
from renkou.common.figures import Figure
from renkou.reports.models import Target


def of(row: Target) -> figures.Target:
    """A yearly indicator target as the figures judge it."""
    return figures.Target(row.value, row.direction)


def targets_for(unit_codes: list[str], year: int) -> dict[tuple[str, str], Target]:
    """The targets of these units (12-digit codes) for a year: {(unit_code, indicator): target}."""
    rows = Target.objects.filter(unit_code__in=unit_codes, year=year)
    return {(t.unit_code, t.indicator): t for t in rows}


def judge(figure: Figure, target: Target | None) -> Figure:
    """``figure`` with ``target`` set (None: none set for it), for its verdict and gap."""
    figure.target = None if target is None else of(target)
    return figure


def attach(found: dict[str, Figure], unit_code: str, year: int) -> None:
    """Set the targets of the figures of one unit that have one that year."""
    rows = targets_for([unit_code], year)
    for code, fig in found.items():
        judge(fig, rows.get((unit_code, code)))
