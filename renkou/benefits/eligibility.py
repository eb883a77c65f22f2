"""Eligibility, explained (issue 6 item 2): which rule version is in force on a day, the verdict
for a case with its trace, stored decisions and their replay, rule management (draft → tested →
active) and the screening (全覆盖) list.

A rule version takes effect only when it is active *and* its ``effective_from`` has come: a
version activated today with a future date changes nothing before that date. Screening reads the
register and writes nothing.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from renkou.benefits import amounts
from renkou.benefits.constants import OPEN, Status, Subject
from renkou.benefits.facts import FACTS, Case, reader
from renkou.benefits.models import (
    Amount,
    Application,
    Beneficiary,
    Decision,
    Program,
    RuleVersion,
)
from renkou.common import audit, rules
from renkou.common.actors import Actor
from renkou.geo.scope import prefix_range
from renkou.people.models import Child, Person, WomanCard

State = RuleVersion.State
# Programmes on the 全覆盖 list, with the youngest age worth looking at (a cheap pre-filter
# before the rule itself): 奖扶 at 60; 特扶 asks the woman to be 49, her husband may be younger.
SCREENED: dict[str, tuple[int | None, int | None]] = {
    "jiangfu": (60, None),
    "tefu_died": (40, None),
    "tefu_disabled": (40, None),
    "childcare": (None, 3),  # (min age, under age)
}


@dataclass(frozen=True)
class Verdict:
    program: Program
    version: RuleVersion
    result: rules.Result
    amount: Amount | None
    case: Case

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The trace flattened for a page, each row with its fact's label."""
        return trace_rows(self.result.trace)


# Facts read from the birth date: a trace shows whether each condition holds, not their values,
# since pages with a trace show the person's masked number (docs/masking.md).
BIRTH_FACTS = frozenset({"age", "age_months", "birth_date"})
NOT_SHOWN = "（不显示）"


def trace_rows(trace: dict[str, Any]) -> list[dict[str, Any]]:
    """A stored or fresh trace flattened for a page, with fact and operator labels."""
    out = rules.conditions(trace)
    for row in out:
        if row.get("fact") in BIRTH_FACTS and row.get("actual") is not None:
            row["actual"] = NOT_SHOWN
        fact = FACTS.get(row.get("fact", ""))
        row["fact_label"] = fact.label if fact else row.get("fact", "")
        row["declared"] = bool(fact and fact.declared)
        row["op_label"] = rules.OPERATORS.get(row.get("op", ""), "")
        row["indent"] = range(row["depth"])
    return out


def rule_rows(conditions: dict[str, Any]) -> list[dict[str, Any]]:
    """A rule's conditions as the rows of a trace, in words, without any case's values."""
    return trace_rows(rules.evaluate(conditions, {}).trace)


def version_on(program: Program, day: date) -> RuleVersion | None:
    """The active version in force on ``day``: the latest ``effective_from`` not after it."""
    rows = RuleVersion.objects.filter(program=program, state=State.ACTIVE, effective_from__lte=day)
    return rows.order_by("-effective_from", "-number").first()


def check(program: Program, case: Case) -> Verdict | None:
    """The verdict of the version in force on the case's day (None: no rule in force yet)."""
    version = version_on(program, case.day)
    if version is None:
        return None
    result = rules.evaluate(version.conditions, reader(case))
    grade = (
        str(case.declared.get("complication_grade") or "")
        if program.amounts.filter(grade__gt="").exists()
        else ""
    )
    return Verdict(program, version, result, amounts.amount_on(program, case.day, grade), case)


def check_all(
    person: Person, day: date, partner: Person | None = None, declared: dict[str, Any] | None = None
) -> list[Verdict]:
    """Every active programme for one person (or couple) on ``day``."""
    case = Case(person=person, day=day, partner=partner, declared=declared or {})
    found = []
    for program in Program.objects.filter(is_active=True):
        verdict = check(program, case)
        if verdict is not None:
            found.append(verdict)
    return found


def store(
    verdict: Verdict, *, purpose: str, actor: Actor, application: Application | None = None
) -> Decision:
    """Keep a decision with its rule version, inputs and trace (replayable)."""
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    return Decision.objects.create(
        program=verdict.program,
        rule_version=verdict.version,
        person=verdict.case.person,
        application=application,
        unit_code=verdict.case.person.unit_code,
        as_of=verdict.case.day,
        verdict=verdict.result.verdict,
        inputs=verdict.result.inputs,
        trace=verdict.result.trace,
        purpose=purpose,
        actor_id=user.pk if user else None,
    )


