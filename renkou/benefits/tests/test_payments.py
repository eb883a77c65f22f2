"""Amounts due by period (proration worked by hand), payment rolls, the bank file, bank results
(good, bad rows with row/column, mismatched amount, re-import), the ledger and the
reconciliation to the fen, and account corrections carried into the next roll."""

import csv
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import VILLAGE_A1, VILLAGE_B1
from renkou.benefits import amounts, payments
from renkou.benefits.constants import LineStatus, RollState
from renkou.benefits.models import Beneficiary, LedgerEntry, PaymentLine
from renkou.benefits.tests.conftest import actor, person
from renkou.common.models import AuditEntry
from renkou.common.validators import luhn_ok
from renkou.people.services import id_index


def card(n: int) -> str:
    """A Luhn-valid 16-digit account number ending in the check digit."""
    body = f"622848{n:09d}"
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def span(code):
    return amounts.span(code)


# --- amounts by hand -------------------------------------------------------------------------


@pytest.mark.django_db
def test_jiangfu_halves(programs):
    jf = programs["jiangfu"]
    year = span("2026")
    # 960 yuan a year = 96000 fen; H1 48000, H2 48000.
    assert amounts.due_fen(jf, starts_on=date(2026, 6, 30), ends_on=None, period=year) == 96000
    assert amounts.due_fen(jf, starts_on=date(2026, 7, 1), ends_on=None, period=year) == 48000
    died_h1 = amounts.due_fen(jf, starts_on=date(2020, 1, 1), ends_on=date(2026, 3, 5), period=year)
    died_h2 = amounts.due_fen(jf, starts_on=date(2020, 1, 1), ends_on=date(2026, 8, 5), period=year)
    assert (died_h1, died_h2) == (48000, 96000)
    assert (
        amounts.due_fen(jf, starts_on=date(2026, 2, 1), ends_on=None, period=span("2026H2"))
        == 48000
    )
    assert amounts.due_fen(jf, starts_on=date(2027, 1, 1), ends_on=None, period=year) == 0


@pytest.mark.django_db
def test_tefu_months_and_childcare_months(programs):
    tefu = programs["tefu_died"]
    # 590 yuan a month from 2022-07: March–December 2026 is 10 months.
    assert (
        amounts.due_fen(tefu, starts_on=date(2026, 3, 20), ends_on=None, period=span("2026"))
        == 10 * 59000
    )
    # Across the 2022-07 step: H2 2022 at 590, H1 2022 at 135.
    assert (
        amounts.due_fen(tefu, starts_on=date(2020, 1, 1), ends_on=None, period=span("2022"))
        == 6 * 13500 + 6 * 59000
    )
    cc = programs["childcare"]
    birth = date(2024, 5, 10)  # under 3 until 2027-05-09: 2025 all 12 months, 2027 Jan–Apr
    kwargs = {"starts_on": date(2025, 1, 1), "ends_on": date(2027, 5, 9), "birth": birth}
    assert amounts.due_fen(cc, period=span("2025"), **kwargs) == 360000
    assert amounts.due_fen(cc, period=span("2027"), **kwargs) == 4 * 30000
    whole = sum(amounts.due_fen(cc, period=span(str(y)), **kwargs) for y in (2025, 2026, 2027))
    assert whole == amounts.childcare_fen(birth, 360000) == 28 * 30000


def test_period_codes():
    assert span("2026H2").start == date(2026, 7, 1) and span("2026").end == date(2026, 12, 31)
    with pytest.raises(ValueError, match="2026H1"):
        span("2026Q1")


# --- rolls, bank results, ledger, reconciliation --------------------------------------------


def beneficiary(
    programs, name, unit=VILLAGE_A1, starts=date(2020, 1, 1), account=None, n=1, **extra
):
    p = person(name, "1", date(1960, 1, 1), unit, id_number=f"62000119600101{n:03d}X"[:18], **extra)
    p.id_index = id_index(p.id_number)
    p.save(update_fields=["id_index"])
    b = Beneficiary.objects.create(
        program=programs["jiangfu"], person=p, unit_code=unit, starts_on=starts
    )
    if account:
        b.account, b.account_index = account, payments.account_index(account)
        b.save()
    return b


@pytest.fixture
def roll_setup(programs, personas):
    people = [
        beneficiary(programs, "甲", account=card(1), n=1),
        beneficiary(programs, "乙", account=card(2), n=2),
        beneficiary(programs, "丙", VILLAGE_B1, starts=date(2026, 8, 1), account=card(3), n=3),
    ]
    fin = actor(personas, "finance")
    roll = payments.roll_create(
        actor=fin, program=programs["jiangfu"], period_code="2026", today=date(2026, 9, 1)
    )
    return people, fin, roll


