"""A4 PDFs of the assessment (the statutory tables' print layout, ``renkou.common.pdf``): a
responsibility letter, one unit's score sheet, and the ranking of the units the requester may
see. Typeset on the background worker (``assessment.tasks``). Aggregates and the scheme's own
rows only: no person, no name list, no evidence document."""

from datetime import date
from typing import Any

from django.template.loader import render_to_string

from renkou.assessment import letters, sheets
from renkou.assessment.models import Letter, Scheme
from renkou.common import pdf
from renkou.geo.constants import county_of, full_code
from renkou.geo.selectors import unit_names


def _name(code: str) -> str:
    return unit_names([code]).get(code, code)


def letter_pdf(letter: Letter) -> bytes:
    scheme = letter.scheme
    county = _name(full_code(county_of(scheme.unit_code)))
    township = _name(letter.unit_code)
    title = f"{scheme.year}年度人口和计划生育目标管理责任书"
    context = {
        "title": title,
        "letter": letter,
        "scheme": scheme,
        "county": county,
        "township": township,
        "paragraphs": letters.paragraphs(letter),
        "lines": letters.lines(letter),
        "top_left": pdf.css_string(f"甲方：{county}人民政府　乙方：{township}人民政府"),
        "top_right": pdf.css_string(title),
    }
    return pdf.write(render_to_string("assessment/pdf_letter.html", context))


def sheet_pdf(scheme: Scheme, code: str, on: date) -> bytes:
    found = sheets.compute(scheme, on, only=[code])
    sheet = found[0]
    context = {
        "scheme": scheme,
        "sheet": sheet,
        "on": on,
        "staff": sheets.staff_of(scheme, code),
        "top_left": pdf.css_string(f"被考核单位：{sheet.unit_name}"),
        "top_right": pdf.css_string(f"{scheme.label}　计分日期：{on:%Y年%m月%d日}"),
    }
    return pdf.write(render_to_string("assessment/pdf_sheet.html", context))


def ranking_pdf(scheme: Scheme, on: date, user: Any) -> bytes:
    """The ranking of the units ``user`` may see, with each township's tasks and notices
    overdue on ``on`` (as the board shows them)."""
    found = sheets.within(getattr(user, "scope_prefix", "") or "", sheets.compute(scheme, on))
    sheets.with_overdue(user, found, on)
    county = _name(full_code(county_of(scheme.unit_code)))
    context = {
        "scheme": scheme,
        "sheets": found,
        "on": on,
        "county": county,
        "top_left": pdf.css_string(f"{county}　{scheme.label}"),
        "top_right": pdf.css_string(f"考核排名　计分日期：{on:%Y年%m月%d日}"),
    }
    return pdf.write(render_to_string("assessment/pdf_ranking.html", context))
