"""Issue 14 "Done when" (the supervision part), in Chromium as a new user would: an inspector
plans a visit, samples records reproducibly (the seed shown), records a finding and issues a
rectification notice; the township responds with a photo; the re-check closes it; the bulletin
is generated, published and prints."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from conftest import COUNTY, TOWNSHIP_A, build_units, make_user
from renkou.accounts.constants import Role
from renkou.supervision.models import Inspection, Rectification, Sample
from renkou.todo.models import ReminderRule, TodoItem
from renkou.todo.tests.factories import woman
from tests.test_e2e import _page, _sign_in, browser  # noqa: F401 the browser fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _audit_flushable(audit_flushable):
    """Every browser test commits: the audit rows go with the flush (conftest)."""


def _done_items(today, n: int = 6) -> None:
    rule = ReminderRule.objects.get(code="gyn_check")
    for k in range(n):
        person = woman("620001100201")
        TodoItem.objects.create(
            rule=rule,
            rule_version=1,
            person=person,
            unit_code=person.unit_code,
            anchor_type="card",
            anchor_id=person.pk,
            due_on=today - timedelta(days=40),
            overdue_on=today - timedelta(days=40),
            ends_on=today + timedelta(days=100),
            status="done",
            done_on=today - timedelta(days=30 - k),
        )


def test_an_inspection_samples_finds_notifies_and_the_recheck_closes_it(
    live_server,
    browser,  # noqa: F811
    settings,
    tmp_path,
):
    settings.RENKOU_MFA_REQUIRED_ROLES = []
    settings.MEDIA_ROOT = tmp_path
    units = build_units()
    make_user("ducha1", Role.INSPECTOR, units[COUNTY], full_name="督查王")
    make_user("xiang1", Role.TOWNSHIP_OFFICER, units[TOWNSHIP_A], full_name="甲镇李")
    today = timezone.localdate()
    _done_items(today)
    picture = tmp_path / "整改.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 140, 60)).save(buffer, "JPEG")
    picture.write_bytes(buffer.getvalue())

    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1366, "height": 768})
    page.on("dialog", lambda d: d.accept())
    _sign_in(page, live_server.url, "ducha1")
    page.wait_for_selector("text=我的督查")
    page.click("text=全部督查与整改通知")
    page.click("text=安排督查")
    page.select_option("#id_kind", "topic")
    page.fill("#id_title", "随访服务专项督查")
    page.fill("#id_first_day", today.isoformat())
    page.fill("#id_days", "3")
    page.fill("#id_every", "0")
    page.fill("#id_period_start", (today - timedelta(days=90)).isoformat())
    page.fill("#id_period_end", today.isoformat())
    page.get_by_label("甲镇").check()
    page.get_by_label("督查王").check()
    page.click("button:has-text('安排')")
    page.wait_for_selector("text=已安排1次督查")
    page.click("text=随访服务专项督查")
    for name in ("rh_due", "births", "benefits"):
        page.fill(f"#id_{name}", "0")
    page.fill("#id_todo_done", "3")
    page.click("button:has-text('抽样')")
    page.wait_for_selector("#seed")
    visit = Inspection.objects.get()
    assert page.inner_text("#seed") == str(visit.seed)
    drawn = sorted(Sample.objects.values_list("record_id", flat=True))
    assert len(drawn) == 3
    page.click("button:has-text('开始督查')")
    page.wait_for_selector("text=督查开始")
    first = page.locator("form[action*='/verify/']").first
    first.locator("select").select_option("not_found")
    first.locator("button").click()
    page.wait_for_selector("text=已记录核实结果")
    page.select_option("#id_severity", "major")
    page.fill("#id_text", "1例已办结随访入户查无记录")
    page.fill("#id_deduction", "1")
    page.click("button:has-text('记录问题')")
    page.wait_for_selector("text=已记录发现的问题")
    page.fill("input[name=requirement]", "逐户核实并更正随访记录")
    page.fill("input[name=deadline]", (today + timedelta(days=14)).isoformat())
    page.click("button:has-text('下发整改通知')")
    page.wait_for_selector("text=已下发整改通知")

    # The township responds with a photo.
    page.context.clear_cookies()
    _sign_in(page, live_server.url, "xiang1")
    page.wait_for_selector("text=您好")
    page.goto(f"{live_server.url}/supervision/inspections/")
    page.click("text=逐户核实并更正随访记录")
    page.fill("#id_response", "已逐户核实，更正1例")
    page.set_input_files("#id_photo", str(picture))
    page.click("button:has-text('反馈整改情况')")
    page.wait_for_selector("text=已反馈整改情况，等待复查")

    # The inspector re-checks and closes it; the bulletin is made, published and prints.
    page.context.clear_cookies()
    _sign_in(page, live_server.url, "ducha1")
    page.wait_for_selector("text=我的督查")
    page.goto(f"{live_server.url}/supervision/inspections/")
    page.click("text=逐户核实并更正随访记录")
    page.select_option("#id_passed", "1")
    page.fill("#id_note", "复查属实")
    page.click("button:has-text('提交复查结论')")
    page.wait_for_selector("text=复查通过，已销号")
    assert Rectification.objects.get().status == "closed"
    page.goto(f"{live_server.url}/supervision/inspections/")
    page.click("a:has-text('督查通报')")
    page.click("text=生成通报")
    page.fill("#id_first_day", (today - timedelta(days=1)).isoformat())
    page.fill("#id_last_day", (today + timedelta(days=1)).isoformat())
    page.click("button:has-text('生成草稿')")
    page.wait_for_selector("text=已生成通报草稿")
    page.click("button:has-text('发布到各乡镇')")
    page.wait_for_selector("text=已发布，各乡镇可查看")
    href = page.get_attribute("a:has-text('打印（PDF）')", "href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
    assert errors == []
