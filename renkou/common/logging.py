"""A logging filter that masks anything shaped like an ID number, phone or bank account.

Code never logs personal data on purpose; this is the net under that rule (security.md AD5).
"""

import logging
import re

_PATTERNS = [
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # 18-digit resident ID
    re.compile(r"(?<!\d)\d{15}(?!\d)"),  # 15-digit resident ID
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mainland mobile number
    re.compile(r"(?<!\d)\d{16,19}(?!\d)"),  # bank card
]


def scrub(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub("[已屏蔽]", text)
    return text


class ScrubPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
