"""Request plumbing with no domain meaning: the client address, no-store caching, and the
refusal of NUL characters in parameters."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str:
    """The client address, believing X-Forwarded-For only through the configured number of
    trusted proxies (otherwise lockout and audit addresses could be spoofed by any client)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.RENKOU_TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [p for p in forwarded if p] + [remote]
    # The last `trusted` hops are our proxies; the address just before them is the client.
    index = len(chain) - 1 - trusted
    return chain[index] if index >= 0 else chain[0]


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_ip = client_ip(request)  # type: ignore[attr-defined]
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
                    raise BadRequest("请求中含有不允许的字符")
        return self.get_response(request)
