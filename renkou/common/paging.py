"""The list pager every page shares (RuoYi style: 10/20/30/50 rows, ``?page=`` and ``?size=``)."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZES = frozenset({"10", "20", "30", "50"})


def paginate(request: HttpRequest, rows: Any) -> "Page[Any]":
    """The requested page of ``rows``; its rows are read once (templates loop over them twice)."""
    size = request.GET.get("size", "10")
    page = Paginator(rows, int(size) if size in PAGE_SIZES else 10).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    return page
