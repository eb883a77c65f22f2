"""Where the value of a scheme item comes from (数据来源): a small registry of source kinds, so
that a new kind (the supervision app's task results and deductions, once it exists) plugs in
without touching the scoring code.

A source kind reads, for a list of units (code prefixes: the townships of a county, or the
county itself) and a year as of a date, the values of the codes the scheme's items name, all
units in one pass (``read``). Each value is a ``Reading``: the number as displayed (rounded as
its figure is), the text shown, the ``Figure`` it came from when there is one (with its
name-list links), and links to the evidence.

Kinds here: service quotas (``quota``: completion of the unit's own ``TaskQuota`` at the current
pace), service coverage rates (``service``), benefit figures (``benefit``). The statistics
indicators (``indicator``) live in ``renkou.reports``, a layer above: it registers its kind
when the app is ready (``reports.apps``). The supervision kinds (``supervision_task``,
deductions) are registered when ``renkou.supervision`` exists; their adapters are here, written
against the functions that app will expose.
"""

import importlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from renkou.assessment import measures as M
from renkou.common.figures import Figure, round_half_up
from renkou.geo.constants import full_code

MANUAL = "manual"


@dataclass(frozen=True)
class Reading:
    value: float | None  # as displayed (rounded): what the rule scores
    display: str
    figure: Figure | None = None
    evidence: tuple[tuple[str, str], ...] = ()  # (label, url)
    note: str = ""
    target: Decimal | None = None  # a target of the source's own (a supervision task's)


@dataclass(frozen=True)
class Deducted:
    points: Decimal
    reason: str
    link: str = ""
    source: str = ""


class SourceKind(Protocol):
    code: str
    label: str

    def choices(self) -> list[tuple[str, str]]: ...

    def read(
        self, codes: Sequence[str], *, county: str, units: Sequence[str], year: int, on: date
    ) -> dict[tuple[str, str], Reading]: ...


class DeductionSource(Protocol):
    code: str
    label: str

    def read(
        self, *, county: str, units: Sequence[str], year: int, on: date
    ) -> dict[str, list[Deducted]]: ...


_KINDS: dict[str, SourceKind] = {}
_DEDUCTIONS: dict[str, DeductionSource] = {}


def register(kind: SourceKind) -> None:
    _KINDS[kind.code] = kind


def register_deductions(source: DeductionSource) -> None:
    _DEDUCTIONS[source.code] = source


def unregister(code: str) -> None:
    _KINDS.pop(code, None)
    _DEDUCTIONS.pop(code, None)


def kinds() -> dict[str, SourceKind]:
    _plug_supervision()
    return dict(_KINDS)


def deduction_sources() -> dict[str, DeductionSource]:
    _plug_supervision()
    return dict(_DEDUCTIONS)


def labels() -> dict[str, str]:
    """Every source kind by code, the manual entry included."""
    return {**{code: kind.label for code, kind in kinds().items()}, MANUAL: "人工评分"}


def code_label(source: str, code: str) -> str:
    kind = kinds().get(source)
    return dict(kind.choices()).get(code, code) if kind else code


# --- built-in kinds ----


def _pct(value: float | None) -> float | None:
    return None if value is None else round_half_up(value, 1)


class QuotaSource:
    """Completion of the unit's own service quota (``TaskQuota``) in per cent of its goal, at
    the current pace as ``assessment.selectors`` forecasts it (the count itself once the
    deadline has passed): the standing a township sees during the year."""

    code, label = "quota", "服务任务指标（完成率）"

    def choices(self) -> list[tuple[str, str]]:
        return [(c, f"{M.MEASURES[c].name}任务") for c in M.QUOTA_MEASURES]

    def read(
        self, codes: Sequence[str], *, county: str, units: Sequence[str], year: int, on: date
    ) -> dict[tuple[str, str], Reading]:
        from renkou.assessment import selectors

        wanted = set(units)
        out: dict[tuple[str, str], Reading] = {}
        found = selectors.progress(
            county, year, on, measures=codes, units=[full_code(u) for u in units]
        )
        for item in found:
            if item.prefix not in wanted or item.quota.measure not in codes:
                continue
            value = None if item.goal <= 0 else item.forecast * 100 / item.goal
            display = (
                f"已完成{item.done}/{item.goal}，按进度预计完成{_pct(value)}%"
                f"（{item.status_label}）"
            )
            out[(item.prefix, item.quota.measure)] = Reading(_pct(value), display)
        return out


