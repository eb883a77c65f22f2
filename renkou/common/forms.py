"""Form fields shared by every app."""

import unicodedata
from datetime import date

from django import forms


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
