"""The demo history on the test county: entitlements from the 全覆盖 list, closed rolls that
reconcile to the fen, failed payments corrected and paid in the next roll."""

from datetime import date

from renkou.benefits import demo, payments
from renkou.benefits.constants import LineStatus
from renkou.benefits.models import Beneficiary, LedgerEntry, PaymentLine, PaymentRoll
from renkou.benefits.tests.conftest import child, couple, person


def test_demo_history_reconciles(programs, units):
    for n in range(30):
        husband, wife = couple(husband_born=date(1950 + n % 10, 3, 1), wife_born=date(1955, 1, 1))
        child(wife, 1, "1", date(1980, 1, 1))
    for n in range(10):
        person(f"宝{n}", "1", date(2024, 1 + n, 5))
    report = demo.seed_benefits(county="620001", today=date(2026, 11, 1), seed=7, users={})
    assert report.beneficiaries == Beneficiary.objects.count() > 0
    codes = set(PaymentRoll.objects.values_list("program__code", "period"))
    assert ("jiangfu", "2023") in codes and ("jiangfu", "2025") in codes
    assert ("childcare", "2025") in codes and ("childcare", "2024") not in codes
    for roll in PaymentRoll.objects.all():
        assert payments.reconcile(roll).balanced, roll.period
    paid = sum(PaymentLine.objects.filter(status=LineStatus.PAID).values_list("fen", flat=True))
    assert paid == sum(LedgerEntry.objects.values_list("fen", flat=True)) > 0
    for line in PaymentLine.objects.filter(carried_from__isnull=False):
        assert line.carried_from.status == LineStatus.CARRIED and line.status == LineStatus.PAID
