"""The synthetic demo population: deterministic per seed, shaped as designed, cards only where
they belong, the deliberate problems visible on the quality page and in the duplicate queue,
and no plaintext ID number or phone in the database file (security.md CR1)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from renkou.accounts.constants import Role
from renkou.common.models import AuditEntry, SiteNote
from renkou.geo.models import Unit
from renkou.geo.services import read_county, units_load
from renkou.people import demo, duplicates
from renkou.people.cards import wcba_birth_range
from renkou.people.constants import FEMALE, MALE, MARRIED_CODES, CardStatus
from renkou.people.models import (
    Child,
    ContraceptionEpisode,
    DuplicateCandidate,
    Household,
    Person,
    WomanCard,
)
from renkou.people.tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[3]


class Quiet:
    def update(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass


class Rollback(Exception):
    pass


@lru_cache(maxsize=1)
def _division_rows():
    return tuple(read_county(demo.DEMO_COUNTY))


@pytest.fixture
def demo_county(db):
    units_load(rows=_division_rows(), county_code=demo.DEMO_COUNTY)
    moment = datetime(
        TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=timezone.get_default_timezone()
    )
    with time_machine.travel(moment, tick=False):
        yield


def seed(persons: int = 2000, number: int = 7) -> demo.DemoReport:
    return demo.demo_seed(persons=persons, seed=number, today=TODAY, progress=Quiet())


def snapshot() -> tuple:
    counts = tuple(
        m.objects.count() for m in (Person, Household, WomanCard, Child, ContraceptionEpisode)
    )
    indexes = frozenset(Person.objects.exclude(id_index="").values_list("id_index", flat=True))
    return counts, indexes


# Determinism holds at any size, and every deliberate problem is planted at least twice at any
# size (``DemoBuilder._problem_targets``): 1,000 persons walk every path of the generator.
SAME_SEED_PERSONS = 1000


def seeded_then_rolled_back(number: int) -> tuple:
    with pytest.raises(Rollback), transaction.atomic():
        seed(persons=SAME_SEED_PERSONS, number=number)
        taken = snapshot()
        raise Rollback
    return taken


def test_the_same_seed_gives_the_same_register(demo_county):
    first, second = seeded_then_rolled_back(7), seeded_then_rolled_back(7)
    assert first == second
    assert 950 <= first[0][0] <= 1050 and len(first[1]) > 750
    assert seeded_then_rolled_back(8)[1] != first[1]


def test_shape_cards_and_deliberate_problems(demo_county, signed_in_client):
    report = seed()
    present = Person.objects.present()
    total = present.count()
    ages = Counter(p.age_on(TODAY) // 5 for p in present.only("birth_date"))
    assert 0.15 <= (ages[0] + ages[1] + ages[2]) / total <= 0.28  # aged 0–14
    assert 0.05 <= sum(n for band, n in ages.items() if band >= 13) / total <= 0.15  # 65 and over
    assert 0.95 <= present.filter(sex=MALE).count() / present.filter(sex=FEMALE).count() <= 1.12
    mix = Counter(present.values_list("ethnicity", flat=True))
    assert 0.52 <= mix["04"] / total <= 0.75 and 0.15 <= mix["01"] / total <= 0.40
    assert mix["03"] > 0 and mix["30"] > 0
    assert present.filter(flow="in").exists() and present.filter(flow="out").exists()

    earliest, latest = wcba_birth_range(TODAY)
    eligible = present.filter(
        sex=FEMALE,
        marital_status__in=MARRIED_CODES,
        birth_date__gte=earliest,
        birth_date__lte=latest,
    )
    open_cards = WomanCard.objects.filter(status=CardStatus.OPEN)
    stray = open_cards.exclude(person__in=eligible).count()
    assert stray == report.problems["card_not_eligible"] + report.problems["deceased_card"]
    assert (
        eligible.exclude(card__status=CardStatus.OPEN).count()
        == (report.problems["eligible_no_card"])
    )
    assert ContraceptionEpisode.objects.count() == WomanCard.objects.count() > 100
    assert sum(report.problems.values()) >= 40

    unit = Unit.objects.current().get(code=demo.DEMO_COUNTY.ljust(12, "0"))
    county = make_user("demo_county", Role.COUNTY_OFFICER, unit)
    cache.clear()  # the banner caches the notice for a minute; other tests may have read ""
    response = signed_in_client(county).get(reverse("people:quality"))
    figures = response.context["report"].total
    shown = [
        "id_check_no_reason",
        "id_check_reason",
        "id_mismatch_reason",
        "adult_no_number",
        "missing_hukou_type",
        "missing_ethnicity",
        "missing_relationship",
        "mother_age",
        "marriage_age",
        "married_child",
        "birth_before_marriage",
        "card_not_eligible",
        "eligible_no_card",
        "household_heads",
        "deceased_records",
        "dup_id",
        "override",
    ]
    assert [code for code in shown if not figures.count(code)] == []
    assert SiteNote.objects.get(key="synthetic_data").value == demo.SYNTHETIC_NOTE
    assert demo.SYNTHETIC_NOTE in response.content.decode()
    assert AuditEntry.objects.get(action="demo.seed").row_count == report.persons
    assert duplicates.duplicates_scan() >= 6
    reasons = set(DuplicateCandidate.objects.values_list("reason", flat=True))
    assert reasons == set(DuplicateCandidate.Reason.values)


def cr1_seed_and_collect() -> tuple[set[bytes], list[str], list[str], list[str]]:
    """Seed 1,000 demo persons (in whatever database is connected) and return what a scan of
    the bytes at rest looks for: the ID numbers and phones (must not be found), 50 names and
    50 household codes (plain columns, must be found), and two positive controls, a plaintext
    ID number and phone written here to plain columns (must be found)."""
    import random

    from renkou.common import idnumber

    demo.demo_seed(persons=1000, seed=7, county="620001", progress=Quiet())
    secrets: set[str] = set()
    for p in Person.objects.all():
        secrets.update({p.id_number, p.phone})
    secrets.update(Household.objects.values_list("phone", flat=True))
    secrets.update(Child.objects.values_list("id_number", flat=True))
    secrets.discard("")
    names = sorted(set(Person.objects.values_list("name", flat=True)))[:50]
    codes = list(Household.objects.values_list("code", flat=True)[:50])
    rng = random.Random(11)
    control_id, control_phone = idnumber.generate(rng), f"139{rng.randrange(10**8):08d}"
    assert control_id not in secrets and control_phone not in secrets
    holder = Person.objects.exclude(name__in=names).order_by("pk").first()
    Person.objects.filter(pk=holder.pk).update(name=control_id)
    Household.objects.filter(pk=holder.household_id).update(address=f"电话{control_phone}")
    return {s.encode() for s in secrets}, names, codes, [control_id, control_phone]


def cr1_scan(
    data: bytes, wanted: set[bytes], names: list[str], codes: list[str], controls: list[str]
) -> tuple[int, int, int, int, int]:
    """(secrets, names, codes, controls found; bytes scanned). Every window of 11 or 18
    characters inside a run of digits (and X) is a candidate phone or ID number; the household
    codes (plain 18-digit values) and the controls must turn up among the same windows."""
    runs = re.findall(rb"[0-9X]{11,}", data)
    windows = {r[i : i + n] for r in runs for n in (11, 18) for i in range(len(r) - n + 1)}
    return (
        len(windows & wanted),
        sum(n.encode() in data for n in names),
        sum(c.encode() in windows for c in codes),
        sum(c.encode() in windows for c in controls),
        len(data),
    )


CR1_SCRIPT = r"""
import json, sys
import django
from django.conf import settings
class NoMigrations(dict):  # tables straight from the models: the scan needs no data migration
    def __contains__(self, app):
        return True
    def __getitem__(self, app):
        return None
