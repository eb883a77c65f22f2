"""Guards the test settings install on every request and log record of the whole suite
(security.md CR5 and AD5): no ID number or phone in any URL the app makes (one typed into a GET
search is refused), none in any log line, the access log included."""

import logging
from collections.abc import Callable
from datetime import date, datetime, time
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from renkou.common.validators import shaped_like_personal_number


def local_noon(day: date) -> datetime:
    """Noon of ``day`` in the county's time zone: where a test moves the clock with
    time-machine (``time_machine.move_to(local_noon(day))``) so that ``dates.today()`` is
    ``day`` on every page and service at once."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def has_personal_number(text: str) -> bool:
    """Something shaped like an ID number (its birth-date digits a date) or a mobile number:
    the same test the app applies to query strings, so an 18-digit household code is not one."""
    return shaped_like_personal_number(text)


class PersonalDataInUrl(AssertionError):
    pass


class UrlGuardMiddleware:
    """Fails the request (and so the test) when the app puts an ID number or phone into a URL:
    a request whose URL carries one (a user typed it into a GET search) must be refused with a
    redirect, and no redirect may carry one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        carried = has_personal_number(unquote_plus(request.get_full_path()))
        response = self.get_response(request)
        target = unquote_plus(response.get("Location", "") + response.get("HX-Redirect", ""))
        if has_personal_number(target):
            raise PersonalDataInUrl(f"personal data in a redirect from {request.path}")
        refused = 300 <= response.status_code < 400 or response.has_header("HX-Redirect")
        if carried and not refused:
            raise PersonalDataInUrl(f"personal data in a URL, not refused: {request.path}")
        return response


class LogSpy(logging.Handler):
    """Collects every log record that carries something shaped like an ID number or phone."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.hits: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        if has_personal_number(message):
            self.hits.append(f"{record.name}: {message[:200]}")


def media_bytes(relative: str) -> bytes:
    """The plaintext of a stored file under MEDIA_ROOT (stored files are encrypted at rest)."""
    from pathlib import Path

    from django.conf import settings

    from renkou.common import vault

    path = Path(settings.MEDIA_ROOT) / relative
    return b"".join(vault.unseal(path, context=vault.media_context(relative)))
