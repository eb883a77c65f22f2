"""我的待办 in Debian's Chromium (issue 11 item 9): the technician's list opens on what is due
this week or overdue, the most urgent first, with no offer years overdue; the 皮下埋植到期取出
row has the 办理 the page promises, which records the removal and comes back to the list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import TOWNSHIP_A, build_units, make_user
from renkou.accounts.constants import Role
from renkou.todo import services
from renkou.todo.tests.factories import VILLAGE, episode, woman
from tests.test_e2e import _audit_flushable, _page, _sign_in, browser  # noqa: F401 fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def test_technician_works_her_list_from_the_top(live_server, browser, settings):  # noqa: F811
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    units = build_units()
    make_user("jishu1", Role.TECHNICIAN, units[TOWNSHIP_A])
    today = timezone.localdate()
    old = woman(VILLAGE, name="老埋植")
    episode(old, "04", _add_years(today, -14) + timedelta(days=20))  # in place for 14 years
    due = woman(VILLAGE, name="到期取出")
    implant = episode(due, "04", _add_years(today, -4) + timedelta(days=3))  # due in 3 days
    later = woman(VILLAGE, name="下月随访")
    episode(later, "03", today - timedelta(days=18))  # 1-month follow-up due in about 12 days
    services.refresh(today=today)

    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1366, "height": 768})
    _sign_in(page, live_server.url, "jishu1")
    page.wait_for_selector("text=您好")
    page.goto(f"{live_server.url}/todo/")
    page.wait_for_selector("#results table")
    assert "本周到期及逾期" in page.inner_text("#todo-summary")
    rows = page.locator("#results tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert not any("下月随访" in t for t in texts if "放置宫内节育器后随访" in t)
    for text in texts:  # no offer is shown years overdue
        if "逾期" in text:
            days = int(text.split("逾期 ")[1].split(" 天")[0])
            assert days < 365, text
    removal = page.locator("#results tbody tr", has_text="到期取出").filter(
        has_text="皮下埋植到期取出"
    )
    removal.locator("a", has_text="办理").click()
    page.wait_for_selector("text=登记皮下埋植取出")
    page.fill("#id_removed_on", today.isoformat())
    page.click("main button[type=submit]")
    page.wait_for_selector("text=皮下埋植取出已登记")
    assert page.url.startswith(f"{live_server.url}/todo/")
    implant.refresh_from_db()
    assert implant.end == today
    page.reload()
    page.wait_for_selector("#results table")
    remaining = page.locator("#results tbody tr", has_text="到期取出")
    assert remaining.filter(has_text="皮下埋植到期取出").count() == 0
    assert errors == []
