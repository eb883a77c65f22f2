"""A4 PDF of a table (WeasyPrint, in process): landscape when wide, the CJK font that Debian's
fonts-noto-cjk installs ("Noto Sans CJK SC", see scripts/system-deps.sh), and on every page
填报单位 and 表号 at the top, 填报人 / 审核人 / 填报日期 and "第 X 页 共 Y 页" at the bottom (CSS
page-margin boxes and page counters)."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from renkou.events.constants import Scope
from renkou.reports.tables.engine import Result, Signature, layout

STYLESHEET = "css/print-table.css"


def css_string(text: str) -> SafeString:
    """A CSS string literal holding ``text``: every character but letters and digits (CJK
    included) is written as a hex escape, so no quote, backslash or ``</style>`` gets through."""
    body = "".join(ch if ch.isalnum() else f"\\{ord(ch):x} " for ch in text)
    return mark_safe(f'"{body}"')  # noqa: S308 every other character is escaped above


def _stylesheet_text() -> str:
    path = finders.find(STYLESHEET) or str(Path(settings.STATIC_ROOT) / STYLESHEET)
    return Path(path).read_text(encoding="utf-8")


def render(result: Result, signature: Signature) -> bytes:
    """The table as a PDF file. Nothing is fetched: no resource leaves the process."""
    table = result.table
    sign = "　".join(signature.lines(table))
    context = {
        "result": result,
        "table": table,
        "grid": layout(result),
        "signature": signature,
        "scope_label": Scope(result.scope).label,
        "top_left": css_string(f"填报单位：{result.unit.name}"),
        "top_right": css_string(f"{table.form_no or table.title}　{result.period.label}"),
        "bottom_left": css_string(sign),
    }
    html = render_to_string("reports/table_pdf.html", context)
    # Imported here: loading WeasyPrint (Pango, fonts) costs time every process start otherwise.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=()))
    return document.write_pdf(stylesheets=[CSS(string=_stylesheet_text())])
