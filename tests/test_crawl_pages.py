"""Issue 11, "Also": follow every link and form of every page as every role, as a user clicking
through would, over a small county with data in every module (tests/crawl_county.py).

With Django's test client (tests/crawling.py), for each role: no ``??`` or otherwise malformed
address, no link or form to an address the role is refused (by the declared policy or by the
answer), no filter link that leaves the page as it was, no identifier of the code in the text a
user reads, no download named in ASCII.

In Chromium (``e2e``), every page the crawl reached, each under the first role that reaches it:
axe-core (npm, injected by Playwright from node_modules) finds no serious or critical WCAG 2 A/AA
violation at 1366×768 (the contrast of the desktop menu, item 5), and no page is wider than a
375 px screen (item 14). Screenshots of each role's home and main lists at 1366×768 and 375×667
go to ``$RENKOU_SCREENSHOTS`` when it is set (``make test`` sets it to var/screenshots).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from renkou.accounts.models import User
from tests.county_server import county  # noqa: F401 the module's county and live server
from tests.crawling import Crawl
from tests.test_e2e import CHROMIUM

ROLES = (
    "county_officer",
    "village_admin",
    "township_officer",
    "technician",
    "inspector",
    "leader",
    "finance",
    "sys_admin",
    "sec_admin",
    "audit_admin",
)
# A PDF takes seconds to lay out: one role opens it, the others check its link only.
SLOW_DOWNLOADS = frozenset({"reports:table_pdf"})
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 768}
SHOTS = 4  # main lists photographed per role, beside its home
# One worker takes the whole module (``--dist loadgroup``): the county is built and each role
# crawled once, not once on each worker that draws one of the module's tests.
pytestmark = pytest.mark.xdist_group("crawl_pages")


@pytest.fixture(scope="module")
def crawls(county):  # noqa: F811
    """Each role's crawl, walked once per module and kept for the browser test."""
    done: dict[str, Crawl] = {}
    with county.db():  # the role accounts and the county's other staff (包乡包村 demo staff)
        usernames = frozenset(User.objects.values_list("username", flat=True))

    def crawl(role: str) -> Crawl:
        if role not in done:
            user = county.users[role]
            own = frozenset({user.unit.code, user.scope_prefix or ""}) - {""}
            skip = frozenset() if role == "county_officer" else SLOW_DOWNLOADS
            with county.db():
                done[role] = Crawl(
                    role,
                    county.client(role),
                    per_name=1,
                    usernames=usernames,
                    own_values=own,
                    skip_names=skip,
                ).run()
        return done[role]

    return crawl


@pytest.mark.parametrize("role", ROLES)
def test_every_link_and_form_of_every_page(crawls, role):
    found = crawls(role)
    assert len(found.pages) > 3, "the crawl reached almost nothing"
    assert found.problems == [], "\n".join(found.problems)
    words = {word: sorted(names) for word, names in found.words.items()}
    assert words == {}, "\n".join(f"{w}: {', '.join(n)}" for w, n in sorted(words.items()))


def _full_pages(found: Crawl) -> dict[str, str]:
    """URL name → the first whole page (not an htmx fragment, not a download) of that name."""
    pages: dict[str, str] = {}
    for page in found.pages.values():
        if page.is_html and page.full and page.name not in pages:
            pages[page.name] = page.url
    return pages


def _axe(page) -> list[str]:
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: "tag", values:
                ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
            return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")
                    + " " + (n.any[0] ? n.any[0].message : "")).join(" | "));
        }"""
    )
    return list(result)


def _settled(page) -> None:
    """The page as the user sees it: parts loaded by htmx on page load have arrived."""
    page.wait_for_function(
        "() => window.htmx && !document.querySelector('.htmx-request')", timeout=30_000
    )


def _too_wide(page) -> int:
    """How many pixels the page is wider than the window (0: it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


WIDEST = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right <= window.innerWidth + 1 || !box.width) continue;
    const up = el.parentElement;
    if (up && up.closest('.table-responsive, .overflow-auto, .offcanvas')) continue;
    const edge = window.innerWidth + 1;
    const kids = [...el.children].some(c => c.getBoundingClientRect().right > edge);
    const css = typeof el.className === 'string' ? el.className.trim() : '';
    const classes = css ? '.' + css.split(/\\s+/).join('.') : '';
    if (!kids) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes);
  }
  return out.slice(0, 3).join(', ');
}"""


def _widest(page) -> str:
    """The innermost elements that stick out of the window (to say where to look)."""
    return page.evaluate(WIDEST)


def _shoot(page, role: str, name: str, size: dict) -> None:
    folder = os.environ.get("RENKOU_SCREENSHOTS")
    if not folder:
        return
    path = Path(folder) / f"{role}-{name.replace(':', '-')}-{size['width']}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def _main(found: Crawl) -> list[str]:
    """A role's home and its first main lists (in the order its menu leads to them)."""
    lists = [name for name in _full_pages(found) if name.endswith("_list")]
    return ["home", *lists[:SHOTS]]


# What axe and the screen width judge is the HTML and CSS the pages send, the same over either
# database; the PostgreSQL run leaves this browser pass out (3 minutes of its time).
@pytest.mark.sqlite
@pytest.mark.e2e
def test_every_page_is_readable_and_fits_a_phone(county, crawls):  # noqa: F811
    """Each page once, under the first role (in ``ROLES`` order) that reaches it; and each
    role's home and main lists photographed at both sizes."""
    problems: list[str] = []
    seen: set[str] = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for role in ROLES:
            found = _full_pages(crawls(role))
            main = _main(crawls(role))
            context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
            context.add_init_script(path=str(AXE))
            context.add_cookies(county.cookies(role))
            page = context.new_page()
            for name, url in sorted(found.items()):
                check, shoot = name not in seen, name in main
                if not (check or shoot):
                    continue
                page.set_viewport_size(DESKTOP)
                page.goto(county.url + url)
                _settled(page)
                if check:
                    problems += [f"{role} {name} {url}: {v}" for v in _axe(page)]
                if shoot:
                    _shoot(page, role, name, DESKTOP)
                page.set_viewport_size(PHONE)
                if check and _too_wide(page):
                    page.wait_for_timeout(1000)  # charts redraw for the new width after a moment
                if check and (wider := _too_wide(page)):
                    where = _widest(page)
                    problems.append(
                        f"{role} {name} {url}: 375 像素宽的屏幕上多出 {wider} 像素（{where}）"
                    )
                if shoot:
                    _shoot(page, role, name, PHONE)
            seen |= set(found)
            context.close()
        browser.close()
    assert problems == [], "\n".join(problems)
