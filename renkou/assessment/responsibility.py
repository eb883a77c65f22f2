"""领导责任档案 (issue 14 item 7): a township's leader-responsibility record. Per FP year: the
township's 包乡领导 (``renkou.accounts.staffing``) and the township's assessment result read
from the year's published township scheme — its newest frozen result (定格) if there is one,
else the live sheets as of a date (``sheets.compute``, the one scoring), never a second
formula; plus the dated entries the county records (调研, 督导, 约谈, 表彰), audited.
Aggregates and staff names only: no person of the register, so leaders read it."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from renkou.accounts import staffing
from renkou.accounts.constants import Perm
from renkou.assessment import sheets
from renkou.assessment.models import ResponsibilityEntry, Scheme
from renkou.common import audit
from renkou.common.actors import Actor
from renkou.common.periods import fp_year
from renkou.geo.constants import Level, full_code
from renkou.geo.models import Unit


@dataclass
class YearResult:
    """One year of a township's record."""

    year: int
    scheme: Scheme
    leaders: list[str]
    total: Decimal | None = None
    rank: int | None = None
    units: int = 0
    vetoes: list[str] = field(default_factory=list)
    source: str = ""
    frozen: bool = False


def _schemes(county: str) -> list[Scheme]:
    """The newest published township scheme of each year of the county, newest year first."""
    chosen: dict[int, Scheme] = {}
    for scheme in Scheme.objects.filter(
        unit_code=full_code(county),
        level=Scheme.Level.TOWNSHIP,
        status=Scheme.Status.PUBLISHED,
    ).order_by("year", "version"):
        chosen[scheme.year] = scheme
    return [chosen[y] for y in sorted(chosen, reverse=True)]


def _frozen(result: YearResult, code: str) -> bool:
    snap = result.scheme.snapshots.order_by("-version").first()
    if snap is None or not snap.data:
        return False
    row = next((r for r in snap.data if r.get("unit") == code), None)
    if row is None:
        return False
    result.total = Decimal(row["total"])
    result.rank = row.get("rank")
    result.units = len(snap.data)
    result.vetoes = list(row.get("vetoes") or [])
    result.source = f"定格第{snap.version}版（计分日期{snap.as_of:%Y-%m-%d}）"
    result.frozen = True
    return True


def _live(result: YearResult, township: Unit, on: date) -> None:
    found = sheets.compute(result.scheme, on)
    mine = next((s for s in found if s.unit_code == township.prefix), None)
    if mine is None:
        result.source = "该方案未考核本乡镇"
        return
    result.total, result.rank, result.units = mine.total, mine.rank, len(found)
    result.vetoes = [v.text for v in mine.vetoes]
    result.source = f"截至{on:%Y-%m-%d}实时得分"


def record(township: Unit, on: date) -> list[YearResult]:
    """The township's years, newest first: 包乡领导 of the FP year and the assessment result."""
    county = township.code[:6]
    results = []
    for scheme in _schemes(county):
        period = fp_year(scheme.year)
        leaders = staffing.township_leaders(county, period.start, period.end)
        result = YearResult(scheme.year, scheme, leaders.get(township.code, []))
        if not _frozen(result, township.code):
            _live(result, township, min(on, period.end))
        results.append(result)
    return results


def entries(user: Any, township: Unit) -> Any:
    return ResponsibilityEntry.objects.visible_to(user).filter(unit_code=township.code)


@transaction.atomic
def responsibility_entry_add(
    *, actor: Actor, township: Unit, on: date, kind: str, note: str
) -> ResponsibilityEntry:
    """A dated entry of a township's record, by those who make the county's schemes."""
    if actor.user is not None and not actor.user.has_perm(Perm.MANAGE_SCHEME):
        raise PermissionDenied("您没有此项操作的权限")
    errors = {}
    if township.level != Level.TOWNSHIP:
        errors["unit"] = "领导责任档案按乡镇记录"
    if kind not in ResponsibilityEntry.Kind.values:
        errors["kind"] = "请选择类型（调研、督导、约谈、表彰）"
    if not note.strip():
        errors["note"] = "请填写内容"
    if errors:
        raise ValidationError(errors)
    row = ResponsibilityEntry.objects.create(
        unit_code=township.code,
        on=on,
        kind=kind,
        note=note.strip(),
        entered_by=actor.user if getattr(actor.user, "is_authenticated", False) else None,
    )
    audit.record_for(actor, "assessment.responsibility_entry_add", row, summary=f"kind={kind}")
    return row


def townships(user: Any) -> list[tuple[Unit, list[str]]]:
    """The townships of the user's subtree with this FP year's 包乡领导 (the record's index)."""
    from renkou.common import dates
    from renkou.common.periods import fp_year_of

    prefix = getattr(user, "scope_prefix", None) or ""
    rows = list(
        Unit.objects.current()
        .visible_to(user)
        .filter(level=Level.TOWNSHIP, prefix__startswith=prefix)
        .order_by("code")
    )
    period = fp_year(fp_year_of(dates.today()))
    leaders = staffing.township_leaders(prefix[:6], period.start, period.end)
    return [(u, leaders.get(u.code, [])) for u in rows]
