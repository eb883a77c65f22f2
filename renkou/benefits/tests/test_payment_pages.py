"""The "done when" walk-through through the pages, continued past finalisation: the village
records her 一卡通 account (masked from then on), finance builds the roll, locks it, downloads
the bank file (full numbers, audited with its row count), imports the bank's results; her
ledger and the county totals agree to the fen. Plus: only finance gets the bank file; a bad
result file is reported by row and column on the page; the re-confirmation pages."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from renkou.benefits.constants import LineStatus, RollState
from renkou.benefits.models import Beneficiary, LedgerEntry, PaymentRoll
from renkou.benefits.tests.test_payments import card, roll_setup  # noqa: F401  (fixture)
from renkou.benefits.tests.test_views import _as, at, shown, sixty  # noqa: F401  (fixture)
from renkou.benefits.tests.test_views import test_the_done_flow as approve_through_pages
from renkou.common.models import AuditEntry


def _csv(tmp_path, rows):
    path = tmp_path / "bank.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["序号", "一卡通账号", "金额(元)", "状态", "失败原因"])
        writer.writerows(rows)
    return path


@pytest.fixture
def approved(sixty, personas, signed_in_client, client):  # noqa: F811
    approve_through_pages(sixty, personas, signed_in_client, client)
    return Beneficiary.objects.get(person=sixty)


def test_roll_bank_file_results_ledger_and_totals(
    approved, personas, signed_in_client, client, tmp_path
):
    b = approved
    # Approved 2026-03-16 (first half): the whole 2026 year of 奖扶, 960 yuan.
    assert (b.program.code, b.starts_on, b.ends_on) == ("jiangfu", date(2026, 3, 16), None)
    account = card(7)
    with at(date(2026, 3, 20)):
        _as(signed_in_client, personas, "village_admin")
        listing = client.get(reverse("benefits:beneficiary_list")).content.decode()
        assert b.person.name in listing and "未登记" in listing
        client.post(
            reverse("benefits:beneficiary_account", args=[b.pk]),
            {"account": account, "bank": "农信社", "version": shown(b)},
        )
        page = client.get(reverse("benefits:beneficiary_detail", args=[b.pk])).content.decode()
        assert account not in page and account[:4] + "********" + account[-4:] in page
        _as(signed_in_client, personas, "finance")
        response = client.post(
            reverse("benefits:roll_list"), {"program": "jiangfu", "period": "2026"}
        )
        roll = PaymentRoll.objects.get()
        assert response.status_code == 302 and roll.total_fen == 96000 and roll.line_count == 1
        detail = client.get(reverse("benefits:roll_detail", args=[roll.pk])).content.decode()
        assert b.person.name in detail and account not in detail
        client.post(reverse("benefits:roll_lock", args=[roll.pk]), {"version": shown(roll)})
        bank = client.post(
            reverse("benefits:roll_bank_file", args=[roll.pk]), {"version": shown(roll)}
        )
        assert bank.status_code == 200
        sheet = (
            CalamineWorkbook.from_filelike(io.BytesIO(bank.content))
            .get_sheet_by_index(0)
            .to_python()
        )
        assert sheet[0] == [
            "序号",
            "姓名",
            "身份证号",
            "一卡通账号",
            "金额(元)",
            "项目",
            "乡镇",
            "备注",
        ]
        assert sheet[1][1] == b.person.name and sheet[1][3] == account and sheet[1][4] == "960.00"
        assert sheet[1][6] == "甲镇"
        download = AuditEntry.objects.get(action="benefits.bank_file_download")
        assert download.row_count == len(sheet) - 1 == 1
        roll.refresh_from_db()
        assert roll.state == RollState.SENT
    with at(date(2026, 4, 10)):
        _as(signed_in_client, personas, "finance")
        path = _csv(tmp_path, [[1, account, "960.00", "成功", ""]])
        with path.open("rb") as f:
            url = reverse("benefits:roll_results", args=[roll.pk])
            client.post(url, {"file": f, "version": shown(roll)})
        roll.refresh_from_db()
        assert roll.state == RollState.IMPORTED and roll.paid_fen == 96000
        reconcile = client.get(reverse("benefits:roll_reconcile", args=[roll.pk])).content.decode()
        assert "960.00" in reconcile and "不平" not in reconcile
        totals = client.get(reverse("benefits:reconciliation") + "?year=2026").content.decode()
        assert "甲镇" in totals and "960.00" in totals and "不平" not in totals
        client.post(reverse("benefits:roll_close", args=[roll.pk]), {"version": shown(roll)})
        roll.refresh_from_db()
        assert roll.state == RollState.CLOSED
        _as(signed_in_client, personas, "township_officer")
        ledger = client.get(reverse("benefits:beneficiary_detail", args=[b.pk])).content.decode()
        assert "2026-04-10" in ledger and "960.00" in ledger
    entries = LedgerEntry.objects.filter(beneficiary=b)
    assert [(e.period, e.fen) for e in entries] == [("2026", 96000)]
    assert sum(e.fen for e in LedgerEntry.objects.all()) == roll.paid_fen == roll.total_fen


@pytest.fixture
def sent_roll(approved, personas, signed_in_client, client):
    b = approved
    b.account, b.account_index = card(7), ""
    from renkou.benefits.payments import account_index

    b.account_index = account_index(b.account)
    b.save()
    with at(date(2026, 3, 20)):
        _as(signed_in_client, personas, "finance")
        client.post(reverse("benefits:roll_list"), {"program": "jiangfu", "period": "2026"})
        roll = PaymentRoll.objects.get()
        client.post(reverse("benefits:roll_lock", args=[roll.pk]), {"version": shown(roll)})
    return roll


def test_the_bank_file_of_a_closed_roll_is_refused_with_a_message(
    sent_roll, personas, signed_in_client, client
):
    """Issue 19 item 4: the probe got a 500 (and, under debug, a page of full numbers)."""
    PaymentRoll.objects.filter(pk=sent_roll.pk).update(state=RollState.CLOSED)
    _as(signed_in_client, personas, "finance")
    url = reverse("benefits:roll_bank_file", args=[sent_roll.pk])
    response = client.post(url, {"version": shown(sent_roll)}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == reverse("benefits:roll_detail", args=[sent_roll.pk])
    assert "清册已结账，不能再下载银行文件" in response.content.decode()
    assert not AuditEntry.objects.filter(action="benefits.bank_file_download").exists()


def test_only_finance_gets_the_bank_file(sent_roll, personas, signed_in_client, client):
    for role in ("county_officer", "township_officer", "village_admin", "leader"):
        _as(signed_in_client, personas, role)
        assert (
            client.post(reverse("benefits:roll_bank_file", args=[sent_roll.pk])).status_code == 403
        )
    assert not AuditEntry.objects.filter(action="benefits.bank_file_download").exists()


def test_bad_result_file_is_reported_on_the_page(
    sent_roll, personas, signed_in_client, client, tmp_path
):
    with at(date(2026, 3, 21)):
        _as(signed_in_client, personas, "finance")
        bank_file = reverse("benefits:roll_bank_file", args=[sent_roll.pk])
        client.post(bank_file, {"version": shown(sent_roll)})
        path = _csv(tmp_path, [[1, card(7), "900.00", "成功", ""]])
        url = reverse("benefits:roll_results", args=[sent_roll.pk])
        with path.open("rb") as f:
            page = client.post(url, {"file": f, "version": shown(sent_roll)})
    text = page.content.decode()
    assert page.status_code == 200 and "未导入任何一行" in text and "金额(元)" in text
    assert "900.00 元与清册 960.00 元不符" in text
    assert not sent_roll.lines.exclude(status=LineStatus.PENDING).exists()


def test_reconfirmation_pages(
    approved, personas, signed_in_client, client, django_capture_on_commit_callbacks
):
    b = approved
    person = b.person
    person.exited_at, person.exit_reason = date(2026, 5, 3), "3"  # died in H1
    person.save()
    with at(date(2026, 9, 1)):
        _as(signed_in_client, personas, "county_officer")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("benefits:reconfirmation_build"), {"year": 2026})
        from renkou.benefits.models import Reconfirmation
        from renkou.common.models import JobProgress

        rc = Reconfirmation.objects.get()
        # Built on the background worker (run at once by the tests' task backend): its job row.
        job = JobProgress.objects.get(kind="benefits.reconfirm")
        assert job.status == JobProgress.Status.DONE and f"编号 {rc.pk}" in job.message
        page = client.get(reverse("benefits:reconfirmation_detail", args=[rc.pk])).content.decode()
        assert person.name in page and "死亡" in page
        change = rc.changes.get(beneficiary=b)
        client.post(reverse("benefits:change_decide", args=[change.pk]), {"accept": "1"})
        client.post(reverse("benefits:reconfirmation_accept_all", args=[rc.pk]))
        client.post(reverse("benefits:reconfirmation_apply", args=[rc.pk]))
    b.refresh_from_db()
    assert (b.status, b.ends_on) == ("stopped", date(2026, 5, 3))


def test_the_roll_page_finds_lines_by_name_township_and_status(
    roll_setup,  # noqa: F811  (the fixture imported above)
    personas,
    signed_in_client,
    client,
):
    """Issue 11 item 11: a roll of 1,723 lines had no search."""
    _people, _fin, roll = roll_setup
    _as(signed_in_client, personas, "finance")
    url = reverse("benefits:roll_detail", args=[roll.pk])
    page = client.get(url).content.decode()
    assert "乙乡" in page and "共 3 人" in page  # the townships of the roll's lines are offered

    def names(**params):
        response = client.get(url, params, headers={"HX-Request": "true"})
        return [line.person.name for line in response.context["page"].object_list]

    assert names(name="乙") == ["乙"]
    assert names(township="620001101") == ["丙"]
    assert names(township="620001100", name="甲") == ["甲"]
    assert names(status="paid") == []
    assert sorted(names(status="pending")) == ["丙", "乙", "甲"]
