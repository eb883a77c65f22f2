"""Issue 14 "Done when" (the scheme and score parts), in Chromium as a new user would: a county
officer copies last year's scheme, changes a target, adjusts one township's target with a reason,
publishes and issues the letters; the board puts the township that misses its 蓝氧 veto quota
last with the reason; the township acknowledges its letter, sees its own target and its live
score, and its sheet explains each point."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, build_units, make_user
from renkou.accounts.constants import Role
from renkou.assessment import services
from renkou.assessment.models import Scheme
from renkou.common.actors import Actor
from renkou.common.periods import fp_year_of
from tests.test_e2e import _page, _sign_in, browser  # noqa: F401 the browser fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _audit_flushable(audit_flushable):
    """Every browser test commits: the audit rows go with the flush (conftest)."""


def test_copy_publish_and_a_missed_veto_quota_puts_the_township_last(
    live_server,
    browser,  # noqa: F811
    settings,
):
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    units = build_units()
    officer = make_user("xian1", Role.COUNTY_OFFICER, units[COUNTY], full_name="县局张")
    make_user("xiang1", Role.TOWNSHIP_OFFICER, units[TOWNSHIP_A], full_name="甲镇李")
    year = fp_year_of(timezone.localdate())
    actor = Actor(officer)
    last = services.scheme_create(
        actor=actor,
        county=units[COUNTY],
        year=year - 1,
        level=Scheme.Level.TOWNSHIP,
        name="",
        from_template=True,
    )
    services.scheme_publish(actor=actor, scheme=last)
    # Township B has a 蓝氧 quota with the veto flag and no treatment: its forecast is 0.
    services.quota_set(
        actor=actor,
        unit=units[TOWNSHIP_B],
        year=year,
        measure="treatment",
        target=Decimal(500),
        deadline=date(year, 9, 30),
        veto=True,
    )
    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1366, "height": 768})
    page.on("dialog", lambda d: d.accept())
    _sign_in(page, live_server.url, "xian1")
    page.wait_for_selector("text=您好")
    page.click("#sidebar button:has-text('目标管理考核')")
    page.click("#sidebar >> text=考核方案")
    page.click(f"text={last.name}")
    page.fill("#id_year", str(year))
    page.click("text=复制为新草稿")
    page.wait_for_selector(f"text={year}年度草稿")
    page.click("tr:has-text('人口自然增长率控制在计划内') >> text=修改")
    page.fill("#id_target", "9")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=考核指标已保存")
    assert "≤9" in page.inner_text("tr:has-text('人口自然增长率控制在计划内')")
    # 甲镇's own target for the early pregnancy follow-up rate, with the reason.
    page.select_option("#id_unit", label="甲镇")
    page.select_option("#id_item", label="19. 早孕随访率（≥90）")
    page.fill("#id_target", "85")
    page.fill("#id_reason", "山区乡镇，交通不便")
    page.click("#township-target-form button")
    page.wait_for_selector("text=已调整甲镇第19项的目标")
    assert "山区乡镇，交通不便" in page.inner_text("#township-targets")
    page.click("text=发布方案")
    page.wait_for_selector("text=方案已发布（第1版）")
    # The letters to every township in one action.
    page.fill("#id_county_signatory", "王县长")
    page.click("#letters-issue-form button")
    page.wait_for_selector("text=已向2个乡镇签订责任书")
    assert page.locator("#letter-list tbody tr").count() == 2
    assert "待确认" in page.inner_text("#letter-list")
    page.click("a:has-text('考核看板')")
    page.wait_for_selector("#board")
    rows = page.locator("#board tbody tr")
    assert rows.count() == 2
    last_row = rows.nth(1).inner_text()
    assert "乙乡" in last_row and "蓝氧治疗任务完成率" in last_row and "一票否决" in last_row
    assert "甲镇" in rows.nth(0).inner_text()
    page.click("#board tbody tr:has-text('乙乡') >> text=评分表")
    page.wait_for_selector("#sheet")
    assert "已完成0/500" in page.inner_text("#sheet")
    assert "一票否决" in page.inner_text(".veto")
    # The township signs in and sees its own live sheet, line by line.
    page.context.clear_cookies()
    _sign_in(page, live_server.url, "xiang1")
    page.wait_for_selector("text=您好")
    page.click("#sidebar button:has-text('目标管理考核')")
    page.click("#sidebar >> text=考核看板")
    page.wait_for_selector("#sheet")
    assert "甲镇" in page.inner_text("h2")
    body = page.inner_text("#sheet")
    assert "人口自然增长率控制在计划内" in body and "≤9" in body and "群众满意率" in body
    assert "≥85" in page.inner_text("#sheet tr:has-text('早孕随访率')")
    # Its letter: its own target with the reason, acknowledged in the system, the live score.
    page.click("#sheet-letter a")
    page.wait_for_selector("#letter-items")
    assert "已按本乡镇调整：山区乡镇，交通不便" in page.inner_text("#letter-items")
    assert "王县长" in page.inner_text("main")
    page.fill("#id_township_signatory", "李镇长")
    page.click("#acknowledge-form button")
    page.wait_for_selector("text=责任书已确认")
    assert "乙方签字人 李镇长" in page.inner_text("#letter-status")
    assert "实时得分" in page.inner_text("#live-score")
    page.click("#live-score a")
    page.wait_for_selector("#sheet")
    assert "乡镇已于" in page.inner_text("#sheet-letter")
    assert errors == []
