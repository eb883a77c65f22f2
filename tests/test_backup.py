"""Encrypted backups, restore and the drill (issue 15 item 6; security.md RL3, CR1) on the small
test county, on SQLite and on PostgreSQL: the round trip is equal table by table, and a changed
byte, a cut-off file, a wrong key or a non-empty target restores nothing."""

import base64
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from conftest import VILLAGE_A1, VILLAGE_B2
from renkou.common import audit, backup, drill, idnumber
from renkou.common.tablesums import table_sums
from renkou.people.models import Household, Person

# Markers of the seeded persons: if any of them is in the backup's bytes, it leaks.
NAMES = ("卓玛措", "扎西才让", "王秀英")
PHONES = ("13909410001", "13909410002", "13909410003")


@pytest.fixture
def county(audit_flushable, units) -> list[dict[str, str]]:
    """Three persons with ID numbers and phones in two villages, committed (pg_dump and the
    SQLite backup API see committed rows only), with their audit rows."""
    rng = random.Random(615)  # noqa: S311 test data
    seeded = []
    for n, (name, phone) in enumerate(zip(NAMES, PHONES, strict=True)):
        village = (VILLAGE_A1, VILLAGE_B2)[n % 2]
        household = Household.objects.create(
            code=f"{village}01{n + 1:04d}", unit_code=village, group_no="01", phone=phone
        )
        id_number = idnumber.generate(rng, birth=date(1985 + n, 3, 1), sex="2")
        person = Person.objects.create(
            household=household,
            unit_code=village,
            name=name,
            id_number=id_number,
            phone=phone,
            sex="2",
            birth_date=date(1985 + n, 3, 1),
            registered_code=village,
            residence_code=village,
        )
        audit.record(actor=None, action="person.create", object_id=person.pk)
        seeded.append({"name": name, "id_number": id_number, "phone": phone})
    return seeded


@pytest.fixture
def target(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A fresh, empty database: a SQLite file, or a new database on the test server."""
    with drill.fresh_database(connection, tmp_path) as settings_dict:
        yield settings_dict


@pytest.fixture
def made(county, tmp_path: Path) -> Path:
    path = tmp_path / "county.rkb"
    backup.create(path, connection=connection)
    return path


def tables_of(settings_dict: dict[str, Any]) -> list[str]:
    if not backup.is_empty(settings_dict):
        with backup.open_database(settings_dict) as db, db.cursor() as cursor:
            return list(db.introspection.table_names(cursor))
    return []


def test_round_trip_is_equal_table_by_table_and_the_audit_chain_holds(made, target, county):
    before = table_sums(connection)
    backup.restore(made, target=target)
    with drill.attached(target) as alias:
        after = table_sums(connections[alias])
        rows, problems = audit.verify(using=alias)
    assert before == after
    assert before["people_person"].rows == len(county)
    assert rows == len(county) and problems == []


def test_the_checksums_see_one_changed_value(made, target):
    backup.restore(made, target=target)
    with backup.open_database(target) as db, db.cursor() as cursor:
        cursor.execute("UPDATE people_person SET name = %s WHERE name = %s", ["王秀兰", NAMES[2]])
        changed = table_sums(db)
    source = table_sums(connection)
    assert changed["people_person"] != source["people_person"]
    assert changed["people_person"].rows == source["people_person"].rows
    assert {k: v for k, v in changed.items() if k != "people_person"} == {
        k: v for k, v in source.items() if k != "people_person"
    }


def test_the_backup_holds_no_plaintext_of_the_seeded_persons(made, county):
    data = made.read_bytes()
    assert data.startswith(b"RKB1:aes256gcm:")
    for person in county:
        for value in person.values():
            assert data.count(value.encode()) == 0
    # Names and table names are plain inside the database and its dump: their absence shows
    # the file itself is encrypted, not only the encrypted columns.
    assert data.count(b"people_person") == 0


def test_a_changed_byte_restores_nothing(made, target):
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 0x01
    made.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="篡改"):
        backup.restore(made, target=target)
    assert tables_of(target) == []


def test_a_changed_header_restores_nothing(made, target):
    data = made.read_bytes()
    head, rest = data.split(b"\n", 1)
    forged = head[:-1] + (b"0" if head[-1:] != b"0" else b"1")  # another file id
    made.write_bytes(forged + b"\n" + rest)
    with pytest.raises(backup.BackupError, match="篡改"):
        backup.restore(made, target=target)
    assert tables_of(target) == []


@pytest.mark.parametrize("keep", [-1, 0.5])
def test_a_cut_off_file_restores_nothing(made, target, keep):
    data = made.read_bytes()
    made.write_bytes(data[:keep] if keep == -1 else data[: int(len(data) * keep)])
    with pytest.raises(backup.BackupError, match="截断"):
        backup.restore(made, target=target)
    assert tables_of(target) == []


def test_a_wrong_key_is_refused(made, target, settings):
    settings.RENKOU_BACKUP_KEY = base64.b64encode(b"k" * 32).decode()
    with pytest.raises(backup.BackupError, match="密钥不符"):
        backup.restore(made, target=target)
    assert tables_of(target) == []


def test_a_missing_key_is_refused(county, tmp_path, settings):
    settings.RENKOU_BACKUP_KEY = ""
    with pytest.raises(backup.BackupError, match="未配置备份密钥"):
        backup.create(tmp_path / "x.rkb", connection=connection)
    assert not (tmp_path / "x.rkb").exists()


def test_a_non_empty_target_is_refused_and_kept(made, target):
    with backup.open_database(target) as db, db.cursor() as cursor:
        cursor.execute("CREATE TABLE kept (a integer)")
        cursor.execute("INSERT INTO kept VALUES (7)")
    with pytest.raises(backup.BackupError, match="不是空库"):
        backup.restore(made, target=target)
    with backup.open_database(target) as db, db.cursor() as cursor:
        cursor.execute("SELECT a FROM kept")
        assert cursor.fetchall() == [(7,)]
        assert db.introspection.table_names(cursor) == ["kept"]


def test_sm4_suite(county, tmp_path, target, settings):
    settings.RENKOU_FIELD_SUITE = "sm4gcm"
    path = tmp_path / "sm4.rkb"
    backup.create(path, connection=connection)
    assert path.read_bytes().startswith(b"RKB1:sm4gcm:")
    backup.restore(path, target=target)
    assert not backup.is_empty(target)


def test_the_drill_command_reports_equal_figures(county, capsys):
    call_command("backup_drill")
    out = capsys.readouterr().out
    assert "不一致 0 张" in out and "演练通过" in out
    assert "people_person" in out and "恢复用时（RTO）" in out
    for person in county:
        for value in person.values():
            assert value not in out


def test_the_restore_command_refuses_in_chinese(made, tmp_path):
    data = made.read_bytes()
    made.write_bytes(data[:-1])
    with pytest.raises(CommandError, match="未恢复任何数据"):
        call_command("restore", str(made), "--check")


@pytest.mark.sqlite
def test_sqlite_restore_of_a_tampered_file_leaves_no_file_behind(made, tmp_path):
    data = bytearray(made.read_bytes())
    data[-5] ^= 0xFF
    made.write_bytes(bytes(data))
    destination = tmp_path / "fresh" / "restored.sqlite3"
    with pytest.raises(backup.BackupError):
        backup.restore(
            made, target={"ENGINE": "django.db.backends.sqlite3", "NAME": str(destination)}
        )
    assert not destination.exists()
