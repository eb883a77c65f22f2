"""Browser flows of the security pages in Debian's Chromium: two-factor enrolment by typing
the manual key (issue 11 item 13), the online-sessions page (item 15) and account activation
(issue 19 item 2)."""

import base64
import os

import pytest
from django_otp.oath import totp

from conftest import COUNTY, build_units, make_user
from renkou.accounts.constants import Role
from tests.test_e2e import _audit_flushable, _page, _sign_in, browser  # noqa: F401 fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def code_from_typed_key(typed: str) -> str:
    """What an authenticator app does with a key typed by hand (RFC 6238, 30 s, 6 digits)."""
    text = typed.replace(" ", "").upper()
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def test_enrolment_by_typing_the_manual_key(live_server, browser, settings):  # noqa: F811
    settings.RENKOU_MFA_REQUIRED_ROLES = ["county_officer"]
    units = build_units()
    make_user("xian1", Role.COUNTY_OFFICER, units[COUNTY])
    errors: list[str] = []
    page = _page(browser, errors)
    _sign_in(page, live_server.url, "xian1")
    page.wait_for_selector("text=绑定手机验证器")
    typed = page.inner_text("#manual-key")
    assert " " in typed  # grouped for reading
    page.fill("#id_token", code_from_typed_key(typed))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=您好")
    assert errors == []
