"""Request plumbing with no domain meaning: the client address, no-store caching, the refusal
of NUL characters in parameters, no personal number in a URL, and the signal that a POST's file
download has arrived (the busy buttons of static/js/busy.js)."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django_htmx.http import HttpResponseClientRedirect

from renkou.common.validators import shaped_like_personal_number


def client_ip(request: HttpRequest) -> str:
    """The client address, believing X-Forwarded-For only through the configured number of
    trusted proxies (otherwise lockout and audit addresses could be spoofed by any client)."""
    remote: str = request.META.get("REMOTE_ADDR", "")
    trusted = settings.RENKOU_TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [p.strip() for p in header.split(",")]
    chain = [p for p in forwarded if p] + [remote]
    # The last `trusted` hops are our proxies; the address just before them is the client.
    index = len(chain) - 1 - trusted
    return chain[index] if index >= 0 else chain[0]


class ClientRequest(HttpRequest):
    """A request as ``ClientAddressMiddleware`` leaves it, for the annotations of views that
    read the client address (never instantiated)."""

    client_ip: str


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_ip = client_ip(request)  # type: ignore[attr-defined]  # see ClientRequest
        return self.get_response(request)


class NoStoreMiddleware:
    """Signed-in pages may show personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


# The REST API has no search by name; a client's odd query value gets the API's own answer
# (its access-log line is masked like any other), not a redirect to a page.
API_PREFIX = "/api/"
# Where the POST search by ID number is, for pages that have none, and the permission it needs.
ID_SEARCH_PAGE, ID_SEARCH_PERM = "people:person_list", "people.view_person"
NUMBER_IN_URL = (
    "身份证号、手机号不能作为网址中的查询条件（网址会被记入访问日志），已去掉该条件；"
    "请在“按身份证号查询”中输入身份证号。"
)


def offers_id_search(view: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a page that has its own POST search by ID number: a number typed into its GET
    search comes back to it (without the number) rather than to the register's search."""
    view.offers_id_search = True  # type: ignore[attr-defined]  # a mark read by the middleware
    return view


class NumbersOutOfUrlsMiddleware:
    """A GET whose query string carries something shaped like an ID number or mobile phone
    (typed into a name box) is refused before any view or log of ours sees it: a redirect, with
    a message, to the POST search by ID number (the page's own, or the register's), with none
    of the number in the new URL (security.md CR5, issue 19 item 6). The request line itself
    still reaches the access log, whose filter masks it (``renkou.common.logging``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pages = not request.path_info.startswith(API_PREFIX)
        if pages and request.method in ("GET", "HEAD") and request.GET:
            kept = [
                (key, value)
                for key, values in request.GET.lists()
                for value in values
                if not shaped_like_personal_number(value)
            ]
            if len(kept) < sum(len(values) for _key, values in request.GET.lists()):
                return self._refuse(request, kept)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, kept: list[tuple[str, str]]) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            messages.warning(request, NUMBER_IN_URL)
        try:
            own = getattr(resolve(request.path_info).func, "offers_id_search", False)
        except Resolver404:
            own = False
        if user is not None and signed_in and not own and user.has_perm(ID_SEARCH_PERM):
            target = reverse(ID_SEARCH_PAGE) + "#id-search"
        else:
            query = urlencode(kept)
            target = request.path + (f"?{query}" if query else "") + "#id-search"
        if request.headers.get("HX-Request"):  # an htmx search box: a full page, not a swap
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)


NUL_REFUSED = "请求中含有不允许的字符"


class RejectNulMiddleware:
    """A NUL character in a query or form parameter is refused with 400 (issue 19 item 4):
    PostgreSQL cannot store or compare text holding one, so a search box would otherwise turn
    it into a server error on every page that filters by a raw parameter. Form fields refuse
    it anyway (Django's ProhibitNullCharactersValidator); this covers the rest in one place."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = [request.GET]
        if request.method == "POST":
            params.append(request.POST)
        for query in params:
            for key, values in query.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    if request.path_info.startswith(API_PREFIX):  # the API answers in JSON
                        return JsonResponse({"detail": NUL_REFUSED}, status=400)
                    raise BadRequest(NUL_REFUSED)
        return self.get_response(request)


DOWNLOAD_COOKIE = "renkou_download"
_TOKEN = re.compile(r"^[A-Za-z0-9]{8,32}$")


class DownloadTokenMiddleware:
    """A POST form whose answer is a file (the bank file, an export) leaves the page where it
    is, so its busy button cannot tell from a page load that the work is done. busy.js sends a
    random ``download_token`` with every POST; when the answer is an attachment, this cookie
    carries the token back (a random value, no personal data, read by the script only)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "POST" or "attachment" not in response.get("Content-Disposition", ""):
            return response
        token = request.POST.get("download_token", "")
        if _TOKEN.match(token):
            response.set_cookie(
                DOWNLOAD_COOKIE,
                token,
                max_age=120,
                secure=request.is_secure(),
                httponly=False,  # the page's script reads it
                samesite="Strict",
            )
        return response
