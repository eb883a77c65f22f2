"""Which table, unit, period, scope (and submitted version) a page or a background export asks
for, read from its parameters for one user: the table page, the name lists, the .xlsx export
and the PDF job (``renkou.reports.tasks``) all resolve them here, scoped to the user's subtree
(a unit outside it is 404)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import Http404
from django.utils import timezone

from renkou.common.periods import Period, PeriodError
from renkou.events.constants import SCOPE_BY_NAME, SCOPE_NAME, Scope
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.reports.models import TableSubmission
from renkou.reports.tables import engine

# The parameters that say what to export (a background job carries them, nothing else).
PARAMS = ("table", "unit", "period", "scope", "version", "reviewer")


@dataclass
class Choice:
    """The table, unit, period and scope a request asks for."""

    table: engine.Table
    unit: Unit
    period: Period
    scope: str
    error: str = ""

    def query(self, **extra: str) -> str:
        return urlencode(
            {
                "table": self.table.code,
                "unit": self.unit.code,
                "period": self.period.code,
                "scope": SCOPE_NAME[self.scope],
                **extra,
            }
        )


def table_of(code: str) -> engine.Table:
    tables = engine.tables()
    table = tables.get(code or next(iter(tables)))
    if table is None:
        raise Http404("未找到该报表")
    return table


def choose(user: Any, data: Mapping[str, str], unit: Unit | None, today: date) -> Choice:
    table = table_of(data.get("table", ""))
    if unit is None:
        code = data.get("unit", "")
        unit = get_visible_or_404(Unit.objects.current(), user, code=code) if code else user.unit
    scope = SCOPE_BY_NAME.get(data.get("scope", ""), Scope.REGISTERED)
    period, error = engine.default_period(table, today), ""
    if data.get("period"):
        try:
            period = engine.read_period(table, data["period"])
        except PeriodError as exc:
            error = str(exc)
    return Choice(table, unit, period, scope, error)


def frozen(user: Any, data: Mapping[str, str], choice: Choice) -> TableSubmission | None:
    """A submitted version named by ``version``, shown instead of the live figures."""
    version = data.get("version")
    if not version:
        return None
    rows = TableSubmission.objects.filter(
        table=choice.table.code,
        unit_code=choice.unit.code,
        period=choice.period.code,
        scope=choice.scope,
    )
    return get_visible_or_404(rows, user, version=version)


def result(choice: Choice, frozen: TableSubmission | None) -> engine.Result:
    if frozen is not None:
        return engine.thaw(choice.table, frozen, choice.unit, choice.period)
    return engine.compute(choice.table, unit=choice.unit, period=choice.period, scope=choice.scope)


def export(
    user: Any, data: Mapping[str, str], today: date
) -> tuple[engine.Result, engine.Signature, str]:
    """The result to write, its signature block and the file's name (without suffix)."""
    choice = choose(user, data, None, today)
    submitted = frozen(user, data, choice)
    outcome = result(choice, submitted)
    if submitted is not None:
        signature = engine.Signature(
            str(submitted.submitted_by),
            submitted.reviewer,
            timezone.localdate(submitted.submitted_at),
        )
    else:
        signature = engine.Signature(str(user), data.get("reviewer", "")[:50], today)
    table = choice.table
    name = f"{table.form_no or table.title}_{choice.unit.name}_{choice.period.code}"
    return outcome, signature, name
