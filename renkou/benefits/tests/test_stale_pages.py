"""A page opened before somebody else acted on the record (optimistic lock, security.md RL1):
the second click of the same step, or any step from the stale page, gets 409 with the clear
message and changes nothing; the first click's result stands."""

from datetime import date

from django.urls import reverse

from renkou.benefits.constants import RollState, Status
from renkou.benefits.models import Application, Beneficiary, PaymentRoll, StepLog
from renkou.benefits.tests.test_payment_pages import approved, sent_roll  # noqa: F401  (fixture)
from renkou.benefits.tests.test_payments import card, roll_setup  # noqa: F401  (fixture)
from renkou.benefits.tests.test_views import _as, at, filed, shown, sixty  # noqa: F401  (fixture)
from renkou.common.models import AuditEntry

STALE = "已被他人修改，请刷新后重试"


def _refused(response, what: str) -> str:
    text = response.content.decode()
    assert response.status_code == 409, response.status_code
    assert f"{what}{STALE}" in text
    return text


def test_a_second_approval_from_the_same_page_is_refused(filed, personas, signed_in_client, client):  # noqa: F811
    opened = shown(filed)  # two reviewers opened the page at this version
    review = reverse("benefits:application_review", args=[filed.pk])
    _as(signed_in_client, personas, "township_officer")
    with at(date(2026, 3, 2)):
        first = client.post(review, {"action": "approve", "comment": "同意", "version": opened})
        second = client.post(review, {"action": "return", "comment": "补材料", "version": opened})
    assert first.status_code == 302
    text = _refused(second, "该申请")
    assert reverse("benefits:application_detail", args=[filed.pk]) in text  # the reload link
    filed.refresh_from_db()
    assert filed.status == Status.PASSED and filed.version == opened + 1
    assert list(StepLog.objects.filter(application=filed).values_list("action", flat=True)) == [
        "file",
        "approve",
    ]


def test_a_review_without_the_version_is_refused(filed, personas, signed_in_client, client):  # noqa: F811
    _as(signed_in_client, personas, "township_officer")
    with at(date(2026, 3, 2)):
        response = client.post(
            reverse("benefits:application_review", args=[filed.pk]), {"action": "approve"}
        )
    _refused(response, "该申请")
    assert Application.objects.get(pk=filed.pk).status == Status.SUBMITTED


def test_withdraw_and_correct_from_a_stale_page_change_nothing(
    filed,  # noqa: F811
    personas,
    signed_in_client,
    client,
):
    opened = shown(filed)
    _as(signed_in_client, personas, "township_officer")
    with at(date(2026, 3, 2)):
        review = reverse("benefits:application_review", args=[filed.pk])
        client.post(review, {"action": "return", "comment": "补材料", "version": opened})
        returned = shown(filed)
        _as(signed_in_client, personas, "village_admin")
        correct = reverse("benefits:application_correct", args=[filed.pk])
        page = client.get(correct).content.decode()
        assert f'name="version" value="{returned}"' in page
        stale = client.post(correct, {"comment": "已补", "version": opened})
        withdraw = reverse("benefits:application_withdraw", args=[filed.pk])
        stale_withdraw = client.post(withdraw, {"version": opened})
    _refused(stale, "该申请")
    _refused(stale_withdraw, "该申请")
    filed.refresh_from_db()
    assert (filed.status, filed.version) == (Status.RETURNED, returned)


def test_a_second_lock_of_the_roll_is_refused(sent_roll, personas, signed_in_client, client):  # noqa: F811
    """``sent_roll`` was locked from its page at version 1; the same page clicked again."""
    assert sent_roll.version == 1
    roll = PaymentRoll.objects.get(pk=sent_roll.pk)
    assert roll.state == RollState.LOCKED and roll.version == 2
    _as(signed_in_client, personas, "finance")
    again = client.post(reverse("benefits:roll_lock", args=[roll.pk]), {"version": 1})
    delete = client.post(reverse("benefits:roll_delete", args=[roll.pk]), {"version": 1})
    text = _refused(again, "该发放清册")
    assert "本次操作未执行" in text
    _refused(delete, "该发放清册")
    assert AuditEntry.objects.filter(action="benefits.roll_lock").count() == 1
    assert PaymentRoll.objects.get(pk=roll.pk).version == 2


def test_the_bank_file_and_close_from_a_stale_page_are_refused(
    sent_roll,  # noqa: F811
    personas,
    signed_in_client,
    client,
):
    _as(signed_in_client, personas, "finance")
    locked = shown(sent_roll)
    bank_file = reverse("benefits:roll_bank_file", args=[sent_roll.pk])
    with at(date(2026, 3, 21)):
        assert client.post(bank_file, {"version": locked}).status_code == 200
        stale = client.post(bank_file, {"version": locked})
    _refused(stale, "该发放清册")
    roll = PaymentRoll.objects.get(pk=sent_roll.pk)
    assert roll.state == RollState.SENT and roll.version == locked + 1
    assert AuditEntry.objects.filter(action="benefits.bank_file_download").count() == 1
    PaymentRoll.objects.filter(pk=roll.pk).update(state=RollState.IMPORTED)
    close = client.post(reverse("benefits:roll_close", args=[roll.pk]), {"version": locked})
    _refused(close, "该发放清册")
    assert PaymentRoll.objects.get(pk=roll.pk).state == RollState.IMPORTED


def test_a_stale_account_correction_keeps_the_first(approved, personas, signed_in_client, client):  # noqa: F811
    b = approved
    opened = shown(b)
    url = reverse("benefits:beneficiary_account", args=[b.pk])
    _as(signed_in_client, personas, "village_admin")
    page = client.get(reverse("benefits:beneficiary_detail", args=[b.pk])).content.decode()
    assert f'name="version" value="{opened}"' in page
    first = client.post(url, {"account": card(7), "bank": "农信社", "version": opened})
    second = client.post(url, {"account": card(8), "bank": "邮储", "version": opened})
    assert first.status_code == 302
    _refused(second, "该享受对象的账号信息")
    b = Beneficiary.objects.get(pk=b.pk)
    assert (b.account, b.account_bank, b.version) == (card(7), "农信社", opened + 1)
