"""Guards the test settings install on every request and log record of the whole suite
(security.md CR5 and AD5): no ID number or phone in any URL, none in any log line."""

import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from renkou.common import idnumber

_CANDIDATE = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?![\dA-Za-z])")


def has_personal_number(text: str) -> bool:
    """An 11-digit mobile number, or a 15/18-character number that passes the resident-ID
    checks (date and check character) — so an 18-digit household code is not mistaken."""
    for match in _CANDIDATE.finditer(text):
        value = match.group(1)
        if len(value) == 11 or idnumber.validate(value).ok:
            return True
    return False


class PersonalDataInUrl(AssertionError):
    pass


class UrlGuardMiddleware:
    """Fails the request (and so the test) when its URL carries an ID number or phone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_personal_number(request.get_full_path()):
            raise PersonalDataInUrl(f"personal data in a URL: {request.path}")
        return self.get_response(request)


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
