"""Form fields shared by every app."""

import unicodedata
from datetime import date

from django import forms

# Upper bounds for whole numbers typed into or carried by forms, so that nothing past the
# database's integer columns reaches a query (SQLite raises OverflowError past 2**63 − 1;
# PostgreSQL's integer columns stop at 2**31 − 1): a clear form error instead of a 500.
INT_MAX = 2**31 - 1
ID_MAX = 2**63 - 1


def parse_id(text: object) -> int | None:
    """A primary key from a raw parameter: ASCII digits within range, else None (``"²"`` and
    ``"５"`` pass ``str.isdigit``, and a 30-digit number overflows the database)."""
    value = str(text or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= ID_MAX else None


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), trimmed, inner spaces removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


class DateField(forms.DateField):
    """Accepts 2024-03-05, 2024/3/5, 2024.03.05, 20240305, 2024年3月5日, full-width too."""

    default_error_messages = {"invalid": "请输入有效的日期，如 2024-03-05 或 2024年3月5日"}

    def to_python(self, value: object) -> date | None:
        if isinstance(value, str):
            value = normalise(value)
        return super().to_python(value)
