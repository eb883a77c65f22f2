"""Follow every link and form of the pages as one signed-in account, as a user clicking
through would (issue 11, "Also"): with Django's test client, so that every role's pages can be
walked in seconds; the browser tests then open the pages found here in Chromium.

What the crawl reports as a problem:
- a link or form whose address is malformed (``??``, ``?&``, ``&&``, a second ``?``, a key twice);
- a link or form to an address the role is refused (by the declared policy, tests/authz_policy,
  or by the answer: 403, 404, a redirect to the sign-in page) or that fails (5xx);
- a filter link (same page, other query) that does not change what the page shows;
- ASCII identifiers of the code in the text a user reads (dotted or snake_case words, English
  words, ``docs/``, ``§``) outside an allow-list;
- a download whose file name has no Chinese in it (other downloads are named in Chinese).

Pages are keyed by URL name: at most ``per_name`` addresses of one URL name are opened per role
(a list's first rows stand for the others), and every link found is still checked statically.
"""

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from tests.authz_policy import POLICY, PUBLIC

HTML = "text/html"
# Words a user may read in ASCII: file formats, brands and standards, abbreviations of the
# medical and administrative forms, units. Pinyin initials in a placeholder ("如 wxy") too.
ALLOWED_WORDS = frozenset(
    {
        "Excel",
        "PDF",
        "xlsx",
        "xls",
        "ods",
        "csv",
        "CSV",
        "ID",
        "ABO",
        "Rh",
        "MB",
        "KB",
        "JPG",
        "PNG",
        "TOTP",
        "Base32",
        "QR",
        "IP",
        "wxy",
        "zhang",
        "zs",
        "HIV",
        "TFR",
        "GB",
        "GB/T",
        "T",
        "HBsAg",
        "TORCH",
        "API",
        "Token",
        "Microsoft",
        "Authenticator",
        "Google",
        "FreeOTP",
    }
)
# Pages that show account names as such (the accounts, the logs of who did what): there the
# crawl's own account names are data, not code.
ACCOUNT_PAGES = frozenset(
    {
        "system:user_list",
        "system:user_edit",
        "system:audit_list",
        "system:loginlog_list",
        "system:session_list",
    }
)
# Pages whose subject is the codes themselves: the dictionaries (字典类型 and 键值 are codes by
# definition) and the rule editor of the benefit programmes, where the county writes the rule
# as structured data over named facts (architecture.md, "Rules").
CODE_PAGES = frozenset(
    {
        "system:dict_list",
        "system:dictitem_list",
        "system:dicttype_create",
        "system:dicttype_edit",
        "system:dictitem_create",
        "system:dictitem_edit",
        "benefits:version_create",
        "benefits:version_edit",
        "benefits:version_test",
        "todo:rule_edit",
    }
)
IDENTIFIER = re.compile(
    r"§|docs/|\b[A-Za-z][A-Za-z0-9]*(?:[._:/#][A-Za-z_][A-Za-z0-9_]*)+|\b[A-Za-z]{2,}\b"
)
HAN = re.compile(r"[\u4e00-\u9fff]")
MALFORMED = (("??", "两个问号"), ("?&", "问号后紧跟 &"), ("&&", "两个 &"), ("&=", "空参数名"))


@dataclass
class Link:
    url: str  # as written in the page, entities decoded
    kind: str  # a, hx-get, form-get, form-post
    text: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)  # a GET form's defaults
    push: bool = True  # the address becomes the page's (hx-push-url, or a plain link)
    active: bool = False  # marked as the state the page is in (active tab or tree node)


@dataclass
class Page:
    url: str
    name: str
    status: int
    main_text: str = ""
    links: list[Link] = field(default_factory=list)
    is_html: bool = False
    full: bool = True  # a whole page, not an htmx fragment


