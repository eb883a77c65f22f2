"""Reads of the tip-offs, scoped by ``visible_to`` (the one chokepoint, house style rule 4).

Lists, exports and figures read ``TipOff`` rows only; the informant's row is read by
``informant_for`` alone, which answers None to anyone but the tip-off's handler.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from renkou.accounts.constants import Perm
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.geo.selectors import unit_names
from renkou.tipoffs.constants import Finding, Reward, Status
from renkou.tipoffs.models import Informant, Step, TipOff


def tipoffs_visible(user: Any) -> QuerySet[TipOff]:
    rows: QuerySet[TipOff] = TipOff.objects.visible_to(user)
    return rows.select_related("handler")


def tipoff_list(user: Any, *, status: str = "", unit: str = "", mine: bool = False) -> Any:
    rows = tipoffs_visible(user)
    if status in Status.values:
        rows = rows.filter(status=status)
    if unit.isascii() and unit.isdigit():
        rows = rows.filter(unit_code__startswith=unit)
    if mine:
        rows = rows.filter(handler=user)
    return rows


def steps_of(tipoff: TipOff) -> list[Step]:
    """The tip-off's steps (the caller already holds the tip-off through the chokepoint)."""
    return list(Step.objects.filter(tipoff=tipoff).select_related("actor"))


def informant_for(tipoff: TipOff, user: Any) -> Informant | None:
    """The informant, for the tip-off's handler only; None for every other account."""
    if tipoff.handler_id is None or tipoff.handler_id != getattr(user, "pk", None):
        return None
    return Informant.objects.filter(tipoff=tipoff).first()


def may_handle(user: Any, tipoff: TipOff) -> bool:
    """Whether ``user`` can be the handler: an active account that reads tip-offs and whose
    subtree holds the tip-off's unit (the township's office or the county bureau)."""
    prefix = getattr(user, "scope_prefix", None)
    return (
        bool(user.is_active)
        and prefix is not None
        and tipoff.unit_code.startswith(prefix)
        and user.has_perm(Perm.VIEW_TIPOFF)
    )


def handler_by_pk(tipoff: TipOff, pk: int | None) -> Any:
    """The account ``pk`` when it may handle the tip-off, else None (staff accounts are not
    rows of a unit's data: the check is ``may_handle``)."""
    from renkou.accounts.models import User

    user = User.objects.filter(pk=pk).select_related("unit").first() if pk else None
    return user if user is not None and may_handle(user, tipoff) else None


def handlers_for(tipoff: TipOff) -> list[tuple[int, str]]:
    """Accounts that may handle the tip-off: active township or county staff above its unit
    who read tip-offs (names of staff, not of the public)."""
    from renkou.accounts.models import User

    prefixes = {tipoff.unit_code[:n] for n in (6, 9, 12)}
    rows = User.objects.filter(is_active=True, unit__prefix__in=prefixes).select_related("unit")
    return [
        (u.pk, f"{u.full_name or u.username}（{u.unit.name}）")
        for u in rows.order_by("unit__code", "username")
        if may_handle(u, tipoff)
    ]


def by_ack_index(index: str) -> TipOff | None:
    """The tip-off of an acknowledgement code's hash, for the public progress page (no user
    to scope by: holding the code is the informant's right to see the status, nothing else)."""
    return TipOff.objects.filter(ack_index=index).only("status", "reward").first()


def township_choices(user: Any = None) -> list[tuple[str, str]]:
    """Townships (and the county itself) a tip-off may concern: the user's subtree, or for the
    public form every current one."""
    rows = Unit.objects.current().filter(level__in=(Level.COUNTY, Level.TOWNSHIP))
    if user is not None:
        rows = rows.filter(code__startswith=getattr(user, "scope_prefix", None) or "-")
    return [
        (u.code, f"{u.name}（县本级）" if u.level == Level.COUNTY else u.name)
        for u in rows.order_by("code")
    ]


def rewards_for_finance(user: Any) -> QuerySet[TipOff]:
    """Decided and paid rewards: number, unit, amount, dates (finance's page)."""
    return tipoffs_visible(user).filter(reward__in=(Reward.DECIDED, Reward.PAID))


@dataclass
class StatRow:
    unit_code: str
    name: str = ""
    months: list[int] = field(default_factory=lambda: [0] * 12)
    received: int = 0
    concluded: int = 0
    true: int = 0
    overdue: int = 0
    reward_fen: int = 0
    paid_fen: int = 0


def stats(user: Any, year: int, today: date) -> list[StatRow]:
    """Per township and month of receipt, with totals: counts and reward money only (no
    matter, no informant: the figures leaders read)."""
    rows = TipOff.objects.visible_to(user).filter(year=year)
    found: dict[str, StatRow] = {}
    per_month = rows.annotate(m=ExtractMonth("received_on")).values("unit_code", "m")
    for r in per_month.annotate(n=Count("id")):
        found.setdefault(r["unit_code"], StatRow(r["unit_code"])).months[r["m"] - 1] = r["n"]
    totals = rows.values("unit_code").annotate(
        received=Count("id"),
        concluded=Count("id", filter=Q(status=Status.CONCLUDED)),
        true=Count("id", filter=Q(finding__in=(Finding.TRUE, Finding.PARTLY))),
        overdue=Count("id", filter=Q(deadline__lt=today) & ~Q(status=Status.CONCLUDED)),
        decided_sum=Sum("reward_fen", filter=Q(reward__in=(Reward.DECIDED, Reward.PAID))),
        paid_sum=Sum("reward_fen", filter=Q(reward=Reward.PAID)),
    )
    for r in totals:
        row = found.setdefault(r["unit_code"], StatRow(r["unit_code"]))
        for name in ("received", "concluded", "true", "overdue"):
            setattr(row, name, r[name])
        row.reward_fen, row.paid_fen = r["decided_sum"] or 0, r["paid_sum"] or 0
    names = unit_names(found)
    for row in found.values():
        row.name = names.get(row.unit_code, row.unit_code)
    return sorted(found.values(), key=lambda r: r.unit_code)


def stats_total(rows: list[StatRow]) -> StatRow:
    total = StatRow("", "合计")
    for row in rows:
        total.months = [a + b for a, b in zip(total.months, row.months, strict=True)]
        for name in ("received", "concluded", "true", "overdue", "reward_fen", "paid_fen"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total
