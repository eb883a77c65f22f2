"""A4 PDFs of the statutory tables' print layout (WeasyPrint, in process): the stylesheet
``css/print-table.css`` (CJK font from Debian's fonts-noto-cjk, "第 X 页 共 Y 页" at the foot),
page-margin strings written as escaped CSS strings, nothing fetched from anywhere. Used by the
report tables (renkou/reports/tables/pdf.py) and the assessment's letters, score sheets and
ranking (renkou/assessment/printing.py)."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

STYLESHEET = "css/print-table.css"


def css_string(text: str) -> SafeString:
    """A CSS string literal holding ``text``: every character but letters and digits (CJK
    included) is written as a hex escape, so no quote, backslash or ``</style>`` gets through."""
    body = "".join(ch if ch.isalnum() else f"\\{ord(ch):x} " for ch in text)
    return mark_safe(f'"{body}"')  # noqa: S308 every other character is escaped above


def stylesheet_text() -> str:
    path = finders.find(STYLESHEET) or str(Path(settings.STATIC_ROOT) / STYLESHEET)
    return Path(str(path)).read_text(encoding="utf-8")


def write(html: str) -> bytes:
    """The PDF of ``html`` (a template rendered for print). Nothing is fetched: no resource
    leaves the process."""
    # Imported here: loading WeasyPrint (Pango, fonts) costs time every process start otherwise.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=()))
    return bytes(document.write_pdf(stylesheets=[CSS(string=stylesheet_text())]))
