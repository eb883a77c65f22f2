"""ID- and phone-shaped values never in a URL (issue 19 item 6, security.md CR5, AD5).

The probe typed an ID number into the name box of a GET search: it went to the request log in
full and came back in the unit-tree and paging links. A GET carrying one is now refused with a
redirect to the POST search by ID number, nothing of the number in the new URL, and the request
logs (runserver's and gunicorn's) mask the query string.
"""

import logging
import re
import threading
import urllib.request
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import quote, unquote

import pytest
from django.urls import reverse

from conftest import VILLAGE_A1
from renkou.common import idnumber
from renkou.common.validators import shaped_like_personal_number
from renkou.people.tests.page_helpers import make_person, new_id

NUMBER = "62302219900501002X"  # shaped like an ID number: a date at digits 7–14
PHONE = "13912345678"
FULL_WIDTH = "６２３０２２１９９００５０１００２Ｘ"


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        (NUMBER, True),
        (NUMBER.lower(), True),
        (FULL_WIDTH, True),
        ("6230 2219 9005 0100 2X", True),  # in groups
        ("623022900501002", True),  # 15 digits
        ("62302219900501002", False),  # 17 digits: not a whole number
        (PHONE, True),
        ("139-1234-5678", True),
        ("王秀英", False),
        ("623022100201", False),  # a village code
        ("623022100201010001", False),  # a household code: digits 7–14 are no date
        ("2024-03", False),
    ],
)
def test_what_is_shaped_like_a_personal_number(text, shaped):
    assert shaped_like_personal_number(text) is shaped


@pytest.fixture
def village_admin(units, personas, signed_in_client):
    make_person(VILLAGE_A1, name="王秀英", id_number=new_id())
    return signed_in_client(personas["village_admin"])


@pytest.mark.parametrize(
    "typed", [NUMBER, PHONE, "６２３０２２１９９００５０１００２Ｘ", "139 1234 5678"]
)
def test_a_number_typed_into_the_name_search_is_refused_to_the_id_search(village_admin, typed):
    """On the person list (which has its own POST search by ID number): back to it without the
    number, a message saying where to type it, and no link of the page carries the number."""
    url = reverse("people:person_list") + "?" + f"name={quote(typed)}&unit={VILLAGE_A1}&page=1"
    response = village_admin.get(url)
    assert response.status_code == 302
    location = response["Location"]
    assert not shaped_like_personal_number(location)
    assert location.startswith(reverse("people:person_list")) and "#id-search" in location
    assert f"unit={VILLAGE_A1}" in location  # the rest of the search is kept
    page = village_admin.get(location).content.decode()
    assert "按身份证号查询" in page and "请在“按身份证号查询”中输入" in page
    links = re.findall(r'(?:href|hx-get)="([^"]*)"', page)
    assert links and not [u for u in links if shaped_like_personal_number(unquote(u))]
    assert idnumber.normalise(typed) not in idnumber.normalise(page)


def test_a_search_without_its_own_id_search_sends_to_the_registers(village_admin):
    response = village_admin.get(reverse("programs:couple_list") + f"?name={NUMBER}")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_list") + "#id-search"


def test_an_htmx_search_box_gets_a_full_page_redirect(village_admin):
    response = village_admin.get(
        reverse("people:person_list") + f"?name={NUMBER}", HTTP_HX_REQUEST="true"
    )
    assert not shaped_like_personal_number(response["HX-Redirect"])
    assert response["HX-Redirect"].startswith(reverse("people:person_list"))


def test_codes_and_names_pass(village_admin):
    for query in (f"unit={VILLAGE_A1}", "name=王", "code=623022100201010001"):
        url = reverse("people:household_list") + "?" + query
        assert village_admin.get(url).status_code == 200, query


def test_signed_out_the_number_is_dropped_before_the_sign_in_redirect(client, units):
    response = client.get(reverse("people:person_list") + f"?name={NUMBER}")
    assert response.status_code == 302 and not shaped_like_personal_number(response["Location"])
    followed = client.get(response["Location"])
    assert not shaped_like_personal_number(followed.get("Location", ""))


# --- the request logs ---------------------------------------------------------------------------


class Spy(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_runservers_request_log_masks_a_typed_number(units):
    """The development server's own request handler (as ``make run`` serves), with the logging
    of the settings: the logged request line keeps the path, not the number."""
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from django.core.wsgi import get_wsgi_application

    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    spy = Spy()
    logger = logging.getLogger("django.server")
    logger.addHandler(spy)
    try:
        thread.start()
        host, port = server.server_address[:2]
        for typed in (NUMBER, quote(FULL_WIDTH), "139+1234+5678"):
            url = f"http://{host}:{port}{reverse('people:person_list')}?name={typed}"
            opener = urllib.request.build_opener(NoRedirect)
            with pytest.raises(urllib.error.HTTPError):  # the 302, not followed
                opener.open(url, timeout=30)  # noqa: S310 loopback test server
    finally:
        server.shutdown()
        server.server_close()
        logger.removeHandler(spy)
    logged = [line for line in spy.lines if reverse("people:person_list") in line]
    assert len(logged) == 3
    assert all("?[已屏蔽]" in line and not shaped_like_personal_number(line) for line in logged)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_gunicorns_access_log_masks_a_typed_number():
    """gunicorn.conf.py's logger class: the access log line (request line and referrer) keeps
    the path, not the number."""
    from gunicorn.config import Config

    from renkou.common.logging import gunicorn_logger_class

    config = Config()
    config.set("accesslog", "-")
    log = gunicorn_logger_class()(config)
    spy = Spy()
    log.access_log.addHandler(spy)
    try:
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": f"/people/?name={NUMBER}",
            "PATH_INFO": "/people/",
            "QUERY_STRING": f"name={NUMBER}",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_REFERER": f"http://127.0.0.1/people/?name={PHONE}",
        }
        response = SimpleNamespace(status="302 Found", sent=0, headers=[])
        log.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5))
    finally:
        log.access_log.removeHandler(spy)
    assert len(spy.lines) == 1 and "/people/?[已屏蔽]" in spy.lines[0]
    assert not shaped_like_personal_number(spy.lines[0])
    assert idnumber.normalise(NUMBER) not in spy.lines[0]


def test_the_api_answers_for_itself(village_admin, settings):
    """No page redirect for an API client (a fuzzer's page=13912345678 gets the API's 404).
    The suite's URL guard is for URLs of the application's pages, as in tests/test_api_fuzz.py."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("UrlGuardMiddleware")]
    response = village_admin.get(reverse("unit-list") + f"?page={PHONE}")
    assert response.status_code == 404
