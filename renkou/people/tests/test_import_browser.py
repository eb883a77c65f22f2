"""The import pages in Debian's Chromium: upload → preview → confirm → result, with 0 console
errors or CSP violations (the pages use no inline script or style)."""

import random

import pytest

from conftest import TOWNSHIP_A, VILLAGE_A1, build_units, make_user
from renkou.accounts.constants import Role
from renkou.people.models import Person
from renkou.people.tests.import_files import person, write_xlsx
from tests.test_e2e import _audit_flushable, _page, _sign_in, browser  # noqa: F401 fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_upload_preview_confirm(live_server, browser, settings, tmp_path):  # noqa: F811
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    settings.MEDIA_ROOT = tmp_path / "media"
    units = build_units()
    make_user("zhen1", Role.TOWNSHIP_OFFICER, units[TOWNSHIP_A])
    rng = random.Random(4)
    rows = [person(rng, VILLAGE_A1, 1), person(rng, VILLAGE_A1, 2, 联系电话="12")]
    upload = write_xlsx(tmp_path / "名单.xlsx", rows)
    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1366, "height": 900})
    _sign_in(page, live_server.url, "zhen1")
    page.wait_for_selector("text=您好")

    page.goto(f"{live_server.url}/people/import/upload/")
    page.set_input_files("#id_file", str(upload))
    page.check("text=只导入正确的行")
    page.click("text=上传并校验")
    page.wait_for_selector("text=将新增")
    assert "bad_phone" in page.content()
    page.once("dialog", lambda dialog: dialog.accept())  # data-confirm
    page.click("text=确认导入")
    page.wait_for_selector("text=导入完成")
    assert Person.objects.count() == 1
    page.goto(f"{live_server.url}/people/import/")
    page.wait_for_selector("text=名单.xlsx")
    assert errors == []
