"""Personas and the test county shared by every test (house style rule 15).

The test county 620001 has 2 townships × 2 villages; a second county 620002 with one township
and village is "elsewhere". One account per role sits where that role works.
"""

import importlib
import logging

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

from renkou.accounts.constants import Role
from renkou.common.testing import LogSpy
from renkou.geo.constants import Level
from renkou.geo.models import Unit

COUNTY = "620001000000"
TOWNSHIP_A, TOWNSHIP_B = "620001100000", "620001101000"
VILLAGE_A1, VILLAGE_A2 = "620001100201", "620001100202"
VILLAGE_B1, VILLAGE_B2 = "620001101201", "620001101202"
OTHER_COUNTY, OTHER_TOWNSHIP, OTHER_VILLAGE = "620002000000", "620002100000", "620002100201"

PERSONA_UNITS = {
    Role.VILLAGE_ADMIN: VILLAGE_A1,
    Role.TOWNSHIP_OFFICER: TOWNSHIP_A,
    Role.COUNTY_OFFICER: COUNTY,
    Role.TECHNICIAN: TOWNSHIP_A,
    Role.INSPECTOR: COUNTY,
    Role.LEADER: COUNTY,
    Role.SYS_ADMIN: COUNTY,
    Role.SEC_ADMIN: COUNTY,
    Role.AUDIT_ADMIN: COUNTY,
    Role.FINANCE: COUNTY,
}
# Property tests check behaviour, never speed: no per-example deadline (a busy 2-core machine
# made hypothesis call a correct example "flaky" for taking 320 ms).
hypothesis_settings.register_profile("renkou", deadline=None)
hypothesis_settings.load_profile("renkou")

# A test of one database's own behaviour carries its marker; the other database's run leaves it
# out (deselected, not skipped), so no test branches on ``connection.vendor``.
VENDOR_MARKERS = {"postgres": "postgresql", "sqlite": "sqlite"}


# Fixtures through which a test reaches the test database (pytest-django refuses any other way).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_setup",
        "live_server",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)


def uses_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(names & DATABASE_FIXTURES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out, with the markers above, the tests of the other database; on PostgreSQL also
    the tests that cannot reach the database (pure functions, subprocesses with their own
    SQLite file, property tests of parsers): they ran in the SQLite run of ``make test`` and
    would repeat it exactly. Hypothesis runs each property test at one strength either way."""
    on_postgres = connection.vendor == "postgresql"
    other = [
        item
        for item in items
        if any(
            item.get_closest_marker(marker) is not None and vendor != connection.vendor
            for marker, vendor in VENDOR_MARKERS.items()
        )
        or (on_postgres and not uses_database(item))
    ]
    if other:
        config.hook.pytest_deselected(items=other)
        left_out = {id(item) for item in other}
        items[:] = [item for item in items if id(item) not in left_out]


PASSWORD = "Test-Passw0rd!x"  # noqa: S105 test accounts only


def build_units() -> dict[str, Unit]:
    spec = [
        (COUNTY, "测试县", Level.COUNTY, None),
        (TOWNSHIP_A, "甲镇", Level.TOWNSHIP, COUNTY),
        (TOWNSHIP_B, "乙乡", Level.TOWNSHIP, COUNTY),
        (VILLAGE_A1, "甲一村", Level.VILLAGE, TOWNSHIP_A),
        (VILLAGE_A2, "甲二村", Level.VILLAGE, TOWNSHIP_A),
        (VILLAGE_B1, "乙一村", Level.VILLAGE, TOWNSHIP_B),
        (VILLAGE_B2, "乙二村", Level.VILLAGE, TOWNSHIP_B),
        (OTHER_COUNTY, "邻县", Level.COUNTY, None),
        (OTHER_TOWNSHIP, "丙镇", Level.TOWNSHIP, OTHER_COUNTY),
        (OTHER_VILLAGE, "丙一村", Level.VILLAGE, OTHER_TOWNSHIP),
    ]
    units: dict[str, Unit] = {}
    for code, name, level, parent in spec:
        units[code] = Unit.objects.create(
            code=code, name=name, level=level, parent=units.get(parent) if parent else None
        )
    return units


def make_user(username: str, role: str, unit: Unit, **extra):
    from renkou.accounts.models import User

    user = User(username=username, role=role, unit=unit, must_change_password=False, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def units(db) -> dict[str, Unit]:
    return build_units()


@pytest.fixture
def personas(units) -> dict[str, object]:
    """One account per role, keyed by the role's value (e.g. ``personas["leader"]``)."""
    return {
        role.value: make_user(f"p_{role.value}", role, units[code])
        for role, code in PERSONA_UNITS.items()
    }


@pytest.fixture
def audit_flushable(transactional_db):
    """For tests that commit (live servers, the API fuzzer): the audit table refuses DELETE
    (append-only trigger). PostgreSQL's flush TRUNCATEs, which row triggers do not see;
    SQLite's flush DELETEs, so lift the triggers for it."""
    yield
    if connection.vendor != "sqlite":
        return
    append_only = importlib.import_module("renkou.common.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        for sql in append_only.DROP["sqlite"]:
            cursor.execute(sql)
        cursor.execute("DELETE FROM common_auditentry")
        for sql in append_only.SQLITE:
            cursor.execute(sql)


@pytest.fixture
def signed_in_client(client, settings):
    """Returns a function that signs a persona in (two-factor satisfied) and returns the client."""
    settings.RENKOU_MFA_REQUIRED_ROLES = []

    def sign_in(user, c=None):
        c = c or client
        c.force_login(user)
        session = c.session
        from django.utils import timezone

        now = timezone.now().timestamp()
        session["renkou_auth_at"] = now
        session["renkou_seen_at"] = now
        session.save()
        return c

    return sign_in


# The request logs do not propagate to the root logger: the spy listens to them too (they
# carry URLs as typed, masked by the filter on the logger; issue 19 item 6).
ACCESS_LOGS = ("django.server", "gunicorn.access", "gunicorn.error")


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs():
    """Every test: no log record may carry an ID number or phone (security.md AD5), in the
    app's logs or the request logs."""
    spy = LogSpy()
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in ACCESS_LOGS)]
    for logger in loggers:
        logger.addHandler(spy)
    yield
    for logger in loggers:
        logger.removeHandler(spy)
    assert spy.hits == [], f"personal data logged: {spy.hits}"


def _seed_code_lists() -> None:
    """Re-run the data migrations that seed the dictionaries (a transactional test's flush
    empties every table, including rows that migrations created)."""
    import importlib

    from django.apps import apps
    from django.core.cache import cache

    seeders = (
        ("renkou.common.migrations.0003_seed_dictionaries", "seed"),
        ("renkou.people.migrations.0002_register_dictionaries", "forward"),
        ("renkou.programs.migrations.0002_risk_dictionary", "forward"),
        ("renkou.programs.migrations.0004_rh_dictionaries", "forward"),
        ("renkou.todo.migrations.0002_seed_rules", "seed"),
        ("renkou.todo.migrations.0003_lapsed_offers_close_as_not_done", "forward"),
        ("renkou.benefits.migrations.0002_seed_programs", "forward"),
    )
    for module, function in seeders:
        getattr(importlib.import_module(module), function)(apps, None)
    cache.clear()


@pytest.fixture(autouse=True)
def _code_lists_present(request):
    """Every database test starts with the seeded code lists, whatever ran before it."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(names & {"transactional_db", "live_server"}) or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        return
    from renkou.common.models import DictType

    if not DictType.objects.filter(code="sex").exists():
        _seed_code_lists()
