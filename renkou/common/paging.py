"""The list pager every page shares (RuoYi style: 10/20/30/50 rows, ``?page=`` and ``?size=``)."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.http import HttpRequest

PAGE_SIZES = frozenset({"10", "20", "30", "50"})


class KeysFirstPaginator(Paginator[Any]):
    """Reads a page of model rows in two steps: the page's primary keys in the list's order
    (a narrow query the list's index can answer alone, however far the page), then those rows
    with their joins. A single query would join every skipped row before dropping it: page 500
    of a township's persons joined 5,000 households and cards for 10 rows (issue 15 §3)."""

    def page(self, number: Any) -> "Page[Any]":
        rows = self.object_list
        if not (isinstance(rows, QuerySet) and rows._iterable_class is ModelIterable):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(rows.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in rows.order_by().filter(pk__in=keys)}
        return Page([found[k] for k in keys if k in found], number, self)


def paginate(request: HttpRequest, rows: Any) -> "Page[Any]":
    """The requested page of ``rows``; its rows are read once (templates loop over them twice)."""
    size = request.GET.get("size", "10")
    page = KeysFirstPaginator(rows, int(size) if size in PAGE_SIZES else 10).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    return page
