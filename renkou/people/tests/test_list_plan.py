"""The register list is read in the order of its index, never sorted per request (issue 15 §3):
the database's own plan for a township's page 500, on SQLite and on PostgreSQL; and a page
is read keys first (a narrow query, then the page's rows with their joins)."""

from datetime import date

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from conftest import TOWNSHIP_A
from renkou.common.paging import paginate
from renkou.geo.models import Unit
from renkou.people import selectors
from renkou.people.selectors import PersonFilter

INDEX = "person_list_present_idx"


def _plan(sql: str, params: tuple) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test table is tiny: a plan that may read the whole table and sort it is what
            # the planner would choose; forbid it so the plan shows whether the index can serve.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_a_townships_page_500_is_read_from_the_list_index_without_a_sort(db, personas):
    rows = selectors.person_list(
        personas["county_officer"], PersonFilter(unit=TOWNSHIP_A[:9]), today=date(2026, 12, 7)
    )
    sql, params = rows.select_related("card")[4990:5000].query.sql_with_params()
    plan = _plan(sql, params)
    assert INDEX in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan and "Sort" not in plan.replace(INDEX, ""), plan
    assert " LIKE " not in sql  # the township is a range of the index, not a filter over it


def test_pages_read_keys_first_hold_the_rows_of_the_plain_pages(db, personas):
    rows = Unit.objects.select_related("parent").order_by("-code")
    plain = Paginator(rows, 3)
    assert plain.num_pages >= 3
    for size, number in ((3, 1), (3, 2), (3, plain.num_pages), (10, 1), (10, 99)):
        request = RequestFactory().get("/", {"size": str(size), "page": str(number)})
        with CaptureQueriesContext(connection) as seen:
            page = paginate(request, rows)
        expected = Paginator(rows, 10 if size == 3 else size).get_page(number)
        assert [u.pk for u in page.object_list] == [u.pk for u in expected.object_list]
        assert page.number == expected.number
        keys = [q["sql"] for q in seen.captured_queries if "LIMIT" in q["sql"]]
        assert keys and "JOIN" not in keys[0]  # the keys step reads no joined table
    assert [u.parent_id for u in page.object_list] == [u.parent_id for u in expected.object_list]
