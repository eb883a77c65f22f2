"""Issue 11, the defects a new user met in the first hour, each done in Chromium as the user did
it, over the small county of tests/crawl_county.py (one county and one live server for the
module). Items 1, 2, 4, 5, 6, 8, 14, 16, 17, 18, 19 and 20; the crawl of every page is
tests/test_crawl_pages.py.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from python_calamine import CalamineWorkbook

from conftest import VILLAGE_A1
from tests.county_server import county  # noqa: F401 the module's county and live server
from tests.test_e2e import CHROMIUM, _page

# One worker takes the module (``--dist loadgroup``), so the county is built once for it.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("first_hour")]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 667}


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def open_as(county, chromium):  # noqa: F811
    """``open_as(role, path)``: a signed-in page of that role; no console error or CSP
    violation may happen on it during the test."""
    errors: list[str] = []
    pages = []

    def open_page(role: str, path: str = "/", **context):
        page = _page(chromium, errors, **({"viewport": DESKTOP} | context))
        page.context.add_cookies(county.cookies(role))
        page.goto(county.url + path)
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.context.close()
    assert errors == []


def _rows(page, selector: str = "#results table tbody tr") -> list[str]:
    return [row.inner_text() for row in page.locator(selector).all()]


# --- 1, 2: paging and the unit tree ----------------------------------------------------------


def test_next_page_shows_the_next_rows(open_as):
    page = open_as("county_officer", "/people/persons/")
    first = _rows(page)
    page.get_by_role("link", name="下一页").first.click()
    page.wait_for_url(re.compile(r"[?&]page=2"))
    assert "??" not in page.url
    expect(page.locator(".pagination .active")).to_contain_text("2 /")
    assert _rows(page) != first
    page.get_by_role("link", name="上一页").first.click()
    expect(page.locator(".pagination .active")).to_contain_text("1 /")
    assert _rows(page) == first


def test_the_unit_tree_narrows_the_list_to_a_village(open_as):
    page = open_as("county_officer", "/people/persons/")
    page.locator("#unit-tree a", has_text="甲镇").click()
    page.locator("#unit-tree a", has_text="甲一村").click()
    page.wait_for_url(re.compile(r"[?&]unit=620001100201"))
    expect(page.locator("#unit-tree a.active")).to_have_text(re.compile("甲一村"))
    villages = {row.split("\t")[3] for row in _rows(page)}
    assert villages == {"甲一村"}


# --- 4: exports follow the search on screen ---------------------------------------------------


def _xlsx_rows(download) -> list[list]:
    path = Path(download.path())
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]


def test_audit_export_holds_what_the_search_shows(open_as, county):  # noqa: F811
    from renkou.people.models import Person

    with county.db():  # the village administrator opens a person: audited rows of her own
        person = Person.objects.filter(unit_code=VILLAGE_A1).first()
        county.client("village_admin").get(f"/people/persons/{person.pk}/")
    page = open_as("audit_admin", "/system/audit/")
    total = page.locator(".pager .text-muted").first.inner_text()
    page.fill("#id_username", "village_admin")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".pager .text-muted").first).not_to_have_text(total)
    shown = int(re.search(r"\d+", page.locator(".pager .text-muted").first.inner_text())[0])
    assert shown > 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="导出").click()
    page.wait_for_url(re.compile("/system/jobs/"))
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").first.click()
    rows = _xlsx_rows(download.value)
    assert len(rows) == shown
    assert {row[3] for row in rows} == {"village_admin"}


def test_person_export_holds_what_the_search_shows(open_as):
    page = open_as("county_officer", "/people/persons/")
    page.fill("#id_name", "王")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"[?&]name=%E7%8E%8B"))  # the htmx search pushed its address
    page.wait_for_load_state("networkidle")
    shown = int(re.search(r"共 (\d+) 条", page.locator("#results").inner_text())[1])
    with page.expect_download() as download:
        page.locator("#results form[action$='/persons/export/'] button").click()
    rows = _xlsx_rows(download.value)
    assert len(rows) == shown
    assert all("王" in str(row[1]) for row in rows)  # 序号, 姓名, …


# --- 5: the desktop menu ----------------------------------------------------------------------


def test_the_desktop_menu_is_dark_with_readable_text(open_as):
    page = open_as("county_officer", "/people/persons/")
    background = page.evaluate(
        "getComputedStyle(document.getElementById('sidebar')).backgroundColor"
    )
    assert background == "rgb(48, 65, 86)"  # --menu-bg #304156, not the page's #f0f2f5
    ratio = page.evaluate(
        """() => {
            const lum = c => { const v = c.match(/\\d+/g).slice(0, 3).map(x => x / 255)
                .map(x => x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4));
                return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
            const link = document.querySelector('#sidebar .menu-toggle');
            const fg = lum(getComputedStyle(link).color);
            const bg = lum(getComputedStyle(document.getElementById('sidebar')).backgroundColor);
            return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        }"""
    )
    assert ratio >= 4.5


# --- 6: the ID check's override reason --------------------------------------------------------


def _id_with_wrong_check_digit(good: str) -> str:
    return good[:17] + ("0" if good[17] != "0" else "1")


def test_override_reason_only_while_the_number_fails(open_as, county):  # noqa: F811
    from renkou.people.tests.page_helpers import new_id

    good = new_id()
    page = open_as("village_admin", "/people/persons/new/")
    reason = page.locator("#override-row")
    expect(reason).to_be_hidden()
    page.fill("#id_id_number", _id_with_wrong_check_digit(good))
    expect(reason).to_be_visible()
    page.fill("#id_id_override_reason", "户口簿原号")
    page.fill("#id_id_number", good)
    expect(reason).to_be_hidden()
    assert page.input_value("#id_id_override_reason") == ""
    page.focus("#id_id_type")
    page.keyboard.press("Enter")  # 回车跳格 goes to the name, not into the hidden reason
    assert page.evaluate("document.activeElement.id") == "id_name"


# --- 8: the audit log in words ----------------------------------------------------------------


def test_the_audit_log_is_read_and_searched_in_chinese(open_as, county):  # noqa: F811
    from renkou.common.models import JobProgress

    with county.db():  # an export of the audit log, and its download
        client = county.client("audit_admin")
        client.post("/system/audit/export/", {"username": "village_admin"})
        job = JobProgress.objects.filter(kind="audit_export").latest("pk")
        assert client.get(f"/system/jobs/{job.pk}/download/").status_code == 200
    page = open_as("audit_admin", "/system/audit/")
    for row in _rows(page):
        cells = row.split("\t")
        assert not re.search("[A-Za-z]", cells[3] + cells[5]), row  # 操作, 对象 in words
    page.fill("#id_action", "下载")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"[?&]action="))
    page.wait_for_load_state("networkidle")
    actions = [row.split("\t")[3] for row in _rows(page)]
    assert actions and all("下载" in action for action in actions)


# --- 14: a phone screen -----------------------------------------------------------------------


def test_person_page_and_monthly_report_fit_a_phone(open_as, county):  # noqa: F811
    from renkou.events.models import MonthlyReport
    from renkou.people.models import Person

    with county.db():
        person = Person.objects.filter(unit_code=VILLAGE_A1, card__isnull=False).first()
        report = MonthlyReport.objects.filter(unit_code=VILLAGE_A1).order_by("-month").first()
    month = f"{report.month // 100}-{report.month % 100:02d}"  # month key 202604 → 2026-04
    for path in (f"/people/persons/{person.pk}/", f"/events/monthly/{VILLAGE_A1}/?month={month}"):
        page = open_as("village_admin", path, viewport=PHONE, is_mobile=True)
        # A phone widens its layout viewport to what overflows, so compare with the screen.
        wider = page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]
        assert wider <= 0, f"{path} is {wider}px wider than the screen"


# --- 16, 17: figures the way they are meant -------------------------------------------------


def test_dashboard_rounds_persons_and_marks_the_unfinished_month(open_as):
    page = open_as("county_officer", "/")
    average = page.locator(".dash-card[data-code='average_population'] .value a").inner_text()
    assert re.fullmatch(r"\d+", average), average
    birth_rate = page.locator(".dash-card[data-code='crude_birth_rate']").inner_text()
    assert "未年化" in birth_rate
    assert re.search(r"月尚未结束，只计到\d+日", page.locator("main").inner_text())


def test_the_leaders_tables_page_says_what_a_leader_can_do(open_as):
    page = open_as("leader", "/reports/tables/")
    text = page.locator("main").inner_text()
    assert "每个数字均可查看名单" not in text and "不显示人员名单" in text
    officer = open_as("county_officer", "/reports/tables/")
    assert "可查看该数字的人员名单" in officer.locator("main").inner_text()


# --- 18: the audit administrator's pages ------------------------------------------------------


def test_audit_list_fits_1366_and_the_chain_is_checked_from_the_home_page(open_as):
    page = open_as("audit_admin", "/system/audit/")
    for header in ("结果", "事由"):
        box = page.get_by_role("columnheader", name=header).bounding_box()
        assert box["x"] + box["width"] <= DESKTOP["width"], header
    page.goto(page.url.split("/system/")[0] + "/")
    assert "manage.py" not in page.locator("main").inner_text()
    page.get_by_role("button", name="校验").click()
    expect(page.locator("#audit-verify")).to_contain_text("审计日志完整", timeout=30_000)


# --- 19: a name typed with a space ------------------------------------------------------------


def test_a_name_with_a_space_inside_is_found(open_as, county):  # noqa: F811
    from renkou.people.tests.page_helpers import make_person

    with county.db():
        make_person(VILLAGE_A1, name="丁秀英")
    page = open_as("village_admin", "/people/persons/")
    page.fill("#id_name", "丁 秀英")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#results")).to_contain_text("丁秀英")


# --- 20: the village home ---------------------------------------------------------------------


def test_the_village_home_offers_village_work(open_as):
    page = open_as("village_admin", "/")
    links = page.locator(".quick-links").inner_text()
    assert "数据大屏" not in links and "年度目标" not in links
    assert "人员登记" in links and "登记变动" in links
    cards = page.locator(".stat-card").all_inner_texts()
    assert not any(card.startswith("乡镇") for card in cards)
    assert any("在册人员" in card for card in cards)