def write_csv(tmp_path: Path, rows, name="result.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["序号", "姓名", "一卡通账号", "金额(元)", "状态", "失败原因"])
        w.writerows(rows)
    return path


def test_roll_lines_and_totals(roll_setup):
    people, fin, roll = roll_setup
    # 甲, 乙 the whole year (960.00 each); 丙 from August: H2 only (480.00).
    assert roll.line_count == 3 and roll.total_fen == 96000 + 96000 + 48000
    fens = dict(roll.lines.values_list("beneficiary_id", "fen"))
    assert fens == {people[0].pk: 96000, people[1].pk: 96000, people[2].pk: 48000}
    with pytest.raises(ValidationError):  # overlapping period
        payments.roll_create(
            actor=fin, program=roll.program, period_code="2026H2", today=date(2026, 9, 1)
        )


def test_lock_refuses_missing_account_and_village_cannot_pay(programs, personas):
    beneficiary(programs, "丁", n=4)
    fin = actor(personas, "finance")
    roll = payments.roll_create(
        actor=fin, program=programs["jiangfu"], period_code="2026", today=date(2026, 9, 1)
    )
    with pytest.raises(ValidationError, match="1 人尚未登记"):
        payments.roll_lock(actor=fin, roll=roll)
    with pytest.raises(PermissionDenied):
        payments.roll_create(
            actor=actor(personas, "village_admin"),
            program=programs["jiangfu"],
            period_code="2025",
            today=date(2026, 9, 1),
        )


def test_bank_results_ledger_reconciliation_and_carry(roll_setup, tmp_path, personas):
    people, fin, roll = roll_setup
    payments.roll_lock(actor=fin, roll=roll)
    rows = payments.bank_rows(roll, {"620001100": "甲镇", "620001101": "乙乡"})
    assert [r.account for r in rows] == [card(1), card(2), card(3)]  # full numbers in the file
    payments.roll_mark_sent(actor=fin, roll=roll, rows=len(rows))
    good = write_csv(
        tmp_path,
        [
            [1, "甲", card(1), "960.00", "成功", ""],
            [2, "乙", card(2), "960", "失败", "账户已销户"],
            [3, "丙", card(3), 480, "成功", ""],
        ],
    )
    outcome = payments.results_import(
        actor=fin, roll=roll, path=good, name="result.csv", today=date(2026, 9, 20)
    )
    assert (outcome.paid, outcome.failed) == (2, 1)
    roll.refresh_from_db()
    assert roll.state == RollState.IMPORTED
    assert (roll.paid_fen, roll.failed_fen) == (96000 + 48000, 96000)
    ledger = LedgerEntry.objects.filter(roll=roll)
    assert sorted(ledger.values_list("fen", flat=True)) == [48000, 96000]
    report = payments.reconcile(roll)
    assert (
        report.balanced and report.total.total == 240000 == report.total.paid + report.total.failed
    )
    assert {r.key: r.total for r in report.rows} == {"620001100": 192000, "620001101": 48000}
    # The same file again changes nothing.
    again = payments.results_import(
        actor=fin, roll=roll, path=good, name="result.csv", today=date(2026, 9, 21)
    )
    assert again.duplicate and LedgerEntry.objects.count() == 2
    # The failed line waits for a corrected account, then goes into the next roll once.
    village = actor(personas, "village_admin")
    payments.account_record(actor=village, beneficiary=people[1], account=card(22), bank="信用社")
    failed = PaymentLine.objects.get(roll=roll, beneficiary=people[1])
    assert failed.status == LineStatus.CORRECTED
    payments.roll_close(actor=fin, roll=roll)
    nxt = payments.roll_create(
        actor=fin, program=roll.program, period_code="2027H1", today=date(2027, 3, 1)
    )
    carried = nxt.lines.get(carried_from=failed)
    assert (carried.fen, carried.period) == (96000, "2026")
    assert nxt.total_fen == 3 * 48000 + 96000  # three halves of 2027 + the 2026 arrears
    failed.refresh_from_db()
    assert failed.status == LineStatus.CARRIED
    third = payments.roll_create(
        actor=fin, program=roll.program, period_code="2027H2", today=date(2027, 8, 1)
    )
    assert not third.lines.filter(carried_from__isnull=False).exists()  # carried once only
    audit_rows = AuditEntry.objects.filter(action="benefits.bank_result_import")
    assert list(audit_rows.values_list("row_count", flat=True)) == [3]


def test_bad_rows_reported_and_nothing_applied(roll_setup, tmp_path):
    people, fin, roll = roll_setup
    payments.roll_lock(actor=fin, roll=roll)
    payments.roll_mark_sent(actor=fin, roll=roll, rows=3)
    bad = write_csv(
        tmp_path,
        [
            [1, "甲", card(1), "960.00", "成功", ""],
            [2, "乙", card(2), "950.00", "成功", ""],  # amount differs
            [3, "戊", card(9), "480.00", "成功", ""],  # unknown account
            [4, "丙", card(3), "480.00", "处理中", ""],  # unknown status
        ],
    )
    with pytest.raises(payments.ResultRefused) as caught:
        payments.results_import(
            actor=fin, roll=roll, path=bad, name="bad.csv", today=date(2026, 9, 20)
        )
    got = {(e.row, e.column) for e in caught.value.errors}
    assert got == {(3, "金额(元)"), (4, "一卡通账号"), (5, "状态")}
    assert "与清册 960.00 元不符" in next(e.message for e in caught.value.errors if e.row == 3)
    assert not LedgerEntry.objects.exists()
    assert not PaymentLine.objects.filter(roll=roll).exclude(status=LineStatus.PENDING).exists()


def test_xlsx_result_by_id_number(roll_setup, tmp_path):
    people, fin, roll = roll_setup
    payments.roll_lock(actor=fin, roll=roll)
    payments.roll_mark_sent(actor=fin, roll=roll, rows=3)
    path = tmp_path / "result.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["身份证号", "金额", "状态", "失败原因"])
    for i, b in enumerate(people, 1):
        sheet.write_row(i, 0, [b.person.id_number, "960.00" if i < 3 else "480.00", "成功", ""])
    book.close()
    outcome = payments.results_import(
        actor=fin, roll=roll, path=path, name="result.xlsx", today=date(2026, 9, 20)
    )
    assert outcome.paid == 3
    assert sum(LedgerEntry.objects.values_list("fen", flat=True)) == 240000


def test_a_future_amount_changes_nothing_before_its_date(programs, personas):
    from renkou.benefits import eligibility

    fin = actor(personas, "finance")
    eligibility.amount_add(
        actor=actor(personas, "county_officer"),
        program=programs["jiangfu"],
        effective_from=date(2027, 1, 1),
        fen=120000,
    )
    beneficiary(programs, "甲", account=card(1), n=1)
    now = payments.roll_create(
        actor=fin, program=programs["jiangfu"], period_code="2026", today=date(2026, 9, 1)
    )
    later = payments.roll_create(
        actor=fin, program=programs["jiangfu"], period_code="2027", today=date(2026, 9, 1)
    )
    assert (now.total_fen, later.total_fen) == (96000, 120000)


def test_figures_count_their_lists(roll_setup, tmp_path, programs):
    from renkou.benefits import figures
    from renkou.benefits.tests.conftest import child, couple

    people, fin, roll = roll_setup
    payments.roll_lock(actor=fin, roll=roll)
    payments.roll_mark_sent(actor=fin, roll=roll, rows=3)
    path = write_csv(
        tmp_path,
        [
            [1, "甲", card(1), "960.00", "成功", ""],
            [2, "乙", card(2), "960.00", "失败", "账号错误"],
            [3, "丙", card(3), "480.00", "成功", ""],
        ],
    )
    payments.results_import(actor=fin, roll=roll, path=path, name="r.csv", today=date(2026, 9, 20))
    husband, wife = couple(husband_born=date(1960, 2, 1), wife_born=date(1970, 1, 1))
    child(wife, 1, "1", date(1990, 1, 1))  # the husband appears eligible, has no application
    got = figures.evaluate("620001", 2026, date(2026, 10, 1))
    # 甲 乙 丙 in force; the husband passes 奖扶 without an application. 甲 乙 丙 have no card,
    # so 特扶 is "待核实" for them (on the 全覆盖 list, not counted as eligible): 3 / 4.
    assert (got["coverage"].numerator, got["coverage"].denominator) == (3, 4)
    assert got["coverage"].display == "75.0%"
    # 甲 and 丙 paid in full by the roll; 乙 failed: 2 / 3.
    assert (got["payment_rate"].numerator, got["payment_rate"].denominator) == (2, 3)
    assert got["paid_jiangfu"].numerator == 1440.0 and got["paid_jiangfu"].display == "1,440.00"
    names = reverse("benefits:figure_names", args=["coverage"])
    assert got["coverage"].numerator_list.url == f"{names}?side=n&unit=620001&year=2026"
    assert got["paid_jiangfu"].numerator_list is None  # the ledger, not a list of persons
    assert len(figures.screened("620001", date(2026, 10, 1))) == 1
    by_township = figures.table("620001", 2026, date(2026, 10, 1), 9)
    assert by_township["620001101"]["paid_jiangfu"].numerator == 480.0
    assert by_township["620001100"]["payment_rate"].denominator == 2
