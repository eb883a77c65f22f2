"""Browser flows in Debian's Chromium (security.md WH4): sign-in, menus filtered by role,
the unit tree, a phone-sized screen, and 0 console errors or CSP violations."""

import os

import pytest
from playwright.sync_api import sync_playwright

from conftest import PASSWORD, VILLAGE_A1, build_units, make_user
from renkou.accounts.constants import Role

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _audit_flushable(audit_flushable):
    """Every browser test commits: the audit rows go with the flush (conftest)."""


@pytest.fixture
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _page(browser, errors: list, **context):
    page = browser.new_context(locale="zh-CN", **context).new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.press("#id_username", "Enter")  # Enter moves to the next field (回车跳格)
    page.keyboard.type(PASSWORD)
    page.click("button[type=submit]")


def test_village_admin_signs_in_and_sees_only_her_menu(live_server, browser, settings):
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    units = build_units()
    make_user("cun1", Role.VILLAGE_ADMIN, units[VILLAGE_A1], full_name="王秀英")
    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1366, "height": 768})
    _sign_in(page, live_server.url, "cun1")
    page.wait_for_selector("text=您好")
    menu = page.text_content("#sidebar")
    assert "区划单位" in menu and "用户管理" not in menu and "审计日志" not in menu
    page.goto(f"{live_server.url}/geo/units/")
    page.wait_for_selector("table")
    body = page.inner_text("main")
    assert "甲一村" in body and "甲二村" not in body
    assert errors == []


def test_phone_screen_and_admin_menu(live_server, browser, settings):
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    units = build_units()
    make_user("sys1", Role.SYS_ADMIN, units["620001000000"])
    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 375, "height": 667}, is_mobile=True)
    _sign_in(page, live_server.url, "sys1")
    page.wait_for_selector("text=您好")
    assert not page.is_visible("#sidebar")  # the menu folds away on a phone
    page.click("[data-bs-target='#sidebar']")
    page.wait_for_selector("#sidebar.show")
    assert "用户管理" in page.text_content("#sidebar")
    assert errors == []


def test_required_two_factor_stops_at_the_qr_code(live_server, browser, settings):
    settings.RENKOU_MFA_REQUIRED_ROLES = ["county_officer"]
    units = build_units()
    make_user("xian1", Role.COUNTY_OFFICER, units["620001000000"])
    errors: list[str] = []
    page = _page(browser, errors)
    _sign_in(page, live_server.url, "xian1")
    page.wait_for_selector("text=绑定手机验证器")
    page.goto(f"{live_server.url}/geo/units/")
    assert page.url.endswith("/accounts/mfa/")
    assert errors == []
