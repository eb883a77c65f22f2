"""What the events write into the tallies, read back through ``events.selectors.sums``: the
tests of this app check the counts; the indicators built on them are tested in reports."""

from renkou.common.periods import Period, fp_year
from renkou.events import selectors
from renkou.events.constants import Scope


def tallied(
    measure: str,
    when: str = "flow",
    *,
    prefix: str = "620001",
    period: Period | None = None,
    scope: str = Scope.REGISTERED,
) -> int:
    """A flow over ``period`` (default FP 2024), or a stock at its ``start`` (end of the day
    before) or ``end``, in the unit ``prefix``."""
    period = period or fp_year(2024)
    day = {"start": period.day_before, "end": period.end}.get(when)
    found = selectors.sums(
        scope=scope,
        prefix=prefix,
        group_len=len(prefix),
        flows=[measure] if day is None else [],
        stocks=[measure] if day is not None else [],
        period=period,
        stock_days=[day] if day is not None else [],
    )
    key = (measure, "flow" if day is None else day.isoformat())
    return found.get(prefix, {}).get(key, 0)