class ServiceSource:
    """The service coverage rates of ``assessment.measures`` (a rate of two name lists),
    grouped by unit in one query per side."""

    code, label = "service", "服务覆盖率"

    def choices(self) -> list[tuple[str, str]]:
        return [(c, m.name) for c, m in M.MEASURES.items() if m.is_rate]

    def read(
        self, codes: Sequence[str], *, county: str, units: Sequence[str], year: int, on: date
    ) -> dict[tuple[str, str], Reading]:
        out: dict[tuple[str, str], Reading] = {}
        by_length: dict[int, list[str]] = {}
        for unit in units:
            by_length.setdefault(len(unit), []).append(unit)
        for code in codes:
            measure = M.MEASURES[code]
            assert measure.denominator is not None
            for length, group in by_length.items():
                args = (county, year, on, M.DEFAULT_SCOPE, length)
                done = measure.numerator.grouped(*args)
                base = measure.denominator.grouped(*args)
                added = M.grouped_adjustment(code, county, year, length) if measure.adjusted else {}
                for unit in group:
                    den = base.get(unit, 0) + added.get(unit, 0)
                    fig = measure.figure(done.get(unit, 0), den, unit_code=unit, target=None)
                    out[(unit, code)] = Reading(fig.rounded, fig.display, fig)
        return out


class BenefitSource:
    """The benefit figures (``renkou.benefits.figures``) of each unit, one pass for all."""

    code, label = "benefit", "利益导向"

    def choices(self) -> list[tuple[str, str]]:
        from renkou.benefits.figures import NAMES

        return list(NAMES.items())

    def read(
        self, codes: Sequence[str], *, county: str, units: Sequence[str], year: int, on: date
    ) -> dict[tuple[str, str], Reading]:
        from renkou.benefits import figures

        out: dict[tuple[str, str], Reading] = {}
        lengths = {len(u) for u in units}
        for length in lengths:
            table = (
                {county: figures.evaluate(county, year, on)}
                if length == len(county)
                else figures.table(county, year, on, length)
            )
            for unit in units:
                if len(unit) != length:
                    continue
                for code in codes:
                    fig = table.get(unit, {}).get(code)
                    if fig is not None:
                        out[(unit, code)] = Reading(fig.rounded, fig.display, fig)
        return out


register(QuotaSource())
register(ServiceSource())
register(BenefitSource())


# --- supervision (renkou/supervision, a layer below once it exists) ----

SUPERVISION = "renkou.supervision.selectors"


class SupervisionTasks:
    """A dated task's result (重点工作): ``task_result(unit_code, year, task_id, on=date)`` →
    (value, target, evidence links) of the supervision app; the item's code is the task id."""

    code, label = "supervision_task", "重点工作（督查）"

    def __init__(self, module: Any) -> None:
        self.module = module

    def choices(self) -> list[tuple[str, str]]:
        tasks = getattr(self.module, "task_choices", None)
        return list(tasks()) if tasks else []

    def read(
        self, codes: Sequence[str], *, county: str, units: Sequence[str], year: int, on: date
    ) -> dict[tuple[str, str], Reading]:
        out: dict[tuple[str, str], Reading] = {}
        for unit in units:
            for code in codes:
                value, target, links = self.module.task_result(full_code(unit), year, code, on=on)
                shown = None if value is None else float(value)
                text = "—" if shown is None else f"{shown:g}"
                target = None if target is None else Decimal(str(target))
                evidence = tuple((f"佐证{n}", url) for n, url in enumerate(links, 1))
                out[(unit, code)] = Reading(shown, text, evidence=evidence, target=target)
        return out


class SupervisionDeductions:
    """Findings that take points off (督查扣分): ``deductions(unit_code, year, on=date)`` →
    [(points, reason, finding link)] of the supervision app."""

    code, label = "supervision", "督查扣分"

    def __init__(self, module: Any) -> None:
        self.module = module

    def read(
        self, *, county: str, units: Sequence[str], year: int, on: date
    ) -> dict[str, list[Deducted]]:
        out: dict[str, list[Deducted]] = {}
        for unit in units:
            rows = self.module.deductions(full_code(unit), year, on=on)
            out[unit] = [
                Deducted(Decimal(str(points)), reason, link, self.label)
                for points, reason, link in rows
            ]
        return out


_plugged: list[bool] = []


def _plug_supervision(find: Callable[[str], Any] = importlib.util.find_spec) -> None:
    """Register the supervision kinds once, if that app is installed."""
    if _plugged:
        return
    _plugged.append(True)
    try:
        found = find(SUPERVISION) is not None
    except ModuleNotFoundError:
        found = False
    if found:
        module = importlib.import_module(SUPERVISION)
        register(SupervisionTasks(module))
        register_deductions(SupervisionDeductions(module))
