"""A4 PDF of a table (WeasyPrint, in process): landscape when wide, the CJK font that Debian's
fonts-noto-cjk installs ("Noto Sans CJK SC", see scripts/system-deps.sh), and on every page
填报单位 and 表号 at the top, 填报人 / 审核人 / 填报日期 and "第 X 页 共 Y 页" at the bottom (CSS
page-margin boxes and page counters)."""

from django.template.loader import render_to_string

from renkou.common.pdf import css_string
from renkou.common.pdf import write as write_pdf
from renkou.events.constants import Scope
from renkou.reports.tables.engine import Result, Signature, layout

__all__ = ["css_string", "render"]


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
    return write_pdf(html)
