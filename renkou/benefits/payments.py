"""Beneficiaries, payment rolls, bank results, the ledger and the reconciliation (issue 6 item 6;
domain.md §5.1 "Payment", §2.8 ``Beneficiary``/``Payment``).

- A finalised application becomes a ``Beneficiary`` (programme, person, period of entitlement,
  grade). Village and township staff (``benefits.apply``) record the 一卡通 account: encrypted
  at rest, a blind index for matching the bank's results, masked on every page.
- The finance staff (``benefits.pay``) build a roll per programme and period: a line per
  beneficiary with the amount due (``amounts.due_fen``), plus the failed lines of earlier rolls
  whose account has since been corrected (carried over once). draft → locked (accounts copied
  onto the lines, totals fixed) → sent (the bank file downloaded, audited with its row count) →
  imported (every line has a result) → closed.
- The bank's result file is checked row by row (line found, amount equal to the fen, status
  成功/失败); any bad row refuses the whole file with row/column messages; a good file is
  applied in one transaction, and the same file again changes nothing.
- A paid line writes a ledger row in the same transaction; the reconciliation checks roll total
  = paid + failed + pending and paid lines = ledger rows, to the fen.

Money is integer fen everywhere; yuan only on screen and in the bank file.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from renkou.accounts.constants import Perm
from renkou.benefits import amounts
from renkou.benefits.constants import (
    ACCOUNT_PURPOSE,
    BANK_FAILED,
    BANK_PAID,
    CHILDCARE_YEARS,
    BeneficiaryStatus,
    ExitReason,
    LineStatus,
    Period,
    RollState,
)
from renkou.benefits.models import (
    Application,
    Beneficiary,
    LedgerEntry,
    PaymentLine,
    PaymentRoll,
    Program,
    ResultImport,
)
from renkou.common import audit, crypto, validators
from renkou.common.actors import Actor, check_version
from renkou.geo.constants import county_of, full_code, township_of
from renkou.geo.scope import prefix_range
from renkou.people.importing.columns import Column, Sheet
from renkou.people.importing.files import FileRefused, sha256
from renkou.people.importing.reading import open_table
from renkou.people.services import id_index

PAID_STATES = (LineStatus.PAID,)
FAILED_STATES = (LineStatus.FAILED, LineStatus.CORRECTED, LineStatus.CARRIED)
OUT_OF_SCOPE = "该记录不属于您所在单位的管辖范围"
BENEFICIARY = "该享受对象的账号信息"  # what a stale page names (``check_version``)
ROLL = "该发放清册"


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _in_scope(user: Any, unit_code: str) -> bool:
    prefix = getattr(user, "scope_prefix", None)
    return prefix is not None and unit_code.startswith(prefix)


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals, for the bank file and the reconciliation: 96000 → 960.00."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


# --- beneficiaries ---------------------------------------------------------------------------


def entitlement_dates(app: Application) -> tuple[date, date | None]:
    """From/to of the entitlement an approved application opens: from the approval day; the
    childcare subsidy from the birth month (not before 2025-01-01) until the day before the
    third birthday (domain.md §9.1)."""
    start = app.eligible_from or app.approved_on or app.filed_on
    if app.program.period == Period.CHILD_YEAR:
        birth = app.person.birth_date
        third = amounts.add_years(birth, CHILDCARE_YEARS)
        return max(birth, amounts.CHILDCARE_START), third - timedelta(days=1)
    return start, None


def beneficiary_open(*, actor: Actor, application: Application) -> Beneficiary | None:
    """The entitlement of a finalised application (called by ``application_finalise`` in its
    transaction); None for non-cash programmes."""
    if application.program.period in (Period.NONE, Period.ONE_OFF):
        return None
    starts_on, ends_on = entitlement_dates(application)
    row = Beneficiary.objects.create(
        program=application.program,
        person=application.person,
        application=application,
        unit_code=application.unit_code,
        grade=application.grade or str(application.declared.get("complication_grade") or ""),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    audit.record_for(actor, "benefits.beneficiary_open", row, summary=application.program.code)
    return row


def stop(beneficiary: Beneficiary, day: date, reason: str, actor: Actor, summary: str = "") -> None:
    """End an entitlement on ``day`` (the last day it earns)."""
    beneficiary.status, beneficiary.ends_on = BeneficiaryStatus.STOPPED, day
    beneficiary.exit_reason = reason
    beneficiary.version += 1
    beneficiary.save(update_fields=["status", "ends_on", "exit_reason", "version"])
    audit.record_for(actor, "benefits.beneficiary_stop", beneficiary, summary=summary or reason)


def beneficiary_stop(*, actor: Actor, application: Application, day: date) -> None:
    """注销 of an approved application stops its entitlement (in the caller's transaction)."""
    row = (
        Beneficiary.objects.select_for_update()
        .filter(application=application, status=BeneficiaryStatus.ACTIVE)
        .first()
    )
    if row is not None:
        stop(row, day, ExitReason.CANCELLED, actor)


def account_index(number: str) -> str:
    return crypto.blind_index(number, ACCOUNT_PURPOSE) if number else ""


@transaction.atomic
def account_record(
    *,
    actor: Actor,
    beneficiary: Beneficiary,
    account: str,
    bank: str = "",
    version: int | None = None,
) -> Beneficiary:
    """Record or correct the 一卡通 account (village/township staff). Failed lines of this
    beneficiary waiting for correction become "已更正" and go into the next roll. ``version``
    is the one the page was opened with (a stale page is refused, security.md RL1; None only
    for callers without a page)."""
    _require(actor.user, Perm.APPLY_BENEFIT)
    row = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if version is not None:
        check_version(row.version, version, BENEFICIARY)
    if not _in_scope(actor.user, row.unit_code):
        raise PermissionDenied(OUT_OF_SCOPE)
    try:
        number = validators.bank_card(account)
    except ValidationError as exc:
        raise ValidationError({"account": exc.messages}) from exc
    row.account, row.account_index = number, account_index(number)
    row.account_bank = bank.strip()[:50]
    row.account_updated_at = timezone.now()
    row.version += 1
    row.save(
        update_fields=["account", "account_index", "account_bank", "account_updated_at", "version"]
    )
    fixed = PaymentLine.objects.filter(beneficiary=row, status=LineStatus.FAILED).update(
        status=LineStatus.CORRECTED
    )
    audit.record_for(actor, "benefits.account_record", row, summary=f"corrected_lines={fixed}")
    return row


# --- rolls -----------------------------------------------------------------------------------


def roll_unit(user: Any) -> str:
    """A roll belongs to the caller's unit (the county for the finance bureau), 12 digits."""
    return full_code(getattr(user, "scope_prefix", None) or "")


def _prefix(unit_code: str) -> str:
    county, township = county_of(unit_code), unit_code[6:9]
    if unit_code[6:] == "000000":
        return county
    if unit_code[9:] == "000":
        return county + township
    return unit_code


def due_lines(
    program: Program, prefix: str, period: amounts.Span, *, accounts: bool = False
) -> list[tuple[Beneficiary, int]]:
    """(beneficiary, fen) for every entitlement of ``program`` within ``prefix`` that earns
    something in ``period`` (those stopped during it included, prorated); the account is read
    (decrypted) only with ``accounts``."""
    rows = (
        Beneficiary.objects.filter(program=program, starts_on__lte=period.end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
        .filter(**prefix_range("unit_code", prefix))
        .select_related("person")
        .order_by("unit_code", "pk")
    )
    if not accounts:  # only what the amount needs: no account decrypted per row
        rows = rows.only(
            "unit_code", "starts_on", "ends_on", "grade", "person_id", "person__birth_date"
        )
    out, table = [], amounts.Table(program)
    for b in rows:
        fen = amounts.due_fen(
            program,
            starts_on=b.starts_on,
            ends_on=b.ends_on,
            period=period,
            grade=b.grade,
            birth=b.person.birth_date,
            table=table,
        )
        if fen > 0:
            out.append((b, fen))
    return out


def _overlapping(program: Program, unit_code: str, period: amounts.Span) -> PaymentRoll | None:
    return PaymentRoll.objects.filter(
        program=program, unit_code=unit_code, starts_on__lte=period.end, ends_on__gte=period.start
    ).first()


@transaction.atomic
def roll_create(*, actor: Actor, program: Program, period_code: str, today: date) -> PaymentRoll:
    """A draft roll of ``program`` for ``period_code`` at the caller's unit: the amounts due plus
    the corrected failed lines of earlier rolls (carried over once)."""
    _require(actor.user, Perm.PAY_BENEFIT)
    try:
        period = amounts.span(period_code)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    if program.period in (Period.NONE, Period.ONE_OFF):
        raise ValidationError({"program": "该项目不通过一卡通按期发放"})
    unit_code = roll_unit(actor.user)
    Program.objects.select_for_update().filter(pk=program.pk).first()  # one roll at a time
    taken = _overlapping(program, unit_code, period)
    if taken is not None:
        raise ValidationError({"period": f"与已有清册“{taken.period}”的发放期间重叠"})
    roll = PaymentRoll.objects.create(
        program=program,
        period=period.code,
        starts_on=period.start,
        ends_on=period.end,
        unit_code=unit_code,
        created_by=actor.account,
    )
    lines = [
        PaymentLine(
            roll=roll,
            beneficiary_id=b.pk,
            person_id=b.person_id,
            unit_code=b.unit_code,
            period=period.code,
            fen=fen,
            serial=0,
        )
        for b, fen in due_lines(program, _prefix(unit_code), period)
    ]
    carried = (
        PaymentLine.objects.filter(
            roll__program=program, status=LineStatus.CORRECTED, carried_to__isnull=True
        )
        .filter(**prefix_range("unit_code", _prefix(unit_code)))
        .select_related("beneficiary", "person")
        .order_by("unit_code", "pk")
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
                carried_from=old,
                serial=0,
            )
        )
    lines.sort(key=lambda line: (line.unit_code, line.beneficiary_id, line.period))
    for n, line in enumerate(lines, 1):
        line.serial = n
    PaymentLine.objects.bulk_create(lines, batch_size=1000)
    PaymentLine.objects.filter(
        pk__in=[x.carried_from_id for x in lines if x.carried_from_id]
    ).update(status=LineStatus.CARRIED)
    _totals(roll)
    audit.record_for(
        actor,
        "benefits.roll_create",
        roll,
        summary=f"{program.code} {period.code}",
        rows=len(lines),
    )
    return roll


def _totals(roll: PaymentRoll) -> None:
    sums = roll.lines.aggregate(
        n=Count("pk"),
        total=Sum("fen"),
        paid=Sum("fen", filter=Q(status__in=PAID_STATES)),
        failed=Sum("fen", filter=Q(status__in=FAILED_STATES)),
    )
    roll.line_count = sums["n"] or 0
    roll.total_fen = sums["total"] or 0
    roll.paid_fen = sums["paid"] or 0
    roll.failed_fen = sums["failed"] or 0
    roll.save(update_fields=["line_count", "total_fen", "paid_fen", "failed_fen"])


def _lock_roll(
    roll: PaymentRoll, actor: Actor, *states: str, version: int | None = None
) -> PaymentRoll:
    """The roll locked for a step. ``version`` is the one the page was opened with: a stale
    page is refused (``ConflictError``, 409) before the state is checked, so a second click on
    the same step never applies it twice (security.md RL1); None only for callers without a
    page. Every step that changes the roll bumps its version (``_bump``)."""
    _require(actor.user, Perm.PAY_BENEFIT)
    rolls = PaymentRoll.objects.select_for_update(of=("self",)).select_related("program")
    locked = rolls.get(pk=roll.pk)
    if not _in_scope(actor.user, locked.unit_code):
        raise PermissionDenied(OUT_OF_SCOPE)
    if version is not None:
        check_version(locked.version, version, ROLL)
    if locked.state not in states:
        raise ValidationError(f"清册当前为“{locked.get_state_display()}”，不能办理这一步")
    return locked


def _bump(roll: PaymentRoll, *fields: str) -> None:
    roll.version += 1
    roll.save(update_fields=[*fields, "version"])


def missing_accounts(roll: PaymentRoll) -> QuerySet[PaymentLine]:
    return roll.lines.filter(beneficiary__account_index="")


def _copy_accounts(rows: list[tuple[int, str, str]]) -> int:
    """Write each line's account snapshot: (line pk, account, blind index) → one prepared
    UPDATE run for every row (``executemany``). ``bulk_update`` builds a CASE of every row in
    Python first, which took most of the ~10 s a county roll of 1,723 lines needed to lock.
    The account is encrypted for the line's own column (a ciphertext is bound to its column)."""
    field = PaymentLine._meta.get_field("account")
    quote = connection.ops.quote_name
    table, account, index, key = (
        quote(name) for name in (PaymentLine._meta.db_table, "account", "account_index", "id")
    )
    sql = f"UPDATE {table} SET {account} = %s, {index} = %s WHERE {key} = %s"  # noqa: S608
    params = [(field.get_prep_value(account), index, pk) for pk, account, index in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


@transaction.atomic
def roll_lock(*, actor: Actor, roll: PaymentRoll, version: int | None = None) -> PaymentRoll:
    """锁定: copy each beneficiary's account onto its line and fix the totals; refused while a
    line has no account."""
    locked = _lock_roll(roll, actor, RollState.DRAFT, version=version)
    missing = missing_accounts(locked).count()
    if missing:
        raise ValidationError(f"有 {missing} 人尚未登记一卡通账号，请村（居）或乡镇补录后再锁定")
    accounts = Beneficiary.objects.filter(lines__roll=locked).values_list(
        "lines__pk", "account", "account_index"
    )
    copied = _copy_accounts(list(accounts))
    locked.state, locked.locked_at = RollState.LOCKED, timezone.now()
    _bump(locked, "state", "locked_at")
    _totals(locked)
    audit.record_for(actor, "benefits.roll_lock", locked, rows=copied)
    return locked


@transaction.atomic
def roll_delete(*, actor: Actor, roll: PaymentRoll, version: int | None = None) -> None:
    """A draft roll may be dropped (nothing has left the system); carried lines go back."""
    locked = _lock_roll(roll, actor, RollState.DRAFT, version=version)
    PaymentLine.objects.filter(carried_to__roll=locked).update(status=LineStatus.CORRECTED)
    audit.record_for(
        actor, "benefits.roll_delete", locked, summary=f"{locked.program.code} {locked.period}"
    )
    locked.lines.all().delete()
    locked.delete()


@dataclass(frozen=True)
class BankRow:
    serial: int
    name: str
    id_number: str
    account: str
    fen: int
    program: str
    township: str
    note: str


BANK_COLUMNS = (
    ("序号", 6, False),
    ("姓名", 12, True),
    ("身份证号", 22, True),
    ("一卡通账号", 24, True),
    ("金额(元)", 12, True),
    ("项目", 24, True),
    ("乡镇", 16, True),
    ("备注", 24, True),
)


def bank_rows(roll: PaymentRoll, townships: dict[str, str]) -> list[BankRow]:
    """The bank file's rows, full ID and account numbers (only for the audited download)."""
    out = []
    for line in roll.lines.select_related("person").order_by("serial"):
        note = f"补发{amounts.span(line.period).label}" if line.carried_from_id else ""
        out.append(
            BankRow(
                serial=line.serial,
                name=line.person.name,
                id_number=line.person.id_number or "",
                account=line.account,
                fen=line.fen,
                program=roll.program.name,
                township=townships.get(township_of(line.unit_code), ""),
                note=note,
            )
        )
    return out


@transaction.atomic
def roll_mark_sent(
    *, actor: Actor, roll: PaymentRoll, rows: int, version: int | None = None
) -> PaymentRoll:
    """The bank file was downloaded (audited with its row count); the first time the roll is
    reported as sent to the bank."""
    states = (RollState.LOCKED, RollState.SENT, RollState.IMPORTED)
    locked = _lock_roll(roll, actor, *states, version=version)
    if locked.state == RollState.LOCKED:
        locked.state, locked.sent_at = RollState.SENT, timezone.now()
        _bump(locked, "state", "sent_at")
    audit.record_for(actor, "benefits.bank_file_download", locked, summary=locked.period, rows=rows)
    return locked


@transaction.atomic
def roll_close(*, actor: Actor, roll: PaymentRoll, version: int | None = None) -> PaymentRoll:
    """结账 once every line has the bank's result and the reconciliation balances."""
    locked = _lock_roll(roll, actor, RollState.IMPORTED, version=version)
    report = reconcile(locked)
    if not report.balanced:
        raise ValidationError("对账不平，不能结账：" + "；".join(report.problems))
    locked.state, locked.closed_at = RollState.CLOSED, timezone.now()
    _bump(locked, "state", "closed_at")
    audit.record_for(actor, "benefits.roll_close", locked)
    return locked


# --- bank results ----------------------------------------------------------------------------

RESULT_SHEET = Sheet(
    (
        Column("serial", "序号"),
        Column("name", "姓名"),
        Column("id_number", "身份证号", text=True, aliases=("公民身份号码", "身份证号码")),
        Column("account", "一卡通账号", text=True, aliases=("账号", "银行账号", "卡号")),
        Column("amount", "金额", required=True, aliases=("金额元", "发放金额")),
        Column("status", "状态", required=True, aliases=("发放状态", "结果", "发放结果")),
        Column("reason", "失败原因", aliases=("原因", "备注")),
    ),
    frozenset({"id_number", "account"}),
    frozenset({"id_number", "account"}),
    "name",
)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ResultOutcome:
    rows: int = 0
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    duplicate: bool = False
    errors: list[RowError] = field(default_factory=list)


class ResultRefused(ValidationError):
    """The bank file has bad rows: nothing was applied."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"银行结果文件有 {len(errors)} 处错误，未导入任何一行")
        self.errors = errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_fen(value: Any) -> int:
    """A yuan amount from the bank file as fen; ``ValueError`` unless it is whole fen."""
    text = _text(value).replace(",", "").replace("元", "").replace("¥", "")
    try:
        amount = Decimal(str(value) if isinstance(value, float) else text) * 100
    except InvalidOperation as exc:
        raise ValueError("金额应为数字（元，最多两位小数）") from exc
    if amount != amount.to_integral_value() or amount < 0:
        raise ValueError("金额应为数字（元，最多两位小数）")
    return int(amount)


class _Matcher:
    """Roll lines by account blind index, by the holder's ID blind index, by serial."""

    def __init__(self, roll: PaymentRoll) -> None:
        self.lines = list(roll.lines.select_related("person"))
        self.by_account: dict[str, list[PaymentLine]] = defaultdict(list)
        self.by_person: dict[str, list[PaymentLine]] = defaultdict(list)
        self.by_serial = {line.serial: line for line in self.lines}
        for line in self.lines:
            self.by_account[line.account_index].append(line)
            self.by_person[line.person.id_index].append(line)

    def find(self, cells: dict[str, Any], header: dict[str, str]) -> tuple[Any, RowError | None]:
        account = "".join(_text(cells.get("account")).split())
        number = _text(cells.get("id_number"))
        found: list[PaymentLine] | None = None
        column = header.get("account") or header.get("id_number") or "一卡通账号"
        if account:
            found, column = self.by_account.get(account_index(account), []), header["account"]
        if number:
            by_id = self.by_person.get(id_index(number), [])
            found = by_id if found is None else [x for x in found if x in by_id]
            column = header["id_number"] if not account else column
        if found is None:
            return None, RowError(0, column, "请填写一卡通账号或身份证号")
        serial = _text(cells.get("serial"))
        if len(found) > 1 and serial.isdigit():
            found = [x for x in found if x.serial == int(serial)]
        if not found:
            return None, RowError(0, column, "本清册中没有这个账号/身份证号")
        if len(found) > 1:
            return None, RowError(0, header.get("serial", "序号"), "同一人有多行，请填写序号")
        return found[0], None


def _check_row(
    number: int, cells: dict[str, Any], header: dict[str, str], matcher: _Matcher
) -> tuple[PaymentLine | None, str, str, list[RowError]]:
    errors: list[RowError] = []
    line, problem = matcher.find(cells, header)
    if problem is not None:
        errors.append(RowError(number, problem.column, problem.message))
    status = _text(cells.get("status")).lower()
    outcome = (
        LineStatus.PAID
        if status in BANK_PAID
        else LineStatus.FAILED
        if status in BANK_FAILED
        else ""
    )
    if not outcome:
        errors.append(RowError(number, header["status"], "状态应为“成功”或“失败”"))
    try:
        fen = parse_fen(cells.get("amount"))
    except ValueError as exc:
        errors.append(RowError(number, header["amount"], str(exc)))
    else:
        if line is not None and fen != line.fen:
            message = f"金额 {yuan(fen)} 元与清册 {yuan(line.fen)} 元不符"
            errors.append(RowError(number, header["amount"], message))
    reason = _text(cells.get("reason"))[:200]
    if validators.has_bidi_control(reason):  # the same refusal as every form's
        errors.append(RowError(number, header.get("reason", "失败原因"), validators.BIDI_MESSAGE))
    if line is not None and outcome and line.status != LineStatus.PENDING:
        same = line.status == outcome or (
            outcome == LineStatus.FAILED and line.status in FAILED_STATES
        )
        if not same:
            message = f"该行已登记为“{line.get_status_display()}”，与本文件不一致"
            errors.append(RowError(number, header["status"], message))
    return line, outcome, reason, errors


def read_results(roll: PaymentRoll, path: Path, name: str) -> list[tuple[PaymentLine, str, str]]:
    """Every row checked; ``ResultRefused`` with all row/column errors, ``FileRefused`` for a
    file that cannot be read (the people import's limits and header rules)."""
    table = open_table(path, name, sheet=RESULT_SHEET)
    fields = set(table.fields.values())
    if not fields & {"account", "id_number"}:
        raise FileRefused("缺少“一卡通账号”或“身份证号”列")
    header = {f: table.header_of(f) for f in RESULT_SHEET.by_field}
    matcher = _Matcher(roll)
    seen: dict[int, int] = {}
    found, errors = [], []
    for number, raw in table.rows():
        cells = {f: raw[i] if i < len(raw) else None for i, f in table.fields.items()}
        if _text(cells.get("name")) == "示例":
            continue
        line, outcome, reason, problems = _check_row(number, cells, header, matcher)
        errors.extend(problems)
        if line is not None and line.pk in seen:
            message = f"与第 {seen[line.pk]} 行重复"
            errors.append(RowError(number, header.get("account") or "一卡通账号", message))
        if line is not None:
            seen.setdefault(line.pk, number)
        if not problems and line is not None:
            found.append((line, outcome, reason))
    if errors:
        raise ResultRefused(errors)
    if not found:
        raise FileRefused("文件中没有数据行")
    return found


@transaction.atomic
def results_import(
    *,
    actor: Actor,
    roll: PaymentRoll,
    path: Path,
    name: str,
    today: date,
    version: int | None = None,
) -> ResultOutcome:
    """导入银行结果: all rows or none. Paid lines write their ledger rows; failed lines wait for
    an account correction. The same file twice changes nothing."""
    locked = _lock_roll(roll, actor, RollState.SENT, RollState.IMPORTED, version=version)
    digest = sha256(path)
    if ResultImport.objects.filter(roll=locked, file_hash=digest).exists():
        return ResultOutcome(duplicate=True)
    rows = read_results(locked, path, name)
    outcome = ResultOutcome(rows=len(rows))
    ledger, changed = [], []
    for line, status, reason in rows:
        if line.status != LineStatus.PENDING:
            outcome.unchanged += 1
            continue
        line.status, line.result_on = status, today
        line.failure_reason = reason or ("未注明" if status == LineStatus.FAILED else "")
        changed.append(line)
        if status == LineStatus.PAID:
            outcome.paid += 1
            ledger.append(_ledger_row(locked, line, today))
        else:
            outcome.failed += 1
    PaymentLine.objects.bulk_update(
        changed, ["status", "result_on", "failure_reason"], batch_size=1000
    )
    LedgerEntry.objects.bulk_create(ledger, batch_size=1000)
    ResultImport.objects.create(
        roll=locked,
        unit_code=locked.unit_code,
        file_hash=digest,
        file_name=name[:200],
        rows=outcome.rows,
        paid=outcome.paid,
        failed=outcome.failed,
        imported_by=actor.account,
    )
    _totals(locked)
    if not locked.lines.filter(status=LineStatus.PENDING).exists():
        locked.state, locked.imported_at = RollState.IMPORTED, timezone.now()
    _bump(locked, "state", "imported_at")
    audit.record_for(
        actor,
        "benefits.bank_result_import",
        locked,
        summary=f"paid={outcome.paid} failed={outcome.failed}",
        rows=outcome.rows,
    )
    return outcome


def _ledger_row(roll: PaymentRoll, line: PaymentLine, today: date) -> LedgerEntry:
    return LedgerEntry(
        beneficiary_id=line.beneficiary_id,
        person_id=line.person_id,
        program_id=roll.program_id,
        roll=roll,
        line=line,
        unit_code=line.unit_code,
        period=line.period,
        year=amounts.span(line.period).year,
        fen=line.fen,
        paid_on=today,
        carried=line.carried_from_id is not None,
    )


# --- reconciliation --------------------------------------------------------------------------


@dataclass
class Balance:
    """One row of a reconciliation: lines and fen by outcome, and the ledger beside them."""

    key: str
    lines: int = 0
    total: int = 0
    paid: int = 0
    paid_lines: int = 0
    failed: int = 0
    pending: int = 0
    ledger: int = 0
    ledger_rows: int = 0

    @property
    def balanced(self) -> bool:
        return (
            self.total == self.paid + self.failed + self.pending
            and self.paid == self.ledger
            and self.paid_lines == self.ledger_rows
        )


@dataclass
class Report:
    total: Balance
    rows: list[Balance]
    problems: list[str]

    @property
    def balanced(self) -> bool:
        return not self.problems


def _balances(lines: QuerySet, ledger: QuerySet, length: int) -> dict[str, Balance]:
    out: dict[str, Balance] = {}
    for line in lines.values("unit_code", "status", "fen"):
        row = out.setdefault(line["unit_code"][:length], Balance(line["unit_code"][:length]))
        row.lines += 1
        row.total += line["fen"]
        if line["status"] in PAID_STATES:
            row.paid += line["fen"]
            row.paid_lines += 1
        elif line["status"] in FAILED_STATES:
            row.failed += line["fen"]
        else:
            row.pending += line["fen"]
    for entry in ledger.values("unit_code", "fen"):
        row = out.setdefault(entry["unit_code"][:length], Balance(entry["unit_code"][:length]))
        row.ledger += entry["fen"]
        row.ledger_rows += 1
    return out


def _sum(rows: list[Balance], key: str) -> Balance:
    total = Balance(key)
    for row in rows:
        for name in (
            "lines",
            "total",
            "paid",
            "paid_lines",
            "failed",
            "pending",
            "ledger",
            "ledger_rows",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def reconcile(roll: PaymentRoll) -> Report:
    """One roll by township: total = paid + failed + pending; paid lines = ledger rows; the
    stored roll totals = the lines."""
    rows = sorted(_balances(roll.lines.all(), roll.ledger.all(), 9).values(), key=lambda b: b.key)
    total = _sum(rows, "")
    problems = [f"{r.key}：明细与台账不符" for r in rows if not r.balanced]
    if (roll.total_fen, roll.paid_fen) != (total.total, total.paid):
        problems.append("清册合计与明细合计不符")
    if roll.failed_fen != total.failed:
        problems.append("清册失败金额与明细不符")
    return Report(total, rows, problems)


def reconcile_year(prefix: str, year: int) -> dict[str, Report]:
    """Every roll of the calendar year within ``prefix``, by programme, each by township."""
    out = {}
    rolls = PaymentRoll.objects.filter(starts_on__year=year, **prefix_range("unit_code", prefix))
    for program in Program.objects.filter(pk__in=rolls.values("program")).order_by("sort"):
        mine = rolls.filter(program=program)
        lines = PaymentLine.objects.filter(roll__in=mine)
        ledger = LedgerEntry.objects.filter(roll__in=mine)
        rows = sorted(_balances(lines, ledger, 9).values(), key=lambda b: b.key)
        problems = [f"{r.key}：明细与台账不符" for r in rows if not r.balanced]
        out[program.code] = Report(_sum(rows, program.name), rows, problems)
    return out