def replay(decision: Decision) -> rules.Result:
    """The decision evaluated again from its stored inputs under its own rule version."""
    return rules.replay(decision.rule_version.conditions, decision.inputs)


# --- rule management (county officers) -------------------------------------------------------


def _checked(conditions: Any) -> dict[str, Any]:
    try:
        rules.check(conditions, FACTS)
    except rules.RuleError as exc:
        raise ValidationError({"conditions": str(exc)}) from exc
    return conditions


@transaction.atomic
def rule_version_create(
    *,
    actor: Actor,
    program: Program,
    effective_from: date,
    conditions: Any,
    note: str = "",
    source: str = "",
) -> RuleVersion:
    """A new draft version (numbered after the last)."""
    Program.objects.select_for_update().filter(pk=program.pk).first()
    last = RuleVersion.objects.filter(program=program).aggregate(m=Max("number"))["m"] or 0
    version = RuleVersion.objects.create(
        program=program,
        number=last + 1,
        effective_from=effective_from,
        conditions=_checked(conditions),
        note=note,
        source=source,
        created_by=actor.user,
    )
    audit.record_for(
        actor, "benefits.rule_create", version, summary=f"{program.code} v{version.number}"
    )
    return version


def _lock_draft(version: RuleVersion) -> RuleVersion:
    locked = RuleVersion.objects.select_for_update().get(pk=version.pk)
    if locked.state != State.DRAFT:
        raise ValidationError("只有草稿可以修改；已生效的规则请新建版本")
    return locked


@transaction.atomic
def rule_version_update(
    *,
    actor: Actor,
    version: RuleVersion,
    effective_from: date,
    conditions: Any,
    note: str = "",
    source: str = "",
) -> RuleVersion:
    """Edit a draft; any earlier test no longer counts."""
    locked = _lock_draft(version)
    locked.effective_from, locked.conditions = effective_from, _checked(conditions)
    locked.note, locked.source = note, source
    locked.tested_at, locked.test_result, locked.test_person = None, {}, None
    locked.save()
    audit.record_for(actor, "benefits.rule_update", locked)
    return locked


@transaction.atomic
def rule_version_test(
    *,
    actor: Actor,
    version: RuleVersion,
    person: Person,
    day: date,
    declared: dict[str, Any] | None = None,
) -> rules.Result:
    """Evaluate the draft against one case and record that it was tested (the test case and
    its result stay with the version)."""
    locked = RuleVersion.objects.select_for_update().get(pk=version.pk)
    case = Case(person=person, day=day, declared=declared or {})
    result = rules.evaluate(locked.conditions, reader(case))
    if locked.state == State.DRAFT:
        locked.tested_at, locked.test_person = timezone.now(), person
        locked.test_result = {"day": day.isoformat(), **result.as_dict()}
        locked.save(update_fields=["tested_at", "test_person", "test_result"])
    audit.record_for(actor, "benefits.rule_test", locked, summary=f"verdict={result.verdict}")
    return result


@transaction.atomic
def rule_version_activate(*, actor: Actor, version: RuleVersion) -> RuleVersion:
    """Put a tested draft into force from its ``effective_from``."""
    locked = _lock_draft(version)
    if locked.tested_at is None:
        raise ValidationError("规则须先用一个案例测试，才能生效")
    locked.state, locked.activated_at = State.ACTIVE, timezone.now()
    locked.save(update_fields=["state", "activated_at"])
    audit.record_for(
        actor, "benefits.rule_activate", locked, summary=f"from {locked.effective_from.isoformat()}"
    )
    if locked.program.code in SCREENED and locked.effective_from <= timezone.localdate():
        # In force at once: the 全覆盖 table is screened again on the worker (a later date is
        # picked up by the daily catch-up on that day).
        from renkou.benefits.tasks import rescreen_program  # the tasks import this module

        program_id = locked.program_id
        transaction.on_commit(lambda: rescreen_program.enqueue(program_id=program_id))
    return locked


