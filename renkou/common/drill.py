"""The backup-and-restore drill (security.md RL3): back up the live database, restore the file
into a fresh database beside it, and compare them table by table; then check the restored audit
chain. The figures are what the monthly drill records (docs/operations.md): per-table rows and
checksum equality, the backup's size and seconds, and the restore seconds (the RTO).

The source figures are read from the very snapshot the backup took (the SQLite backup API's copy,
or PostgreSQL's exported snapshot that pg_dump also reads), so writes made while the drill runs
are not reported as differences.
"""

import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler

from renkou.common import audit, backup
from renkou.common.tablesums import TableSum, table_sums

ALIAS = "backup_drill"


@dataclass
class DrillReport:
    source: dict[str, TableSum] = field(default_factory=dict)
    restored: dict[str, TableSum] = field(default_factory=dict)
    archive: backup.BackupResult | None = None
    restore_seconds: float = 0.0
    checksum_seconds: float = 0.0  # reading the source figures, inside the backup's snapshot
    audit_rows: int = 0
    audit_problems: int = 0

    @property
    def tables(self) -> list[str]:
        return sorted(set(self.source) | set(self.restored))

    @property
    def mismatched(self) -> list[str]:
        return [name for name in self.tables if self.source.get(name) != self.restored.get(name)]

    @property
    def backup_seconds(self) -> float:
        """The backup alone, without the drill's reading of the source figures."""
        return (self.archive.seconds if self.archive else 0.0) - self.checksum_seconds

    @property
    def ok(self) -> bool:
        return bool(self.source) and not self.mismatched and not self.audit_problems


@contextmanager
def attached(settings_dict: dict[str, Any]) -> Iterator[str]:
    """The restored database under a temporary alias, for the ORM (the audit verifier). The
    connection is set for this thread only and the alias is not added to the settings, so
    nothing else (a test's database guard, another thread) sees it."""
    handler = ConnectionHandler({"default": dict(settings_dict), ALIAS: dict(settings_dict)})
    connections[ALIAS] = handler[ALIAS]
    try:
        yield ALIAS
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]


@contextmanager
def fresh_database(connection: BaseDatabaseWrapper, folder: Path) -> Iterator[dict[str, Any]]:
    """Settings of a new, empty database: a file in ``folder`` on SQLite, a new database on the
    same PostgreSQL server (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield {
            "ENGINE": connection.settings_dict["ENGINE"],
            "NAME": str(folder / "restored.sqlite3"),
        }
        return
    name = f"{connection.settings_dict['NAME']}_drill_{secrets.token_hex(4)}"
    quoted = connection.ops.quote_name(name)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quoted} TEMPLATE template0 ENCODING 'UTF8'")
    try:
        yield {**connection.settings_dict, "NAME": name}
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def run(connection: BaseDatabaseWrapper) -> DrillReport:
    report = DrillReport()

    def measure(snapshot: BaseDatabaseWrapper) -> None:
        started = time.monotonic()
        report.source = table_sums(snapshot)
        report.checksum_seconds = time.monotonic() - started

    with tempfile.TemporaryDirectory(prefix="renkou-drill-") as name:
        folder = Path(name)
        report.archive = backup.create(
            folder / "drill.rkb", connection=connection, on_snapshot=measure
        )
        with fresh_database(connection, folder) as target:
            report.restore_seconds = backup.restore(report.archive.path, target=target)
            with attached(target) as alias:
                report.restored = table_sums(connections[alias])
                report.audit_rows, problems = audit.verify(using=alias)
                report.audit_problems = len(problems)
    return report
