"""The informant appears to the handler alone (issue 18 item 1): encrypted at rest; never in the
lists, the export, the figures, the audit trail, the logs, the to-do list, the history or on
another account's view of the tip-off; a tip-off outside the caller's subtree is 404."""

import io
import logging
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from python_calamine import CalamineWorkbook

from conftest import OTHER_TOWNSHIP, make_user
from renkou.common.models import AuditEntry
from renkou.tipoffs.tests.conftest import NAME, PHONE
from renkou.todo import services as todo
from renkou.todo.models import TodoItem

ROLES = ("township_officer", "county_officer", "leader", "finance", "village_admin")


def _page(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    return response.status_code, response.content.decode("utf-8", "replace")


def test_the_handler_alone_reads_the_informant_and_the_read_is_audited(
    handled, personas, signed_in_client
):
    for role in ROLES:
        client = signed_in_client(personas[role])
        status, html = _page(client, "tipoffs:detail", handled.pk)
        if role == "township_officer":  # the handler
            assert status == 200 and NAME in html and PHONE in html
        else:
            assert NAME not in html and PHONE not in html
        client.logout()
    read = AuditEntry.objects.get(action="tipoffs.informant_read")
    assert read.username == "p_township_officer" and read.object_id == str(handled.pk)


def test_before_assignment_nobody_reads_the_informant_not_even_who_took_it(
    tipoff, personas, signed_in_client
):
    client = signed_in_client(personas["township_officer"])  # took the call
    status, html = _page(client, "tipoffs:detail", tipoff.pk)
    assert status == 200 and NAME not in html and PHONE not in html


def test_lists_export_figures_todo_and_home_never_show_the_informant(
    handled, personas, signed_in_client
):
    pages = [
        ("tipoffs:list", ()),
        ("tipoffs:stats", ()),
        ("tipoffs:reward_list", ()),
        ("todo:item_list", ()),
        ("home", ()),
    ]
    with time_machine.travel(date(2027, 4, 10), tick=False):
        todo.refresh(None, date(2027, 4, 10))
        for role in ROLES:
            client = signed_in_client(personas[role])  # the handler too: lists are lists
            for name, args in pages:
                _status, html = _page(client, name, *args, all="1", year="2027")
                assert NAME not in html and PHONE not in html, (role, name)
            client.logout()
        client = signed_in_client(personas["township_officer"])
        export = client.get(reverse("tipoffs:export"))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0)
    cells = [str(c) for row in sheet.to_python() for c in row]
    assert "举〔2027〕1号" in cells
    assert not [c for c in cells if NAME in c or PHONE in c]
    entry = AuditEntry.objects.get(action="tipoffs.export")
    assert entry.row_count == 1


def test_nothing_stored_in_clear_nor_logged_nor_audited(
    handled, personas, signed_in_client, caplog
):
    caplog.set_level(logging.DEBUG)
    client = signed_in_client(personas["township_officer"])
    client.get(reverse("tipoffs:detail", args=[handled.pk]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact FROM tipoffs_informant")
        stored = cursor.fetchall()
    assert stored and all(NAME not in v and PHONE not in v for row in stored for v in row)
    assert all(v.startswith("v1:") for row in stored for v in row)
    for entry in AuditEntry.objects.all():
        text = " ".join(str(v) for v in (entry.summary, entry.reason, entry.object_id))
        assert NAME not in text and PHONE not in text
    assert NAME not in caplog.text and PHONE not in caplog.text
    history = " ".join(str(h.__dict__) for h in handled.history.all())
    assert NAME not in history and PHONE not in history
    items = " ".join(str(i.__dict__) for i in TodoItem.objects.all())
    assert NAME not in items


@pytest.mark.parametrize(
    "name", ["tipoffs:detail", "tipoffs:assign", "tipoffs:step_add", "tipoffs:reward_pay"]
)
def test_a_tipoff_outside_the_subtree_is_404(handled, units, signed_in_client, name):
    other = make_user("t_other", "township_officer", units[OTHER_TOWNSHIP])
    client = signed_in_client(other)
    url = reverse(name, args=[handled.pk])
    response = client.get(url) if name == "tipoffs:detail" else client.post(url, {})
    assert response.status_code in (403, 404)
    if name != "tipoffs:reward_pay":  # finance's URL: a township officer lacks the permission
        assert response.status_code == 404


def test_the_api_offers_no_tipoff(handled, personas, signed_in_client):
    """The REST API has no tip-off operation: its schema names neither tip-offs nor
    informants."""
    client = signed_in_client(personas["county_officer"])
    schema = client.get(reverse("schema")).content.decode().lower()
    assert "tipoff" not in schema and "informant" not in schema
    assert NAME not in schema
