"""The one htmx helper (house style rule 6): an htmx request gets the named partial of the
page's template, a normal request the whole page, which renders the same partial inside."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, partial: str, status: int = 200
) -> HttpResponse:
    name = f"{template}#{partial}" if is_partial(request) else template
    return render(request, name, context, status=status)
