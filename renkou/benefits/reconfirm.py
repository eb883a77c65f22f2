"""Annual re-confirmation (年审, issue 6 item 5; domain.md §5.1 "Annual re-confirmation", §11
task 6): each year the county compares its beneficiaries with the register and builds a change
list before anything takes effect.

- deaths and moves out of the county (the person left the register: ``exit_reason``);
- the childcare subsidy ending at the third birthday within the year (超龄);
- a beneficiary the rule in force no longer passes: a child born since the entitlement began
  (新增子女, 奖扶/特扶 families), or otherwise 不再符合条件;
- the newly eligible without an application (the 全覆盖 list: new 60-year-olds, 49-year-old
  women, new children): accepted, they are handed to the village for an application; an
  entitlement only ever comes from a finalised application.

Each row carries the year's amount it implies (prorated: turning 60 or dying in H1/H2 as in
``amounts.due_fen``). County officers accept or reject each row (a rejection needs a reason);
applying the list stops the accepted entitlements from their effective day, in one transaction,
audited. Building reads the register and writes only the list.
"""

from collections import Counter
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renkou.accounts.constants import Perm
from renkou.benefits import amounts, eligibility, payments
from renkou.benefits.constants import (
    CHANGE_EXIT,
    BeneficiaryStatus,
    ChangeDecision,
    ChangeKind,
    Period,
    Subject,
)
from renkou.benefits.facts import Case, reader
from renkou.benefits.models import Beneficiary, Change, Program, Reconfirmation
from renkou.common import audit, rules
from renkou.common.actors import Actor
from renkou.geo.constants import full_code
from renkou.geo.scope import prefix_range

EXIT_DEATH, EXIT_MOVED = "3", "2"  # renkou.events.services (the register's exit reasons)
OUT_OF_SCOPE = "该年审不属于您所在单位的管辖范围"


def _require(actor: Actor) -> None:
    user = actor.user
    if not (user.has_perm(Perm.REVIEW_BENEFIT) and user.has_perm(Perm.MANAGE_BENEFIT_RULE)):
        raise PermissionDenied


def _year_fen(b: Beneficiary, year: int, ends_on: date | None, tables: dict | None = None) -> int:
    tables = {} if tables is None else tables
    if b.program_id not in tables:
        tables[b.program_id] = amounts.Table(b.program)
    return amounts.due_fen(
        b.program,
        starts_on=b.starts_on,
        ends_on=ends_on,
        period=amounts.span(str(year)),
        grade=b.grade,
        birth=b.person.birth_date,
        table=tables[b.program_id],
    )


def _later_child(case: Case, since: date) -> Any:
    born = [c for c in case.children or [] if c.birth_date > since]
    return min(born, key=lambda c: c.birth_date) if born else None


def _stop_change(
    b: Beneficiary, year: int, as_of: date, versions: dict[int, Any] | None = None
) -> tuple[str, date, str] | None:
    """(kind, effective day, explanation) of one beneficiary, or None when nothing changed."""
    person, end_of_year = b.person, date(year, 12, 31)
    if person.exited_at is not None and person.exit_reason == EXIT_DEATH:
        return ChangeKind.DEATH, person.exited_at, f"户籍库登记死亡（{person.exited_at}）"
    if person.exited_at is not None and person.exit_reason == EXIT_MOVED:
        return ChangeKind.MOVED, person.exited_at, f"户籍库登记迁出（{person.exited_at}）"
    if b.program.period == Period.CHILD_YEAR and b.ends_on and b.ends_on <= end_of_year:
        return ChangeKind.AGE_OUT, b.ends_on, f"{b.ends_on} 满3周岁前一日止"
    app = b.application
    case = Case(
        person=person,
        day=as_of,
        partner=app.partner if app else None,
        declared=app.declared if app else {},
    )
    version = versions.get(b.program_id) if versions is not None else None
    if version is None:
        version = eligibility.version_on(b.program, as_of)
    if version is None or rules.evaluate(version.conditions, reader(case)).verdict != rules.FAIL:
        return None
    if b.program.subject == Subject.PARENT:
        child = _later_child(case, b.starts_on)
        if child is not None:
            return (
                ChangeKind.NEW_CHILD,
                child.birth_date,
                f"{child.birth_date} 新增子女（第{child.parity}孩）",
            )
    return (
        ChangeKind.INELIGIBLE,
        as_of,
        f"按现行规则（第{version.number}版）不再符合条件",
    )


def _changes(prefix: str, year: int, as_of: date) -> tuple[list[Change], Counter, int]:
    found, counts, continuing = [], Counter(), 0
    rows = (
        Beneficiary.objects.filter(
            status=BeneficiaryStatus.ACTIVE, **prefix_range("unit_code", prefix)
        )
        .select_related("program", "person", "person__spouse", "application__partner")
        .order_by("unit_code", "pk")
    )
    versions = {
        p.pk: eligibility.version_on(p, as_of) for p in Program.objects.filter(is_active=True)
    }
    tables: dict[int, amounts.Table] = {}
    for b in rows:
        change = _stop_change(b, year, as_of, versions)
        if change is None:
            counts["continuing_fen"] += _year_fen(b, year, b.ends_on, tables)
            continuing += 1
            continue
        kind, day, detail = change
        found.append(
            Change(
                kind=kind,
                program=b.program,
                person=b.person,
                beneficiary=b,
                unit_code=b.unit_code,
                effective_on=day,
                detail=detail[:300],
                year_fen=_year_fen(b, year, day, tables),
            )
        )
    for row in eligibility.screen(prefix, as_of):
        if row.verdict.result.verdict != rules.PASS:
            continue  # "待核实" stays on the 全覆盖 list for the village to settle
        start = max(as_of, date(year, 1, 1))
        if row.program.period == Period.CHILD_YEAR:  # the subsidy counts from the birth month
            start = max(row.person.birth_date, amounts.CHILDCARE_START)
        fen = amounts.due_fen(
            row.program,
            starts_on=start,
            ends_on=None,
            period=amounts.span(str(year)),
            birth=row.person.birth_date,
        )
        found.append(
            Change(
                kind=ChangeKind.NEW_ELIGIBLE,
                program=row.program,
                person=row.person,
                unit_code=row.person.unit_code,
                effective_on=start,
                year_fen=fen,
                detail=f"符合第{row.verdict.version.number}版规则，尚未申请",
            )
        )
    return found, counts, continuing


