"""The statistics indicators as a source of assessment scheme items (``renkou.assessment.
sources``): the indicators live in this app, a layer above assessment, so this app registers
the kind when it is ready. Every township's figures come from one evaluation of the county
(``indicators.evaluate`` with ``group_len``: three queries, whatever the number of items), the
county's own from the same evaluation (``with_total``).

The period is the whole FP year of the scheme, counted as of ``on`` (the tallies hold every
confirmed event; ``on`` tells how much of an unfinished year has passed), so each figure keeps
its drill-down to the name lists of the indicator pages.
"""

from collections.abc import Sequence
from datetime import date

from renkou.assessment.sources import Reading
from renkou.common.periods import fp_year
from renkou.events.constants import Scope
from renkou.reports import indicators

# Indicators that count or rate individual births of a person are scored only as a unit's work
# (rates of the whole population); none of them names a person.
SCOPE = Scope.REGISTERED


class IndicatorSource:
    code, label = "indicator", "统计指标"

    def choices(self) -> list[tuple[str, str]]:
        return [(i.code, i.name) for i in indicators.INDICATORS]

    def read(
        self, codes: Sequence[str], *, county: str, units: Sequence[str], year: int, on: date
    ) -> dict[tuple[str, str], Reading]:
        codes = [c for c in codes if c in indicators.BY_CODE]
        if not codes:
            return {}
        period = fp_year(year)
        below = [u for u in units if len(u) > len(county)]
        lengths = {len(u) for u in below}
        found: dict[str, dict] = {}
        if county in units and not below:
            found = indicators.evaluate(codes, prefix=county, period=period, scope=SCOPE, today=on)
        for length in lengths:
            found |= indicators.evaluate(
                codes,
                prefix=county,
                period=period,
                scope=SCOPE,
                group_len=length,
                groups=[u for u in below if len(u) == length],
                with_total=county in units,
                today=on,
            )
        out: dict[tuple[str, str], Reading] = {}
        for unit in units:
            for code, fig in found.get(unit, {}).items():
                note = "；".join(fig.warnings)
                out[(unit, code)] = Reading(fig.rounded, fig.display, fig, note=note)
        return out


def register() -> None:
    from renkou.assessment import sources

    sources.register(IndicatorSource())
