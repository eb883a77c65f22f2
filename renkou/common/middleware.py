"""Request plumbing with no domain meaning: the client address, no-store caching, and the
signal that a POST's file download has arrived (the busy buttons of static/js/busy.js)."""

import re
from collections.abc import Callable

from django.conf import settings
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