@transaction.atomic
def amount_add(
    *,
    actor: Actor,
    program: Program,
    effective_from: date,
    fen: int,
    grade: str = "",
    source: str = "",
) -> Amount:
    """A new row of the amount table (an existing date is refused: rows are never rewritten)."""
    if fen < 0:
        raise ValidationError({"yuan": "标准不能为负数"})
    exists = Amount.objects.filter(program=program, grade=grade, effective_from=effective_from)
    if exists.exists():
        raise ValidationError({"effective_from": "该日期已有标准，请另选执行日期"})
    row = Amount.objects.create(
        program=program, effective_from=effective_from, fen=fen, grade=grade, source=source
    )
    audit.record_for(
        actor,
        "benefits.amount_add",
        row,
        summary=f"{program.code} {effective_from.isoformat()} {fen}",
    )
    return row


# --- screening (全覆盖) --------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenRow:
    person: Person
    program: Program
    verdict: Verdict


def in_window(rows: Any, today: date, ages: tuple[int | None, int | None]) -> Any:
    """The persons of ``rows`` old (or young) enough on ``today`` to be worth screening."""
    low, under = ages
    if low is not None:
        rows = rows.filter(birth_date__lte=amounts.add_years(today, -low))
    if under is not None:
        rows = rows.filter(birth_date__gt=amounts.add_years(today, -under))
    return rows


def window_holds(person: Person, today: date, ages: tuple[int | None, int | None]) -> bool:
    """``in_window`` for one person already read."""
    low, under = ages
    if low is not None and person.birth_date > amounts.add_years(today, -low):
        return False
    return under is None or person.birth_date > amounts.add_years(today, -under)


def _candidates(prefix: str, today: date, ages: tuple[int | None, int | None]) -> Any:
    rows = Person.objects.filter(exited_at__isnull=True, **prefix_range("unit_code", prefix))
    return in_window(rows, today, ages).select_related("spouse").order_by("unit_code", "name", "pk")


def children_by_woman(people: list[Person]) -> dict[int, list[Child]]:
    """Cards of the candidates' couples in two queries (no query per person)."""
    women = {p.pk for p in people if p.sex == "2"}
    women |= {p.spouse_id for p in people if p.spouse_id and p.sex != "2"}
    cards = dict(WomanCard.objects.filter(person_id__in=women).values_list("pk", "person_id"))
    found: dict[int, list[Child]] = defaultdict(list)
    for child in Child.objects.filter(card_id__in=cards).order_by("parity"):
        found[cards[child.card_id]].append(child)
    return {w: found.get(w, []) for w in cards.values()}


def evaluate_people(
    program: Program,
    version: RuleVersion,
    people: list[Person],
    today: date,
    children: dict[int, list[Child]] | None = None,
) -> Iterator[tuple[Person, Case, rules.Result]]:
    """The rule of ``version`` for each person on ``today``, the couples' cards read in bulk
    (``children``: from ``children_by_woman``, read here when not given)."""
    if program.subject == Subject.PARENT and children is None:
        children = children_by_woman(people)
    for person in people:
        case = Case(person=person, day=today)
        if program.subject == Subject.PARENT:
            woman = case.woman
            case.preload((children or {}).get(woman.pk) if woman is not None else None)
        yield person, case, rules.evaluate(version.conditions, reader(case))


def screen(prefix: str, today: date) -> list[ScreenRow]:
    """全覆盖名单 computed from the register for any day: people in the unit subtree ``prefix``
    who appear eligible on ``today`` (verdict pass, or unknown pending a document) for a
    screened programme and have no open or approved application for it. Reads only; for today
    the kept table (``renkou.benefits.screening``) answers the same in a fraction of the time."""
    found: list[ScreenRow] = []
    for program in Program.objects.filter(is_active=True, code__in=SCREENED):
        version = version_on(program, today)
        if version is None:
            continue
        # One rule version and standard for the whole list (no query per person); graded
        # programmes (特扶 complications) are not screened.
        amount = amounts.amount_on(program, today)
        people = list(_candidates(prefix, today, SCREENED[program.code]))
        applied = set(
            Application.objects.filter(
                program=program,
                person_id__in=[p.pk for p in people],
                status__in=[*OPEN, Status.APPROVED],
            ).values_list("person_id", flat=True)
        )
        applied |= set(  # entitlements recorded without an application (legacy rolls)
            Beneficiary.objects.filter(
                program=program, person_id__in=[p.pk for p in people], status="active"
            ).values_list("person_id", flat=True)
        )
        waiting = [p for p in people if p.pk not in applied]
        for person, case, result in evaluate_people(program, version, waiting, today):
            if result.verdict != rules.FAIL:
                found.append(
                    ScreenRow(person, program, Verdict(program, version, result, amount, case))
                )
    return found
