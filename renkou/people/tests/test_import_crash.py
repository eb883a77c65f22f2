"""A real crash of ``manage.py import_persons`` (security.md IN5): the command runs in its own
process against a file-based SQLite database, is killed with SIGKILL once its first chunk of
1,000 rows has been written inside the commit's transaction, and leaves what the design
promises (``importing.batches``: the persons, the batch's final status and its audit row are
written in one transaction, so a crash leaves 0 or all of the batch):

- 0 persons, households, cards and history rows from the file, no ``person.import`` audit row;
- the batch row itself, recorded before the transaction, left ``running``;

and running the same command again imports every row exactly once.
"""

import base64
import os
import queue
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import VILLAGE_A1
from renkou.common import idnumber
from renkou.people.services import id_index
from renkou.people.tests.import_files import person, write_csv

ROOT = Path(__file__).resolve().parents[3]
ROWS = 2000  # two chunks of 1,000: about six seconds of importing on SQLite
SETUP = (
    "import django; django.setup()\n"
    "from django.core.management import call_command\n"
    "call_command('migrate', verbosity=0)\n"
    "from conftest import build_units\n"
    "build_units()\n"
)


def _environment(tmp_path: Path) -> tuple[dict[str, str], str]:
    """The subprocess's environment (test settings, the database file, fresh keys, as
    ``renkou.common.keys`` reads them) and its index key."""
    index_key = base64.b64encode(secrets.token_bytes(32)).decode()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "renkou.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        "RENKOU_VAR_DIR": str(tmp_path),
        "RENKOU_ENV": "development",
        "PYTHONIOENCODING": "utf-8",
        "RENKOU_SECRET_KEY": secrets.token_urlsafe(60),
        "RENKOU_FIELD_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "RENKOU_INDEX_KEY": index_key,
        "RENKOU_AUDIT_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    return env, index_key


def _file(path: Path) -> list[str]:
    """``ROWS`` good rows, each the head of its own household, with distinct ID numbers."""
    rng, numbers, rows = random.Random(20261129), set(), []
    while len(rows) < ROWS:
        row = person(rng, VILLAGE_A1, len(rows) + 1)
        if row["公民身份号码"] not in numbers:
            numbers.add(row["公民身份号码"])
            rows.append(row)
    write_csv(path, rows)
    return sorted(numbers)


def _lines(stream, sink: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        sink.put(line)
    sink.put(None)


def _kill_after_first_chunk(command: list[str], env: dict[str, str], db: Path) -> int:
    """Start the import, wait for its progress line after the first chunk (written after the
    chunk's rows are in the transaction), check that no person is visible to another
    connection yet, and SIGKILL it. Returns the persons seen."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stderr, lines), daemon=True).start()
    deadline, seen = time.monotonic() + 60, ""
    try:
        while "1,000/" not in seen:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            assert line is not None, f"the import ended before its first chunk: {seen}"
            seen += line
        visible = _count(db, "people_person")
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, seen
    return visible


def _query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=20) as conn:
        return conn.execute(sql).fetchall()


def _count(db: Path, table: str) -> int:
    return _query(db, f"SELECT COUNT(*) FROM {table}")[0][0]  # noqa: S608 fixed table names


def test_a_killed_import_leaves_nothing_and_the_rerun_imports_every_row_once(tmp_path, settings):
    env, index_key = _environment(tmp_path)
    db = tmp_path / "crash.sqlite3"
    subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    numbers = _file(tmp_path / "persons.csv")
    command = [
        sys.executable,
        "manage.py",
        "import_persons",
        str(tmp_path / "persons.csv"),
        "--unit",
        VILLAGE_A1,
    ]

    assert _kill_after_first_chunk(command, env, db) == 0  # uncommitted: invisible
    for table in (
        "people_person",
        "people_household",
        "people_womancard",
        "people_historicalperson",
        "people_historicalhousehold",
    ):
        assert _count(db, table) == 0, table
    assert _query(db, "SELECT status FROM people_importbatch") == [("running",)]
    imported = "SELECT COUNT(*) FROM common_auditentry WHERE action = 'person.import'"
    assert _query(db, imported) == [(0,)]

    again = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"新增 {ROWS} 人，更新 0 人" in again.stdout
    settings.RENKOU_INDEX_KEY = index_key
    expected = sorted(id_index(idnumber.normalise(n)) for n in numbers)
    stored = sorted(i for (i,) in _query(db, "SELECT id_index FROM people_person"))
    assert stored == expected  # every row of the file, each exactly once
    assert _count(db, "people_household") == _count(db, "people_womancard") == ROWS
    assert _count(db, "people_historicalperson") == ROWS
    statuses = _query(db, "SELECT status FROM people_importbatch ORDER BY id")
    assert statuses == [("running",), ("done",)]
    assert _query(db, imported) == [(1,)]
