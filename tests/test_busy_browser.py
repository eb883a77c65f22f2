"""Slow actions in Debian's Chromium (issue 11 item 10): a POST button disables itself and shows
"处理中…" while its request runs, so a second click sends nothing; a button whose answer is a
file (the bank file) comes back once the download has started; the table PDF is made on the
worker and offered on the 后台任务 page."""

import importlib
import json
import time
from datetime import date

import pytest
from django.apps import apps
from django.utils import timezone

from conftest import COUNTY, VILLAGE_A1, build_units, make_user
from renkou.accounts.constants import Role
from renkou.benefits import payments
from renkou.benefits.models import Beneficiary, PaymentRoll, Program
from renkou.benefits.tests.conftest import person
from renkou.benefits.tests.test_payments import card
from renkou.common.actors import Actor
from renkou.common.models import JobProgress
from tests.test_e2e import _audit_flushable, _page, _sign_in, browser  # noqa: F401 fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _draft_roll(finance) -> PaymentRoll:
    importlib.import_module("renkou.benefits.migrations.0002_seed_programs").forward(apps, None)
    program = Program.objects.get(code="jiangfu")
    for n in range(3):
        account = card(n + 1)
        Beneficiary.objects.create(
            program=program,
            person=person(f"享受{n}", "1", date(1960, 1, 1), VILLAGE_A1),
            unit_code=VILLAGE_A1,
            starts_on=date(2020, 1, 1),
            account=account,
            account_index=payments.account_index(account),
        )
    return payments.roll_create(
        actor=Actor(finance, "10.0.0.1"),
        program=program,
        period_code=str(timezone.localdate().year),
        today=timezone.localdate(),
    )


# Installed in the page before the click: on submit, note the submits, then 300 ms later the
# button's state, and click it again.
WATCH = """() => document.addEventListener("submit", (e) => {
  sessionStorage.setItem("submits", String(Number(sessionStorage.getItem("submits") || 0) + 1));
  const button = e.target.querySelector("button");
  setTimeout(() => {
    sessionStorage.setItem("busy", JSON.stringify(
      [button.disabled, button.innerText, e.target.getAttribute("aria-busy")]));
    button.click();
  }, 300);
})"""
READ = """() => JSON.stringify([...JSON.parse(sessionStorage.getItem("busy")),
                         Number(sessionStorage.getItem("submits"))])"""


def test_post_buttons_show_progress_and_refuse_a_second_click(
    live_server,
    browser,  # noqa: F811
    settings,
    monkeypatch,
):
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    units = build_units()
    finance = make_user("caiwu1", Role.FINANCE, units[COUNTY])
    make_user("xian1", Role.COUNTY_OFFICER, units[COUNTY])
    roll = _draft_roll(finance)
    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1366, "height": 768})
    _sign_in(page, live_server.url, "caiwu1")
    page.wait_for_selector("text=您好")
    page.goto(f"{live_server.url}/benefits/rolls/{roll.pk}/")

    # A slow server: the lock takes a second. What the button shows meanwhile, and what a
    # second click sends, is written down by the page itself (sessionStorage survives the
    # next page): Playwright cannot look into a page whose navigation is under way.
    lock_now = payments.roll_lock

    def slow_lock(**kwargs):
        time.sleep(1)
        return lock_now(**kwargs)

    monkeypatch.setattr(payments, "roll_lock", slow_lock)
    page.evaluate(WATCH)
    page.locator("form[action$='/lock/'] button").click()
    page.wait_for_selector("text=清册已锁定")
    disabled, label, busy, submits = json.loads(page.evaluate(READ))
    assert disabled and "处理中" in label and busy == "true"
    assert submits == 1  # the second click, on the disabled button, sent nothing
    assert "不能办理这一步" not in page.inner_text("main")
    roll.refresh_from_db()
    assert roll.state == "locked"

    # The bank file answers with a file: the page stays, the button comes back after it.
    page.on("dialog", lambda d: d.accept())
    bank = page.locator("form[action$='/bank-file/'] button")
    with page.expect_download() as download:
        bank.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    enabled = "() => !document.querySelector(\"form[action$='/bank-file/'] button\").disabled"
    for _ in range(100):  # the download cookie frees it within a few polls
        if page.evaluate(enabled):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(enabled)
    assert "处理中" not in bank.inner_text()

    # The table PDF goes to the worker; the jobs page offers it when done.
    page2 = _page(browser, errors, viewport={"width": 1366, "height": 768})
    _sign_in(page2, live_server.url, "xian1")
    page2.wait_for_selector("text=您好")
    page2.goto(f"{live_server.url}/reports/tables/show/?table=gr1&unit={COUNTY}")
    page2.click("button:has-text('导出PDF')")
    page2.wait_for_selector("text=PDF 正在后台生成")
    assert page2.url.endswith("/system/jobs/")
    job = JobProgress.objects.get(kind="table_pdf")
    assert job.status == "done" and job.result_file.endswith(".pdf")
    assert page2.locator("#results a", has_text="下载").count() == 1
    assert errors == []
