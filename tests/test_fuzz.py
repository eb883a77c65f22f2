"""No 500 from user input (issue 19 item 4): every page of the crawl, and every page that names
an object (one object of each kind, from the authorization matrix's providers), as several
roles; each page's own GET search form fields plus the usual query parameters, and every POST
form found on the pages, filled with typed garbage: letters for numbers, huge, negative and
fractional numbers, empty and blank values, unicode digits and text, very long strings, SQL and
HTML metacharacters, impossible dates, NUL characters, a parameter given twice. One request
fills all of a page's parameters at once (``rounds``): a page with a search form gets every
garbage class in every field of it; the usual parameters of the other pages and the fields of
the POST forms get a deterministic sample, rotated so that the pages sharing a parameter try
every class on it between them. Half the rounds are htmx requests; the POSTs carry the page's
CSRF token. Any response of 500 or more, or any exception, is a failure.
"""

import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.authz_policy import POLICY, PUBLIC
from tests.test_authz_matrix import _object_kwargs, _position_unit, endpoints

pytestmark = pytest.mark.django_db

# One value per class; the rounds rotate the classes over a page's parameters.
GARBAGE = [
    "abc",  # letters where a number or code belongs
    "99999999999999999999999",  # past any integer column
    "-1",
    "1.5",
    "",
    "   ",
    "５２０",  # full-width digits: int() takes them
    "²³",  # superscripts: str.isdigit() says yes, int() says no
    "中文∑😀\u202e",
    "x" * 3000,
    "1' OR '1'='1; --",
    '<script>alert(1)</script>"><img src=x>',
    "2026-13-45",
    "0000-00-00",
    "%",
    "../../etc/passwd",
]
USUAL = (
    "page",
    "per_page",
    "size",
    "unit",
    "parent",
    "level",
    "period",
    "status",
    "year",
    "sort",
    "q",
    "date_from",
    "date_to",
    "program",
    "township",
)
# A NUL anywhere makes the whole request a 400 (RejectNulMiddleware), which would hide what the
# other parameters do: it gets a round of its own, in every parameter at once.
NUL = "a\x00b"
ROLES = ("county_officer", "finance", "sys_admin", "sec_admin", "audit_admin")
USUAL_ROUNDS, POST_ROUNDS = 3, 4  # pages without a search form, and POST forms: sampled
# POST targets the fuzz leaves alone: signing out ends the session the test works in.
SKIP_POST = {"accounts:logout"}


@dataclass
class Form:
    method: str
    action: str
    fields: list[str] = field(default_factory=list)
    csrf: str = ""


class Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._open: Form | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "form":
            self._open = Form((values.get("method") or "get").lower(), values.get("action") or "")
            self.forms.append(self._open)
        elif tag in ("input", "select", "textarea") and self._open and values.get("name"):
            if values["name"] == "csrfmiddlewaretoken":
                self._open.csrf = values.get("value") or ""
            elif values.get("type") not in ("submit", "button", "file"):
                self._open.fields.append(values["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def parse(html: str) -> list[Form]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def rounds(names: list[str], seed: str, count: int) -> list[dict[str, list[str]]]:
    """``count`` requests filling every name with garbage; round ``k`` gives the name at
    position ``i`` the class ``(start + i + k * step) % len(GARBAGE)``, where ``start`` comes
    from ``seed`` (the page), so that the pages sharing a parameter (``q``, ``page``, ``year``)
    between them try every class on it while each page needs only a few requests. The first
    round gives every name two values (``?q=a&q=b``); a last round puts NUL everywhere."""
    names = sorted(set(names))
    start = zlib.crc32(seed.encode())
    step = max(1, len(GARBAGE) // count)
    out = []
    for k in range(count):
        values = {}
        for i, name in enumerate(names):
            value = GARBAGE[(start + i + k * step) % len(GARBAGE)]
            values[name] = [GARBAGE[(start + k) % len(GARBAGE)], value] if k == 0 else [value]
        out.append(values)
    out.append({name: [NUL] for name in names})
    return out


def pages(role: str, user, units) -> list[str]:
    """The GET pages the role may open: the crawl's, and one of each object page."""
    urls = []
    for endpoint in endpoints():
        rule = POLICY[endpoint.name]
        if "GET" not in rule.methods or (rule.roles != PUBLIC and role not in rule.roles):
            continue
        if endpoint.name.startswith(("accounts:logout",)):
            continue
        kwargs = {}
        if endpoint.kwarg_names:
            unit = _position_unit(user, "own", units)
            kwargs = _object_kwargs(rule, endpoint, unit, user, "own")
        urls.append(reverse(endpoint.name, kwargs=kwargs))
    return urls


class Probe:
    def __init__(self, client: Client) -> None:
        self.client, self.failures, self.requests = client, [], 0

    def send(self, method: str, url: str, data: dict, **headers) -> str:
        self.requests += 1
        try:
            response = getattr(self.client, method)(url, data, **headers)
        except Exception as exc:  # noqa: BLE001 every exception is a finding
            self.failures.append(f"{method.upper()} {url} {sorted(data)}: {exc!r}"[:400])
            return ""
        if response.status_code >= 500:
            self.failures.append(f"{method.upper()} {url} {sorted(data)}: {response.status_code}")
        is_html = "text/html" in response.get("Content-Type", "")
        if response.status_code == 200 and is_html and not response.streaming:
            return response.content.decode(errors="replace")
        return ""


def _target(form: Form, page: str) -> str | None:
    action = urlsplit(form.action or page).path
    try:
        match = resolve(action)
    except Resolver404:
        return None
    return None if match.view_name in SKIP_POST else action


@pytest.mark.parametrize("role", ROLES)
def test_no_page_answers_500_to_garbage(role, personas, units, signed_in_client, record_property):
    user = personas[role]
    client = signed_in_client(user, Client(enforce_csrf_checks=True))
    probe = Probe(client)
    posted: set[str] = set()
    for url in pages(role, user, units):
        html = probe.send("get", url, {})
        forms = parse(html)
        names = [f for form in forms if form.method == "get" for f in form.fields]
        count = len(GARBAGE) if names else USUAL_ROUNDS  # every class in a page's own fields
        for number, values in enumerate(rounds([*names, *USUAL], url, count)):
            headers = {"HTTP_HX_REQUEST": "true"} if number % 2 else {}
            probe.send("get", url, values, **headers)
        for form in forms:
            target = _target(form, url) if form.method == "post" else None
            if target is None or resolve(target).view_name in posted or not form.csrf:
                continue
            posted.add(resolve(target).view_name)
            for values in rounds(form.fields, target, POST_ROUNDS):
                probe.send("post", target, {**values, "csrfmiddlewaretoken": form.csrf})
            if "_auth_user_id" not in client.session:  # a POST ended the session: back in
                signed_in_client(user, client)
    record_property("requests", probe.requests)
    assert probe.requests > 50
    assert probe.failures == [], f"{len(probe.failures)} of {probe.requests}: {probe.failures}"


def test_a_nul_character_is_a_clear_400_not_a_database_error(personas, signed_in_client):
    """PostgreSQL refuses text holding NUL: the probe's search boxes turned it into a 500."""
    client = signed_in_client(personas["county_officer"])
    response = client.get(reverse("system:job_list"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "不允许的字符" in response.content.decode()
    response = client.post(reverse("accounts:password"), {"old_password": "\x00"})
    assert response.status_code == 400
    # The API answers in JSON, as its schema says every answer is.
    response = client.get("/api/v1/units/", {"q": "a\x00b"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "请求中含有不允许的字符"}
