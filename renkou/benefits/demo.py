"""Demo benefit history for the demo county (issue 6 item 8): three years of 奖扶, 特扶 and
育儿补贴 beneficiaries with paid rolls (a few failed payments corrected and paid in the next
roll, a few still waiting for correction), pending applications at each review step and a
public notice running now.

Deterministic (one seeded ``random.Random``) and bulk: the people come from the 全覆盖 list of
the reference day (so every one passes the rule in force), entitlements and the closed rolls
are written with ``bulk_create``; the pending applications go through the real services as the
demo accounts, so their history and decisions are complete.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from renkou.benefits import amounts, eligibility, payments, screening, services
from renkou.benefits.constants import LineStatus, Period, RollState, Status
from renkou.benefits.models import (
    Application,
    Beneficiary,
    LedgerEntry,
    PaymentLine,
    PaymentRoll,
    Program,
)
from renkou.common import audit, rules
from renkou.common.actors import Actor
from renkou.geo.constants import county_of, full_code, township_of
from renkou.geo.scope import prefix_range
from renkou.people.models import Child, WomanCard
from renkou.people.signals import cards_written

FAILURES = ("账户已销户", "户名与账号不符", "账户冻结", "账号不存在")
TAKE = {"jiangfu": 0.8, "tefu_died": 0.9, "tefu_disabled": 0.9, "childcare": 0.7}
UNKNOWN_TAKE = {"jiangfu": 0.12}
FAIL_RATE = 0.02
HISTORY_FROM = date(2021, 1, 1)


@dataclass
class DemoReport:
    beneficiaries: int = 0
    rolls: int = 0
    lines: int = 0
    failed: int = 0
    pending: int = 0
    notice: int = 0


def account_number(rng: random.Random) -> str:
    body = "622848" + "".join(rng.choice("0123456789") for _ in range(9))
    return next(body + d for d in "0123456789" if _luhn(body + d))


def _luhn(digits: str) -> bool:
    from renkou.common.validators import luhn_ok

    return luhn_ok(digits)


def _start(row: Any) -> date:
    """When the demo entitlement began: the 60th (奖扶) / 49th (特扶) birthday, not before 2021."""
    birth, code = row.person.birth_date, row.program.code
    if code == "jiangfu":
        return max(amounts.add_years(birth, 60), HISTORY_FROM)
    woman = row.person if row.person.sex == "2" else (row.person.spouse or row.person)
    return max(amounts.add_years(woman.birth_date, 49), HISTORY_FROM)


def _entitlements(rows: list[Any], rng: random.Random, today: date) -> list[Beneficiary]:
    apps, out = [], []
    for row in rows:
        if row.program.period == Period.CHILD_YEAR:
            starts = max(row.person.birth_date, amounts.CHILDCARE_START)
            ends: date | None = amounts.add_years(row.person.birth_date, 3) - timedelta(days=1)
        else:
            starts, ends = _start(row), None
        approved = min(max(starts, date(starts.year, 3, 31)), today)
        apps.append(
            Application(
                program=row.program,
                person=row.person,
                partner=row.person.spouse,
                unit_code=row.person.unit_code,
                year=approved.year,
                status=Status.APPROVED,
                step=len(row.program.steps) - 1,
                filed_on=approved - timedelta(days=40),
                approved_on=approved,
                eligible_from=starts,
                village_opinion="演示数据",
            )
        )
        number = account_number(rng)
        out.append(
            Beneficiary(
                program=row.program,
                person=row.person,
                unit_code=row.person.unit_code,
                starts_on=starts,
                ends_on=ends,
                account=number,
                account_index=payments.account_index(number),
                account_bank="县农村信用合作联社",
                account_updated_at=timezone.now(),
            )
        )
    Application.objects.bulk_create(apps, batch_size=1000)
    for app, b in zip(apps, out, strict=True):
        b.application = app
    Beneficiary.objects.bulk_create(out, batch_size=1000)
    return out


def _periods(program: Program, today: date) -> list[str]:
    last = today.year - 1
    if program.code == "childcare":
        return [str(y) for y in range(2025, last + 1)]
    if program.period == Period.PERSON_MONTH:
        return [f"{y}H{h}" for y in range(last - 2, last + 1) for h in (1, 2)]
    return [str(y) for y in range(last - 2, last + 1)]


def _roll(program: Program, code: str, unit: str, rng: random.Random, final: bool) -> tuple:
    """One closed roll: the amounts due plus the corrected failures carried over, a few new
    failures (corrected at once unless ``final``), the ledger for every paid line."""
    period = amounts.span(code)
    paid_on = period.end + timedelta(days=20)
    roll = PaymentRoll.objects.create(
        program=program,
        period=code,
        starts_on=period.start,
        ends_on=period.end,
        unit_code=unit,
        state=RollState.CLOSED,
        locked_at=timezone.now(),
        sent_at=timezone.now(),
        imported_at=timezone.now(),
        closed_at=timezone.now(),
    )
    prefix = county_of(unit)
    lines = [
        PaymentLine(
            roll=roll,
            beneficiary=b,
            person=b.person,
            unit_code=b.unit_code,
            period=code,
            fen=fen,
            serial=0,
            account=b.account,
            account_index=b.account_index,
        )
        for b, fen in payments.due_lines(program, prefix, period, accounts=True)
    ]
    carried = list(
        PaymentLine.objects.filter(
            roll__program=program, status=LineStatus.CORRECTED
        ).select_related("beneficiary", "person")
    )
    for old in carried:
        lines.append(
            PaymentLine(
                roll=roll,
                beneficiary=old.beneficiary,
                person=old.person,
                unit_code=old.unit_code,
                period=old.period,
                fen=old.fen,
                serial=0,
                carried_from=old,
                account=old.beneficiary.account,
                account_index=old.beneficiary.account_index,
            )
        )
    failed = 0
    for n, line in enumerate(lines, 1):
        line.serial, line.result_on = n, paid_on
        if line.carried_from is None and rng.random() < FAIL_RATE:
            line.status, line.failure_reason = LineStatus.FAILED, rng.choice(FAILURES)
            failed += 1
        else:
            line.status = LineStatus.PAID
    PaymentLine.objects.bulk_create(lines, batch_size=1000)
    PaymentLine.objects.filter(pk__in=[o.pk for o in carried]).update(status=LineStatus.CARRIED)
    if not final:  # the village corrected the accounts before the next roll
        PaymentLine.objects.filter(roll=roll, status=LineStatus.FAILED).update(
            status=LineStatus.CORRECTED
        )
    ledger = [
        payments._ledger_row(roll, line, paid_on)
        for line in lines
        if line.status == LineStatus.PAID
    ]
    LedgerEntry.objects.bulk_create(ledger, batch_size=1000)
    payments._totals(roll)
    return roll, len(lines), failed


def _pending(county: str, rows: list[Any], today: date, users: dict[str, Any]) -> tuple[int, int]:
    """Applications at each step (filed, returned, waiting for a notice, on a notice now, at
    the county), through the services as the demo township officer."""
    township = users.get("xiang_liulin")
    if township is None:
        return 0, 0
    t_actor = Actor(township, "127.0.0.1")
    unit = township.unit.code
    mine = [
        r
        for r in rows
        if r.person.unit_code.startswith(township_of(unit)) and r.program.code == "jiangfu"
    ][:10]
    if len(mine) < 10:
        return 0, 0
    program = mine[0].program
    earlier = today - timedelta(days=12)
    # 待核实 cases (no card holds the couple's children) are approved as after a visit.
    seen = "已入户核验户口簿及子女出生证明原件"

    def file(row: Any, day: date) -> Application:
        return services.application_file(
            actor=t_actor,
            program=program,
            person=row.person,
            village_opinion="村民代表评议通过",
            today=day,
        )

    # Two reached the county: township notice ran and ended, the list moved up.
    up = [file(r, earlier) for r in mine[:2]]
    for app in up:
        services.application_approve(
            actor=t_actor, application=app, confirm_reason=seen, today=earlier
        )
    notice = services.notice_publish(
        actor=t_actor, program=program, unit_code=unit, starts_on=earlier, today=earlier
    )
    services.notice_close(actor=t_actor, notice=notice, today=today)
    # Two on the township notice running now (7 days from today).
    listed = [file(r, today) for r in mine[2:4]]
    for app in listed:
        services.application_approve(
            actor=t_actor, application=app, confirm_reason=seen, today=today
        )
    running = services.notice_publish(
        actor=t_actor,
        program=program,
        unit_code=unit,
        starts_on=today,
        contact="0941-0000000",
        today=today,
    )
    # Two approved by the township, waiting for the next notice; three filed; one returned.
    for row in mine[4:6]:
        services.application_approve(
            actor=t_actor, application=file(row, today), confirm_reason=seen, today=today
        )
    for row in mine[6:9]:
        file(row, today)
    services.application_return(
        actor=t_actor, application=file(mine[9], today), comment="请补充户口簿复印件"
    )
    return 10, running.entries.count()


def _lost_only_children(county: str, today: date, rng: random.Random) -> int:
    """The synthetic register has no family that lost its only child; mark the only child (with
    no person record of its own) of some women over 49 as died, so that 特扶 has cases."""
    born_by = amounts.add_years(today, -49)
    cards = (
        WomanCard.objects.filter(
            person__birth_date__lte=born_by,
            person__exited_at__isnull=True,
            **prefix_range("unit_code", county),
        )
        .annotate(n=Count("children"))
        .filter(n=1)
    )
    children = list(
        Child.objects.filter(card__in=cards, person__isnull=True, survival="alive").order_by("pk")
    )
    lost = [c for c in children if rng.random() < 0.8]
    for c in lost:
        c.survival = "dead"
        c.death_date = min(amounts.add_years(c.birth_date, rng.randint(8, 30)), date(2020, 6, 30))
    Child.objects.bulk_update(lost, ["survival", "death_date"], batch_size=500)
    cards_written.send(sender=Child, ids=sorted({c.card_id for c in lost}))
    return len(lost)


@transaction.atomic
def seed_benefits(*, county: str, today: date, seed: int, users: dict[str, Any]) -> DemoReport:
    rng = random.Random(seed)  # noqa: S311 synthetic data, not a secret
    report = DemoReport()
    _lost_only_children(county, today, rng)
    rows = eligibility.screen(county, today)
    rows.sort(key=lambda r: (r.program.code, r.person.pk))
    chosen, left = [], []
    for row in rows:
        # Only a clear pass becomes a beneficiary (特扶 needs the child's death or disability on
        # the card); a few 奖扶 "待核实" couples too, as if their documents had settled it.
        passed = row.verdict.result.verdict == rules.PASS
        share = TAKE.get(row.program.code, 0) if passed else UNKNOWN_TAKE.get(row.program.code, 0)
        if rng.random() < share:
            chosen.append(row)
        else:
            left.append(row)
    seen: set[int] = set()
    unique = []
    for row in chosen:  # one cash programme of a kind per person (特扶: died or disabled)
        key = (row.person.pk, row.program.code[:4])
        if (row.person.pk, "tefu") in seen and key[1] == "tefu":
            continue
        seen.add(key)
        unique.append(row)
    report.beneficiaries = len(_entitlements(unique, rng, today))
    unit = full_code(county)
    for program in Program.objects.filter(code__in=list(TAKE)).order_by("sort"):
        codes = _periods(program, today)
        for i, code in enumerate(codes):
            roll, lines, failed = _roll(program, code, unit, rng, final=i == len(codes) - 1)
            if not lines:  # nobody earned anything in that period: no roll
                roll.delete()
                continue
            report.rolls += 1
            report.lines += lines
            report.failed += failed
    report.pending, report.notice = _pending(county, left, today, users)
    # The demo's earlier bulk loads (events, services) bypass the register's signals: the
    # 全覆盖 table is built once from what they left.
    screening.rebuild(county, today)
    audit.record(
        actor=None,
        action="demo.benefits",
        object_type="benefits.beneficiary",
        row_count=report.beneficiaries,
        summary=f"seed={seed}",
    )
    return report
