"""Reviewing an application in Debian's Chromium (issue 11 item 12): 审核通过 on a "待核实" case
with no document warns and asks for a confirmation reason; while the notice runs no "公示期满"
button is offered; a notice on a village board names the township that reviewed."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.utils import timezone

from conftest import COUNTY, TOWNSHIP_A, VILLAGE_A1, build_units, make_user
from renkou.accounts.constants import Role
from renkou.benefits import services
from renkou.benefits.constants import Status
from renkou.benefits.models import Application, Program
from renkou.benefits.tests.conftest import couple
from renkou.common.actors import Actor
from tests.test_e2e import _audit_flushable, _page, _sign_in, browser  # noqa: F401 fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _seed_programs() -> dict[str, Program]:
    importlib.import_module("renkou.benefits.migrations.0002_seed_programs").forward(apps, None)
    return {p.code: p for p in Program.objects.all()}


def test_unverified_approval_needs_a_reason_and_the_notice_blocks_moving_on(
    live_server,
    browser,  # noqa: F811
    settings,
):
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    units = build_units()
    programs = _seed_programs()
    village = make_user("cun1", Role.VILLAGE_ADMIN, units[VILLAGE_A1])
    town = make_user("xiang1", Role.TOWNSHIP_OFFICER, units[TOWNSHIP_A], full_name="李乡")
    make_user("xian1", Role.COUNTY_OFFICER, units[COUNTY])
    today = timezone.localdate()
    # A 61-year-old whose wife has no card: the register cannot count the couple's children.
    husband, _wife = couple(husband_born=date(today.year - 61, 1, 1))
    app = services.application_file(
        actor=Actor(village, "10.0.0.1"),
        program=programs["jiangfu"],
        person=husband,
        village_opinion="评议通过",
        today=today,
    )
    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1366, "height": 768})
    _sign_in(page, live_server.url, "xiang1")
    page.wait_for_selector("text=您好")

    page.goto(f"{live_server.url}/benefits/applications/{app.pk}/")
    warning = page.inner_text("#unverified-warning")
    assert "待核实" in warning and "现存活子女数" in warning
    page.click("button[value=approve]")
    page.wait_for_selector(".alert-warning >> text=确认理由")
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED  # refused: nothing changed

    page.fill("#confirm-reason", "已核验户口簿原件")
    page.click("button[value=approve]")
    page.wait_for_selector("text=已办理")
    app.refresh_from_db()
    assert app.status == Status.PASSED
    assert "已核验户口簿原件" in page.inner_text("main")

    notice = services.notice_publish(
        actor=Actor(town, "10.0.0.1"),
        program=programs["jiangfu"],
        unit_code=VILLAGE_A1,
        starts_on=today,
        today=today,
    )
    page.goto(f"{live_server.url}/benefits/applications/{app.pk}/")
    assert page.is_visible("#notice-running")
    assert page.locator("button[value=advance]").count() == 0
    assert "公示期满，报上级" not in page.inner_text("main")

    page.goto(f"{live_server.url}/benefits/notices/{notice.pk}/")
    sheet = page.inner_text(".print-sheet")
    assert "甲镇审核结果公示" in sheet and "乡镇（街道）审核结果公示" not in sheet
    assert "经甲镇审核" in sheet and "经甲一村" not in sheet
    assert Application.objects.get(pk=app.pk).status == Status.NOTICE
    assert errors == []
