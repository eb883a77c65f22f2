"""The bulletin (通报) as an A4 PDF (WeasyPrint, in process, nothing fetched), in the
statutory tables' print layout (static/css/print-table.css: the CJK font, the table style, the
page counter): title, number and date, the preface, and one table of the findings by township
with severity, the proposed deduction and the state of the rectification."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from renkou.geo.selectors import unit_names

STYLESHEET = "css/print-table.css"


def rows(bulletin: Any) -> list[dict[str, Any]]:
    findings = list(
        bulletin.findings.select_related("inspection")
        .prefetch_related("notices")
        .order_by("unit_code", "found_on", "pk")
    )
    names = unit_names(f.unit_code for f in findings)
    return [
        {
            "unit": names.get(f.unit_code, f.unit_code),
            "visit": f.inspection.title,
            "found_on": f.found_on,
            "severity": f.get_severity_display(),
            "text": f.text,
            "deduction": f.deduction,
            "notice": "；".join(n.get_status_display() for n in f.notices.all()) or "—",
        }
        for f in findings
    ]


def render(bulletin: Any) -> bytes:
    html = render_to_string(
        "supervision/bulletin_pdf.html", {"b": bulletin, "rows": rows(bulletin)}
    )
    path = finders.find(STYLESHEET) or str(Path(settings.STATIC_ROOT) / STYLESHEET)
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=()))
    return document.write_pdf(stylesheets=[CSS(string=Path(str(path)).read_text(encoding="utf-8"))])
