"""One small county and one live server shared by the tests of a module (the crawl and the
browser tests of issue 11): building the county's demo data takes seconds, so it is built once
per module, outside the per-test transactions, and the database is emptied afterwards as a
transactional test empties it.

The tests of such a module take no ``db`` fixture: they reach the data through the live server
(Chromium) or, inside ``county.db()``, through Django's test client.
"""

import importlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import Client
from django.test.utils import override_settings, setup_databases, teardown_databases
from django.utils import timezone
from pytest_django.fixtures import _get_databases_for_setup
from pytest_django.live_server_helper import LiveServer

from conftest import _seed_code_lists
from tests.crawl_county import build_crawl_county
from tests.crawling import sign_in

append_only = importlib.import_module("renkou.common.migrations.0002_audit_append_only")
DAY = datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class County:
    url: str
    users: dict
    units: dict
    blocker: object

    @contextmanager
    def db(self):
        """Database access for the test code itself (the test client, checks of rows)."""
        with self.blocker.unblock():
            yield

    def client(self, role: str) -> Client:
        return sign_in(Client(), self.users[role])

    def cookies(self, role: str) -> list[dict]:
        """The session cookie of a signed-in account, for a browser context."""
        with self.db():
            client = self.client(role)
        host = self.url.split("//")[1].split(":")[0]
        return [
            {"name": morsel.key, "value": morsel.value, "domain": host, "path": "/"}
            for morsel in client.cookies.values()
        ]


def _flush() -> None:
    """Empty every table as a transactional test does (the audit table refuses DELETE on
    SQLite, so its triggers are lifted for the flush)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in append_only.DROP["sqlite"]:
                cursor.execute(sql)
    call_command("flush", verbosity=0, interactive=False)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in append_only.SQLITE:
                cursor.execute(sql)


@contextmanager
def _test_database(request, blocker):
    """pytest-django creates the test database only when a collected test asks for ``db``;
    when only modules like this one run, create it here (and drop it afterwards)."""
    aliases, _ = _get_databases_for_setup(request.session.items)
    if DEFAULT_DB_ALIAS in aliases:
        yield
        return
    with blocker.unblock():
        created = setup_databases(verbosity=0, interactive=False, aliases={DEFAULT_DB_ALIAS})
    try:
        yield
    finally:
        with blocker.unblock():
            teardown_databases(created, verbosity=0)


@pytest.fixture(scope="module")
def county(request, django_db_setup, django_db_blocker):
    """The crawl county (tests/crawl_county.py) as of today, served by a live server."""
    with _test_database(request, django_db_blocker):
        yield from _serve_county(django_db_blocker)


def _serve_county(blocker):
    # One fixed day (mid-month, mid statistical year), so that what the pages show does not
    # depend on the day the suite runs; the clock ticks on from it.
    clock = time_machine.travel(DAY, tick=True)
    clock.start()
    settings = override_settings(
        RENKOU_MFA_REQUIRED_ROLES=[], ALLOWED_HOSTS=["localhost", "testserver", "127.0.0.1"]
    )
    settings.enable()
    # The live server's thread needs the database while a test waits on the browser: the
    # module's tests run with it open, as pytest-django's live_server tests do.
    with blocker.unblock():
        _flush()
        _seed_code_lists()
        data = build_crawl_county(timezone.localdate())
        server = LiveServer("localhost")
        try:
            yield County(server.url, data["users"], data["units"], blocker)
        finally:
            server.stop()
            _flush()
            settings.disable()
            clock.stop()
