"""The register list is read in the order of its index, never sorted per request (issue 15 §3):
the database's own plan for a township's page 500, on SQLite and on PostgreSQL."""

from datetime import date

from django.db import connection, transaction

from conftest import TOWNSHIP_A
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