class _Parser(HTMLParser):
    """Links, htmx gets, forms with their default values, the text a user reads (text, titles,
    placeholders, option labels) and the text of <main>."""

    SKIP = frozenset({"script", "style", "template"})
    SHOWN_ATTRS = ("placeholder", "title", "aria-label", "alt", "data-confirm")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.text: list[str] = []
        self.main: list[str] = []
        self._skip = 0
        self._in_main = 0
        self._data: list[str] = []  # open elements marked translate="no" (codes shown as data)
        self._form: Link | None = None
        self._select: tuple[str, list[str], list[str]] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag in self.SKIP:
            self._skip += 1
        if self._data or a.get("translate") == "no":
            self._data.append(tag)
        if tag == "main":
            self._in_main += 1
        if not self._data:
            self.text.extend(a[k] for k in self.SHOWN_ATTRS if a.get(k))
        if a.get("hx-get"):
            push = a.get("hx-push-url") == "true" or tag == "form"
            self.links.append(Link(a["hx-get"], "hx-get", push=push))
        if tag == "a" and a.get("href"):
            active = "active" in a.get("class", "").split() or "aria-current" in a
            self.links.append(Link(a["href"], "a", active=active))
        elif tag == "form":
            method = a.get("method", "get").lower()
            self._form = Link(a.get("action", ""), f"form-{method}")
            self.links.append(self._form)
        elif tag == "button" and a.get("formaction") and self._form is not None:
            self.links.append(Link(a["formaction"], "form-post"))
        elif tag == "input" and self._form is not None:
            self._input(a)
        elif tag == "select" and self._form is not None and a.get("name"):
            self._select = (a["name"], [], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        elif tag == "textarea" and self._form is not None and a.get("name"):
            self._textarea = a["name"]
            self._form.fields.append((a["name"], ""))

    def _input(self, a: dict) -> None:
        kind = a.get("type", "text").lower()
        if not a.get("name") or kind in ("submit", "button", "file", "image", "reset"):
            return
        if kind in ("checkbox", "radio") and "checked" not in a:
            return
        self._form.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))

    def handle_endtag(self, tag: str) -> None:
        if self._data and self._data[-1] == tag:
            self._data.pop()
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "main":
            self._in_main = max(0, self._in_main - 1)
        elif tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            name, values, chosen = self._select
            if self._form is not None and values:
                self._form.fields.append((name, (chosen or values)[0]))
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._data:  # text marked translate="no" is data (a code, a parameter), not prose
            self.text.append(data)
        if self._in_main:
            self.main.append(data)
        if self._textarea is not None and self._form is not None and self._form.fields:
            name, value = self._form.fields[-1]
            self._form.fields[-1] = (name, value + data)


def malformed(url: str) -> str:
    """Why a link's address is malformed, or ""."""
    for token, why in MALFORMED:
        if token in url:
            return why
    _, _, query = url.partition("?")
    if "?" in query:
        return "查询串中又有问号"
    if url.endswith("&"):
        return "以 & 结尾"
    keys = [k for k, _ in parse_qsl(query.split("#")[0], keep_blank_values=True)]
    repeated = sorted(k for k, n in Counter(keys).items() if n > 1)
    return f"参数重复：{','.join(repeated)}" if repeated else ""


def identifiers(text: str, allowed: frozenset[str] = frozenset()) -> set[str]:
    """ASCII identifiers of the code in the text a user reads, outside the allow-list."""
    words = {match.group(0) for match in IDENTIFIER.finditer(text)}
    return words - ALLOWED_WORDS - allowed


def _normal(url: str) -> str:
    """Path and the query sorted, to recognise the same address written another way."""
    parts = urlsplit(url)
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


