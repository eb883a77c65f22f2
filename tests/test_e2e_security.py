"""Browser flows of the security pages in Debian's Chromium: two-factor enrolment by typing
the manual key (issue 11 item 13), the online-sessions page (item 15) and account activation
(issue 19 item 2)."""

import base64
import os

import pytest
from django_otp.oath import totp

from conftest import COUNTY, VILLAGE_A1, build_units, make_user
from renkou.accounts.constants import Role
from tests.test_e2e import _audit_flushable, _page, _sign_in, browser  # noqa: F401 fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
ANDROID_WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 "
    "MicroMessenger/8.0.42.2460(0x28002A58) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN"
)


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


def test_an_account_is_requested_approved_and_activated_by_its_owner(
    live_server,
    browser,  # noqa: F811
    settings,
):
    """Issue 19 item 2 as the three people click it: the system administrator requests a
    county officer, the security administrator approves and reads the activation code, the
    officer activates (password and authenticator) and lands signed in. The system
    administrator's screens never show a credential."""
    settings.RENKOU_MFA_REQUIRED_ROLES = ["county_officer"]
    units = build_units()
    make_user("sys1", Role.SYS_ADMIN, units[COUNTY])
    make_user("sec1", Role.SEC_ADMIN, units[COUNTY])
    errors: list[str] = []
    base = live_server.url

    admin = _page(browser, errors)
    admin.on("dialog", lambda dialog: dialog.accept())
    _sign_in(admin, base, "sys1")
    admin.wait_for_selector("text=您好")
    admin.goto(f"{base}/system/users/new/")
    admin.fill("#id_username", "xian_new")
    admin.fill("#id_full_name", "新业务员")
    admin.select_option("#id_role", "county_officer")
    admin.select_option("#id_unit", label="测试县（620001000000）")
    admin.fill("#id_reason", "任职文件")
    admin.click("main button[type=submit]")
    admin.wait_for_selector("text=待安全管理员审批")
    seen_by_admin = admin.content()

    approver = _page(browser, errors)
    approver.on("dialog", lambda dialog: dialog.accept())
    _sign_in(approver, base, "sec1")
    approver.wait_for_selector("text=您好")
    approver.click("text=待我审批的账号申请")
    approver.wait_for_selector("text=xian_new")
    approver.click("button:has-text('批准')")
    code = approver.inner_text("#activation-code")
    admin.goto(f"{base}/system/users/")
    seen_by_admin += admin.content()
    assert code not in seen_by_admin

    owner = _page(browser, errors)
    owner.goto(f"{base}/accounts/login/")
    owner.click("text=用激活码激活账号")
    owner.fill("#id_username", "xian_new")
    owner.fill("#id_code", code)
    owner.click("button[type=submit]")
    owner.wait_for_selector("#manual-key")
    owner.fill("#id_new_password", "Own-Chosen-Pass7")
    owner.fill("#id_confirm", "Own-Chosen-Pass7")
    owner.fill("#id_token", code_from_typed_key(owner.inner_text("#manual-key")))
    owner.click("button[type=submit]")
    owner.wait_for_selector("text=账号已激活")
    assert "县局业务人员" in owner.inner_text("header")
    assert errors == []


def test_force_logout_of_one_session_and_the_message_the_user_sees(
    live_server,
    browser,  # noqa: F811
    settings,
):
    """Issue 11 item 15: the security administrator ends one of a user's two sessions from its
    row; that browser lands on the sign-in page with the reason, the other keeps working."""
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    units = build_units()
    make_user("cun1", Role.VILLAGE_ADMIN, units[VILLAGE_A1])
    make_user("sec1", Role.SEC_ADMIN, units[COUNTY])
    errors: list[str] = []
    base = live_server.url

    desk = _page(browser, errors, user_agent=WINDOWS_CHROME)
    _sign_in(desk, base, "cun1")
    desk.wait_for_selector("text=您好")
    phone = _page(
        browser, errors, user_agent=ANDROID_WECHAT, viewport={"width": 375, "height": 667}
    )
    _sign_in(phone, base, "cun1")
    phone.wait_for_selector("text=您好")

    admin = _page(browser, errors)
    admin.on("dialog", lambda dialog: dialog.accept())
    _sign_in(admin, base, "sec1")
    admin.wait_for_selector("text=您好")
    admin.goto(f"{base}/system/sessions/")
    assert admin.locator("tbody tr", has_text="cun1").count() == 2
    desktop_row = admin.locator("tbody tr", has_text="Chrome 120 · Windows 10/11")
    assert "cun1" in desktop_row.inner_text()
    assert admin.locator("tbody tr", has_text="微信 8 · Android 13（手机）").count() == 1
    desktop_row.locator("button:has-text('强退')").first.click()
    admin.wait_for_selector("text=已强制退出")
    assert admin.locator("tbody tr", has_text="cun1").count() == 1

    desk.reload()
    desk.wait_for_selector("text=您已被管理员强制下线")
    assert "/accounts/login/" in desk.url
    phone.reload()
    phone.wait_for_selector("text=您好")
    assert errors == []
