"""A logging filter that masks anything shaped like an ID number, phone or bank account.

Code never logs personal data on purpose; this is the net under that rule (security.md AD5).
It also sits on the request logs (runserver's ``django.server``, gunicorn's access log through
``gunicorn.conf.py``), where a number typed into a GET search arrives in the URL: a query string
holding one is masked whole (issue 19 item 6).
"""

import logging
import re
from urllib.parse import unquote_plus

from renkou.common.validators import shaped_like_personal_number

_PATTERNS = [
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # 18-digit resident ID
    re.compile(r"(?<!\d)\d{15}(?!\d)"),  # 15-digit resident ID
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mainland mobile number
    re.compile(r"(?<!\d)\d{16,19}(?!\d)"),  # bank card
]


# The query string of a URL in a log line (a request line of the access log): typed numbers
# arrive percent-encoded, full width or in groups, which the patterns above do not see.
_QUERY = re.compile(r"\?([^\s\"']+)")
MASKED = "[已屏蔽]"


def _query(found: re.Match[str]) -> str:
    decoded = unquote_plus(found.group(1))
    return "?" + MASKED if shaped_like_personal_number(decoded) else found.group(0)


def scrub(text: str) -> str:
    text = _QUERY.sub(_query, text)
    for pattern in _PATTERNS:
        text = pattern.sub(MASKED, text)
    return text


class ScrubPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def gunicorn_logger_class() -> type:
    """gunicorn's logger with this filter on its access and error logs (``gunicorn.conf.py``
    names it; gunicorn imports the class, so gunicorn is imported only there)."""
    from gunicorn.glogging import Logger

    class ScrubbedGunicornLogger(Logger):  # type: ignore[misc]  # gunicorn ships no types
        def setup(self, cfg: object) -> None:
            super().setup(cfg)
            for log in (self.access_log, self.error_log):
                if not any(isinstance(f, ScrubPersonalData) for f in log.filters):
                    log.addFilter(ScrubPersonalData())

    return ScrubbedGunicornLogger
