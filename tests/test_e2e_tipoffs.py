"""The public tip-off form in Debian's Chromium (issue 18 item 1): the page's own script solves
the proof of work with its own SHA-256 (Web Crypto is missing on a plain-HTTP intranet), the
tip-off is taken in, and the informant gets the acknowledgement code with which the progress
page shows the stage."""

import hashlib
import os

import pytest

from conftest import TOWNSHIP_A, build_units
from renkou.tipoffs.models import TipOff
from tests.test_e2e import _audit_flushable, _page, browser  # noqa: F401 fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_the_public_form_solves_its_puzzle_and_the_code_shows_the_stage(
    live_server,
    browser,  # noqa: F811
):
    build_units()
    errors: list[str] = []
    page = _page(browser, errors)
    page.goto(f"{live_server.url}/tipoffs/public/")
    for text in ("", "abc", "x" * 200):  # the script's SHA-256 is the standard one
        assert page.evaluate("t => window.renkouSha256Hex(t)", text) == (
            hashlib.sha256(text.encode()).hexdigest()
        )
    page.select_option("#id_unit_code", TOWNSHIP_A)
    page.select_option("#id_category", index=1)
    page.fill("#id_subject", "某诊所")
    page.fill("#id_content", "有人为孕妇做胎儿性别鉴定。")
    page.click("#tipoff-form button[type=submit]")
    code = page.wait_for_selector("#ack-code", timeout=60_000).inner_text().strip()
    assert len(code) == 12
    assert TipOff.objects.filter(unit_code=TOWNSHIP_A, subject="某诊所").count() == 1
    page.goto(f"{live_server.url}/tipoffs/public/status/")
    page.fill("#id_code", code)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=受理")
    assert "某诊所" not in page.content()  # the stage only, nothing of the matter
    assert errors == []
