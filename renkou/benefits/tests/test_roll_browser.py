"""The payment roll page in Debian's Chromium (issue 11 item 11): finance finds a line by name
and by township on a roll of many lines."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.utils import timezone

from conftest import COUNTY, VILLAGE_A1, VILLAGE_B1, build_units, make_user
from renkou.accounts.constants import Role
from renkou.benefits import payments
from renkou.benefits.models import Beneficiary, Program
from renkou.benefits.tests.conftest import person
from renkou.common.actors import Actor
from tests.test_e2e import _audit_flushable, _page, _sign_in, browser  # noqa: F401 fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NAMES = ["赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八", "冯九", "陈十"]


def _roll(finance):
    importlib.import_module("renkou.benefits.migrations.0002_seed_programs").forward(apps, None)
    program = Program.objects.get(code="jiangfu")
    for n, name in enumerate(NAMES * 3):
        unit = VILLAGE_B1 if name == "陈十" and n >= 20 else VILLAGE_A1
        who = person(f"{name}{n}", "1", date(1960, 1, 1), unit)
        Beneficiary.objects.create(
            program=program, person=who, unit_code=unit, starts_on=date(2020, 1, 1)
        )
    return payments.roll_create(
        actor=Actor(finance, "10.0.0.1"),
        program=program,
        period_code="2026",
        today=timezone.localdate(),
    )


def test_finance_searches_a_roll_by_name_and_township(live_server, browser, settings):  # noqa: F811
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    units = build_units()
    finance = make_user("caiwu1", Role.FINANCE, units[COUNTY])
    roll = _roll(finance)
    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1366, "height": 768})
    _sign_in(page, live_server.url, "caiwu1")
    page.wait_for_selector("text=您好")
    page.goto(f"{live_server.url}/benefits/rolls/{roll.pk}/")
    page.wait_for_selector("#line-count")
    assert "共 30 人" in page.inner_text("#line-count")

    page.fill("#id_name", "孙三")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("#line-count >> text=共 3 人")
    rows = page.locator("#results tbody tr")
    assert all("孙三" in rows.nth(i).inner_text() for i in range(rows.count()))
    assert "name=" in page.url  # the search stays in the address (back button, reload)

    page.fill("#id_name", "")
    page.select_option("#id_township", label="乙乡")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("#line-count >> text=共 1 人")
    assert "陈十" in page.inner_text("#results tbody")
    assert errors == []