@transaction.atomic
def reconfirmation_build(*, actor: Actor, prefix: str, year: int, as_of: date) -> Reconfirmation:
    """Build (or rebuild, while not applied) the change list of ``year`` for the unit subtree
    ``prefix`` from the register as of ``as_of``."""
    _require(actor)
    own = getattr(actor.user, "scope_prefix", None)
    if not own or not prefix.startswith(own):
        raise PermissionDenied(OUT_OF_SCOPE)
    unit_code = full_code(prefix)
    row, _ = Reconfirmation.objects.select_for_update().get_or_create(
        unit_code=unit_code, year=year, defaults={"as_of": as_of, "created_by": actor.user}
    )
    if row.state == Reconfirmation.State.APPLIED:
        raise ValidationError(f"{year} 年度的年审已生效，不能重新生成")
    row.changes.all().delete()
    found, counts, continuing = _changes(prefix, year, as_of)
    for change in found:
        change.reconfirmation = row
    Change.objects.bulk_create(found, batch_size=1000)
    kinds = Counter(c.kind for c in found)
    row.as_of, row.created_by = as_of, actor.user
    row.summary = {
        "continuing": continuing,
        "continuing_fen": counts["continuing_fen"],
        "kinds": dict(kinds),
        "changes": len(found),
    }
    row.save(update_fields=["as_of", "created_by", "summary"])
    audit.record_for(
        actor, "benefits.reconfirmation_build", row, summary=f"{year}", rows=len(found)
    )
    return row


@transaction.atomic
def change_decide(*, actor: Actor, change: Change, accept: bool, reason: str = "") -> Change:
    """确认 or 不予采纳 one change (a rejection needs the reason)."""
    _require(actor)
    changes = Change.objects.select_for_update(of=("self",)).select_related("reconfirmation")
    row = changes.get(pk=change.pk)
    if row.reconfirmation.state != Reconfirmation.State.DRAFT:
        raise ValidationError("该年审已生效，不能再修改")
    if not actor.user.scope_prefix or not row.unit_code.startswith(actor.user.scope_prefix):
        raise PermissionDenied(OUT_OF_SCOPE)
    if not accept and not reason.strip():
        raise ValidationError({"reason": "不予采纳时请填写理由"})
    row.decision = ChangeDecision.ACCEPTED if accept else ChangeDecision.REJECTED
    row.reason, row.decided_by, row.decided_at = reason.strip()[:300], actor.user, timezone.now()
    row.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor.user,
        ip=actor.ip,
        action="benefits.change_decide",
        object_type="benefits.change",
        object_id=row.pk,
        summary=row.decision,
    )
    return row


@transaction.atomic
def change_accept_all(*, actor: Actor, reconfirmation: Reconfirmation) -> int:
    """确认全部待确认的变动 (a county officer reviewed the list as a whole)."""
    _require(actor)
    row = Reconfirmation.objects.select_for_update().get(pk=reconfirmation.pk)
    if row.state != Reconfirmation.State.DRAFT:
        raise ValidationError("该年审已生效，不能再修改")
    count = row.changes.filter(decision=ChangeDecision.PENDING).update(
        decision=ChangeDecision.ACCEPTED, decided_by=actor.user, decided_at=timezone.now()
    )
    audit.record_for(actor, "benefits.change_accept_all", row, rows=count)
    return count


@transaction.atomic
def reconfirmation_apply(*, actor: Actor, reconfirmation: Reconfirmation) -> int:
    """生效: every accepted stop-change ends its entitlement on its effective day. Refused while
    a change is undecided. Returns the number of entitlements stopped."""
    _require(actor)
    row = Reconfirmation.objects.select_for_update().get(pk=reconfirmation.pk)
    if row.state != Reconfirmation.State.DRAFT:
        raise ValidationError("该年审已生效")
    if not actor.user.scope_prefix or not row.unit_code.startswith(actor.user.scope_prefix):
        raise PermissionDenied(OUT_OF_SCOPE)
    pending = row.changes.filter(decision=ChangeDecision.PENDING).count()
    if pending:
        raise ValidationError(f"还有 {pending} 条变动未确认")
    stopped = 0
    accepted = row.changes.filter(
        decision=ChangeDecision.ACCEPTED, kind__in=list(CHANGE_EXIT), beneficiary__isnull=False
    ).select_related("beneficiary")
    for change in accepted.order_by("beneficiary_id"):
        b = Beneficiary.objects.select_for_update().get(pk=change.beneficiary_id)
        if b.status != BeneficiaryStatus.ACTIVE:
            continue
        payments.stop(b, change.effective_on, CHANGE_EXIT[change.kind], actor, f"年审 {row.year}")
        stopped += 1
    row.state, row.applied_at = Reconfirmation.State.APPLIED, timezone.now()
    row.save(update_fields=["state", "applied_at"])
    audit.record_for(
        actor, "benefits.reconfirmation_apply", row, summary=f"stopped={stopped}", rows=stopped
    )
    return stopped