settings.MIGRATION_MODULES = NoMigrations()
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", run_syncdb=True, verbosity=0)
from conftest import build_units
from renkou.people.tests.test_demo import cr1_scan, cr1_seed_and_collect
build_units()
wanted, names, codes, controls = cr1_seed_and_collect()
db = sys.argv[1]
def found(paths):
    return cr1_scan(b"".join(open(p, "rb").read() for p in paths), wanted, names, codes, controls)
with_wal = found([db, db + "-wal"])
connection.close()
print(json.dumps({"secrets": len(wanted), "names": len(names), "open": with_wal,
                  "closed": found([db])}))
"""
PG_DUMP = Path("/usr/lib/postgresql/15/bin/pg_dump")


def _cr1_sqlite(tmp_path: Path) -> dict:
    """The database file of a subprocess (SQLite in the test run is in memory), with its WAL
    while open and again after the checkpoint at close."""
    db = tmp_path / "cr1.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renkou.settings_test",
        "DATABASE_URL": f"sqlite:///{db}",
        "RENKOU_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", CR1_SCRIPT, str(db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _libpq_dsn() -> str:
    """The test database's connection settings (``settings_dict`` with its OPTIONS, as Django
    passes them to psycopg) as a libpq connection string for ``pg_dump``."""
    from psycopg.conninfo import make_conninfo

    params = connection.get_connection_params()
    keys = (
        "dbname",
        "user",
        "host",
        "port",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "passfile",
        "service",
    )
    return make_conninfo(**{k: str(params[k]) for k in keys if params.get(k) not in (None, "")})


def _cr1_postgres() -> dict:
    """``pg_dump`` of this test database, seeded here: the test is transactional, so the rows
    are committed and the dump (another connection) sees them."""
    from conftest import build_units

    build_units()
    wanted, names, codes, controls = cr1_seed_and_collect()
    env = {**os.environ, "PGPASSWORD": connection.settings_dict.get("PASSWORD") or ""}
    dump = subprocess.run(
        [str(PG_DUMP), "--no-owner", "--dbname", _libpq_dsn()],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert dump.returncode == 0, dump.stderr.decode(errors="replace")
    scanned = cr1_scan(dump.stdout, wanted, names, codes, controls)
    return {"secrets": len(wanted), "names": len(names), "dump": scanned}


def _assert_nothing_at_rest(result: dict, states: list[str]) -> None:
    """None of the seeded ID numbers or phones is found in the bytes; names, household codes
    and the two plaintext controls are (which shows the scan works)."""
    assert result["secrets"] > 1000
    assert [k for k in ("open", "closed", "dump") if k in result] == states
    for state in states:
        secrets_found, names_found, codes_found, controls_found, size = result[state]
        assert secrets_found == 0, state
        assert controls_found == 2, state
        assert names_found == result["names"] == 50 == codes_found and size > 1_000_000, state


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True)
def test_no_plaintext_id_numbers_or_phones_at_rest_in_the_sqlite_file(tmp_path):
    """CR1: seed 1,000 persons; the database file (with the WAL, then after the checkpoint at
    close) holds none of their ID numbers or phones."""
    _assert_nothing_at_rest(_cr1_sqlite(tmp_path), ["open", "closed"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_plaintext_id_numbers_or_phones_at_rest_in_a_postgres_dump():
    """CR1: seed 1,000 persons; a ``pg_dump`` of the database holds none of their ID numbers
    or phones."""
    _assert_nothing_at_rest(_cr1_postgres(), ["dump"])