def _query(url: str) -> list[tuple[str, str]]:
    return sorted(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _url_name(path: str) -> str:
    try:
        match = resolve(unquote(path))
    except Resolver404:
        return ""
    return match.view_name


def sign_in(client: Client, user) -> Client:
    """A signed-in client whose two-factor step counts as done (as conftest's personas)."""
    client.force_login(user)
    session = client.session
    now = timezone.now().timestamp()
    session["renkou_auth_at"] = now
    session["renkou_seen_at"] = now
    session.save()
    return client


@dataclass
class Crawl:
    """One role's walk: the pages opened, and what was wrong."""

    role: str
    client: Client
    per_name: int = 2
    filter_checks: int = 8
    skip_names: frozenset[str] = frozenset()
    usernames: frozenset[str] = frozenset()  # shown as data on ACCOUNT_PAGES
    # The account's own unit (code and prefix): every list opens filtered to it, so a link to
    # it (the tree's root, a township's own node) shows the page as it is.
    own_values: frozenset[str] = frozenset()
    pages: dict[str, Page] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    words: dict[str, set[str]] = field(default_factory=dict)  # word → URL names showing it
    _opened: Counter = field(default_factory=Counter)
    _filtered: Counter = field(default_factory=Counter)
    timings: Counter = field(default_factory=Counter)  # seconds spent per URL name

    def run(self, start: str = "/") -> "Crawl":
        queue = [(start, True, "")]
        while queue:
            url, push, source = queue.pop(0)
            key = _normal(url)
            name = _url_name(urlsplit(url).path)
            if key in self.pages or self._opened[name] >= self.per_name:
                continue
            self._opened[name] += 1
            page = self._open(url, name, source, htmx=not push)
            self.pages[key] = page
            same_page = []
            for link in page.links:
                target = self._target(page, link, push)
                if target is None:
                    continue
                queue.append((target, link.push and push, page.url))
                same = urlsplit(target).path == urlsplit(page.url).path
                if link.kind == "a" and same and not link.active:
                    same_page.append(target)
            if page.main_text:
                self._filters(page, same_page)
        return self

    def _problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def _open(self, url: str, name: str, source: str, *, htmx: bool = False) -> Page:
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        started = time.monotonic()
        response = self.client.get(url, REMOTE_ADDR="10.0.0.1", follow=True, **headers)
        self.timings[name] += time.monotonic() - started
        page = Page(url, name, response.status_code, full=not htmx)
        where = f"{name or url}（来自 {source or '首页'}）"
        if any("/accounts/login/" in hop for hop, _ in response.redirect_chain):
            self._problem(f"{where}：转到登录页（角色无权访问）")
            return page
        if response.status_code != 200:
            self._problem(f"{where}：{url} 返回 {response.status_code}")
            return page
        kind = response.get("Content-Type", "")
        if HTML not in kind:
            self._download(response, name, where)
            return page
        parser = _Parser()
        parser.feed(response.content.decode())
        page.is_html = True
        page.links = parser.links
        page.main_text = " ".join(" ".join(parser.main).split())
        if name not in CODE_PAGES:
            allowed = self.usernames if name in ACCOUNT_PAGES else frozenset()
            for word in identifiers(" ".join(parser.text), allowed):
                self.words.setdefault(word, set()).add(name)
        return page

    def _download(self, response, name: str, where: str) -> None:
        disposition = response.get("Content-Disposition", "")
        if "attachment" in disposition and not HAN.search(unquote(disposition)):
            self._problem(f"{where}：下载文件名不是中文（{disposition}）")

    def _target(self, page: Page, link: Link, push: bool) -> str | None:
        """Checks one link of a page; returns the address to open next, or None."""
        raw = unescape(link.url)
        if raw.startswith(("#", "mailto:", "javascript:", "tel:")) or "//" in raw.split("?")[0]:
            return None
        base = page.url
        url = urljoin(base, raw) if raw else base
        if link.kind == "form-get" and link.fields:
            query = "&".join(f"{k}={v}" for k, v in link.fields)
            url = url.split("?")[0] + "?" + query
        where = f"{page.name}：{link.kind} {raw or '（本页）'}"
        if why := malformed(raw):
            self._problem(f"{where} 地址有误（{why}）")
            return None
        name = _url_name(urlsplit(url).path)
        if not name:
            self._problem(f"{where} 指向不存在的地址")
            return None
        if name in self.skip_names:
            return None
        method = "POST" if link.kind == "form-post" else "GET"
        rule = POLICY.get(name)
        allowed = rule is not None and (rule.roles == PUBLIC or self.role in rule.roles)
        if not allowed or method not in rule.methods:
            self._problem(f"{where} 指向本角色无权使用的 {name}（{method}）")
            return None
        if method == "POST":
            return None
        return url

    def _filters(self, page: Page, links: list[str]) -> None:
        """Links to the same page with another query are filters (a tree node, a tab, a page
        number). Grouped by the parameters they set, at least one link of each group must
        change what the page shows (a link to the state the page is already in, such as the
        tree's root for a county account, changes nothing, and that is right). Links that only
        remove parameters (全部, 重置) are not filters."""
        current = dict(_query(page.url))
        groups: dict[tuple[str, ...], list[str]] = {}
        for url in links:
            wanted = dict(_query(url))
            changed = tuple(
                sorted(
                    k
                    for k, v in wanted.items()
                    if v and current.get(k) != v and v not in self.own_values
                )
            )
            if changed:
                groups.setdefault(changed, []).append(url)
        for keys, urls in groups.items():
            if self._filtered[(page.name, keys)]:
                continue
            self._filtered[(page.name, keys)] += 1
            if not any(self._changes(page, url) for url in urls[: self.filter_checks]):
                self._problem(
                    f"{page.name}：筛选链接（{'、'.join(keys)}）点击后页面内容不变"
                    f"（{page.url} → {urls[0]}）"
                )

    def _changes(self, page: Page, url: str) -> bool:
        response = self.client.get(url, REMOTE_ADDR="10.0.0.1")
        if response.status_code != 200 or HTML not in response.get("Content-Type", ""):
            return True  # reported when the link itself is opened
        parser = _Parser()
        parser.feed(response.content.decode())
        return " ".join(" ".join(parser.main).split()) != page.main_text
