"""Encrypted database backups and their restore (security.md §2 "Backups", RL3, CR1;
docs/operations.md).

A backup is the database's own consistent copy — ``pg_dump`` custom format on PostgreSQL, the
SQLite backup API on SQLite — encrypted as it streams, so a large dump is never held in memory.
The file is a header line ``RKB1:<suite>:<key-id>:<format>:<file-id>\\n`` and then the chunks of
``renkou.common.vault`` (1 MiB each, AES-256-GCM or SM4-GCM as ``RENKOU_FIELD_SUITE`` says, each
authenticated with the header, its index and a last-chunk flag as associated data): a changed
byte, a dropped or reordered chunk, a cut-off file or a changed header is refused.

The key is the backup key (``RENKOU_BACKUP_KEY`` or ``RENKOU_BACKUP_KEY_FILE``), never one kept in
the database and never the field key, so a stolen backup without the key file is useless, and a
stolen database server does not open the off-site backups.

A restore goes into an empty database only (unless ``replace``), and reads the whole file once
to check every chunk before it writes anything, so a damaged file leaves the target untouched.
"""

import base64
import binascii
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler

from renkou.common import crypto, vault
from renkou.common.logging import scrub

MAGIC = "RKB1"
SQLITE, PGDUMP = "sqlite", "pgdump"
FORMATS = {"sqlite": SQLITE, "postgresql": PGDUMP}
Snapshot = Callable[[BaseDatabaseWrapper], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (in Chinese)."""


@dataclass(frozen=True)
class Header:
    suite: str
    key_id: str
    format: str
    file_id: str

    def line(self) -> bytes:
        return f"{MAGIC}:{self.suite}:{self.key_id}:{self.format}:{self.file_id}\n".encode()

    def context(self) -> str:
        # The whole header is bound into every chunk: a header edited to another format or
        # file id no longer opens.
        return "backup:" + self.line().decode().rstrip("\n")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    header: Header
    plain_bytes: int
    file_bytes: int
    seconds: float


# Keys ---------------------------------------------------------------------------------------------


def backup_key() -> bytes:
    value = settings.RENKOU_BACKUP_KEY
    if not value:
        raise BackupError("未配置备份密钥：请设置 RENKOU_BACKUP_KEY 或 RENKOU_BACKUP_KEY_FILE。")
    try:
        key = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise BackupError("备份密钥必须是 base64 编码的 32 字节。") from exc
    if len(key) != crypto.KEY_BYTES:
        raise BackupError("备份密钥必须是 base64 编码的 32 字节。")
    return key


# Database connections -----------------------------------------------------------------------------


def database_format(settings_dict: dict[str, Any]) -> str:
    vendor = settings_dict["ENGINE"].rsplit(".", 1)[-1].replace("sqlite3", "sqlite")
    if vendor not in FORMATS:
        raise BackupError(f"不支持的数据库类型：{settings_dict['ENGINE']}")
    return FORMATS[vendor]


@contextmanager
def open_database(settings_dict: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """A private connection to another database (a restore target, a snapshot copy)."""
    handler = ConnectionHandler({"default": {**settings_dict, "CONN_MAX_AGE": 0}})
    wrapper = handler["default"]
    try:
        yield wrapper
    finally:
        wrapper.close()


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore (the password never on a command line)."""
    options = settings_dict.get("OPTIONS") or {}
    values = {
        "PGHOST": settings_dict.get("HOST") or options.get("host", ""),
        "PGPORT": settings_dict.get("PORT") or options.get("port", ""),
        "PGUSER": settings_dict.get("USER", ""),
        "PGPASSWORD": settings_dict.get("PASSWORD", ""),
        "PGDATABASE": settings_dict["NAME"],
        "PGSSLMODE": options.get("sslmode", ""),
    }
    return {**os.environ, **{name: str(value) for name, value in values.items() if value}}


def _pg_tool(name: str) -> str:
    path = Path(settings.RENKOU_PG_BIN) / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端或设置 RENKOU_PG_BIN。")
    return found


# Writing ------------------------------------------------------------------------------------------


def _file_blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        yield from iter(lambda: stream.read(vault.CHUNK), b"")


@contextmanager
def _sqlite_dump(connection: BaseDatabaseWrapper, on_snapshot: Snapshot | None) -> Iterator[Any]:
    """A consistent copy by the backup API into a private temporary file, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="renkou-backup-") as folder:
        copy = Path(folder) / "snapshot.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        if on_snapshot is not None:
            with open_database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(copy)}) as db:
                on_snapshot(db)
        yield _file_blocks(copy)


@contextmanager
def _pg_dump(connection: BaseDatabaseWrapper, on_snapshot: Snapshot | None) -> Iterator[Any]:
    """pg_dump's custom format from stdout. With ``on_snapshot``, the dump and the callback
    read one exported snapshot, so writes during a drill are in neither or both."""
    with open_database(connection.settings_dict) as db:
        db.set_autocommit(False)
        with db.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        if on_snapshot is not None:
            on_snapshot(db)
        command = [_pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}"]
        with _process(command, connection.settings_dict, stdout=subprocess.PIPE) as process:
            assert process.stdout is not None  # noqa: S101 asked for above
            yield _process_blocks(process, process.stdout)
        db.rollback()


@contextmanager
def _process(
    command: list[str], settings_dict: dict[str, Any], **pipes: Any
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(  # noqa: S603 fixed tool, arguments from settings
        command, env=_pg_env(settings_dict), stderr=subprocess.PIPE, **pipes
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def _process_blocks(process: subprocess.Popen[bytes], stream: IO[bytes]) -> Iterator[bytes]:
    yield from iter(lambda: stream.read(vault.CHUNK), b"")
    if process.wait() != 0:
        raise BackupError(f"pg_dump 失败：{_stderr(process)}")


def _stderr(process: subprocess.Popen[bytes]) -> str:
    """The tool's messages without the lines that may quote row values (a failed COPY's
    ``CONTEXT: COPY …, line 1: "…"``, a constraint's ``DETAIL: Key (…)=(…)``), masked as a
    log line is: they reach the operator's terminal and the job logs."""
    text = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    kept = [line for line in text.splitlines() if not _QUOTING.search(line)]
    return scrub("\n".join(kept).strip()[-500:])


_QUOTING = re.compile(r"\b(CONTEXT|DETAIL|LINE \d+):")
_DUMPERS = {SQLITE: _sqlite_dump, PGDUMP: _pg_dump}


def create(
    target: Path, *, connection: BaseDatabaseWrapper, on_snapshot: Snapshot | None = None
) -> BackupResult:
    """Write an encrypted backup of ``connection``'s database to ``target`` (owner-only,
    complete or absent). ``on_snapshot`` is called with a connection to the very state the
    backup holds (the drill's source figures)."""
    started = time.monotonic()
    key = backup_key()
    header = Header(
        suite=crypto._current_suite(),
        key_id=crypto.key_id(key),
        format=database_format(connection.settings_dict),
        file_id=secrets.token_hex(8),
    )
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        with _DUMPERS[header.format](connection, on_snapshot) as blocks, _private(partial) as out:
            out.write(header.line())
            plain = vault.write_chunks(
                out,
                blocks,
                suite=header.suite,
                key=key,
                context=header.context(),
                file_id=header.file_id,
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    seconds = time.monotonic() - started
    return BackupResult(target, header, plain, target.stat().st_size, seconds)


def _private(path: Path) -> IO[bytes]:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, vault.FILE_MODE)
    return os.fdopen(descriptor, "wb")


# Reading ------------------------------------------------------------------------------------------


def read_header(stream: IO[bytes]) -> Header:
    line = stream.readline(200)
    try:
        magic, suite, key_name, kind, file_id = line.rstrip(b"\n").decode("ascii").split(":")
    except (UnicodeDecodeError, ValueError) as exc:
        raise BackupError("不是 Renkou 备份文件（文件头无法识别）。") from exc
    if magic != MAGIC or suite not in crypto.SUITES or kind not in (SQLITE, PGDUMP):
        raise BackupError("不是 Renkou 备份文件，或备份格式版本不受支持。")
    return Header(suite=suite, key_id=key_name, format=kind, file_id=file_id)


@contextmanager
def opened(path: Path) -> Iterator[tuple[Header, Iterator[bytes]]]:
    """The header and the plaintext chunks of a backup; ``BackupError`` in Chinese on a wrong
    key, or (while iterating) on a tampered or truncated file."""
    key = backup_key()
    with path.open("rb") as stream:
        header = read_header(stream)
        if header.key_id != crypto.key_id(key):
            raise BackupError(
                f"备份文件由密钥 {header.key_id} 加密，当前备份密钥为 {crypto.key_id(key)}："
                "密钥不符，未恢复任何数据。"
            )
        yield header, _checked(stream, header, key)


def _checked(stream: IO[bytes], header: Header, key: bytes) -> Iterator[bytes]:
    chunks = vault.read_chunks(
        stream, suite=header.suite, key=key, context=header.context(), file_id=header.file_id
    )
    try:
        yield from chunks
    except vault.SealedFileError as exc:
        raise BackupError(
            f"备份文件已损坏、被截断或被篡改（{exc}），校验失败，未恢复任何数据。"
        ) from exc


def verify_file(path: Path) -> Header:
    """Read the whole file, checking every chunk; write nothing."""
    with opened(path) as (header, chunks):
        for _ in chunks:
            pass
    return header


# Restoring ----------------------------------------------------------------------------------------


def is_empty(settings_dict: dict[str, Any]) -> bool:
    """No tables (a SQLite file that does not exist yet, or holds none, counts as empty)."""
    if database_format(settings_dict) == SQLITE:
        path = Path(settings_dict["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return True
    with open_database(settings_dict) as db, db.cursor() as cursor:
        return not db.introspection.table_names(cursor)


def restore(path: Path, *, target: dict[str, Any], replace: bool = False) -> float:
    """Restore the backup at ``path`` into the database ``target`` (Django settings); returns
    the seconds taken. Refuses a non-empty target unless ``replace``."""
    started = time.monotonic()
    header = verify_file(path)
    kind = database_format(target)
    if header.format != kind:
        raise BackupError(f"备份格式为 {header.format}，目标数据库为 {kind}：无法恢复。")
    if not replace and not is_empty(target):
        raise BackupError(
            "目标数据库不是空库，拒绝恢复（以免覆盖现有数据）。"
            "请恢复到新建的空数据库；确需覆盖时加 --replace。"
        )
    with opened(path) as (_, chunks):
        (_restore_sqlite if kind == SQLITE else _restore_pg)(chunks, target, replace)
    return time.monotonic() - started


def _restore_sqlite(chunks: Iterator[bytes], target: dict[str, Any], replace: bool) -> None:
    """Decrypt into a private file beside the target, check it, then copy it in with the backup
    API (which also replaces the pages of an existing file under ``replace``)."""
    destination = Path(target["NAME"])
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".renkou-restore-", dir=destination.parent) as folder:
        copy = Path(folder) / "restore.sqlite3"
        with _private(copy) as out:
            for chunk in chunks:
                out.write(chunk)
        source = sqlite3.connect(copy)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("解密后的 SQLite 数据库未通过 integrity_check，未恢复。")
            into = sqlite3.connect(destination)
            try:
                source.backup(into)
            finally:
                into.close()
        finally:
            source.close()


def _restore_pg(chunks: Iterator[bytes], target: dict[str, Any], replace: bool) -> None:
    """pg_restore from stdin in one transaction: a failure part-way (a chunk that fails now,
    an error in the dump) commits nothing."""
    command = [
        _pg_tool("pg_restore"),
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        f"--dbname={target['NAME']}",
    ]
    if replace:
        command += ["--clean", "--if-exists"]
    with _process(command, target, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL) as process:
        assert process.stdin is not None  # noqa: S101 asked for above
        try:
            for chunk in chunks:
                process.stdin.write(chunk)
        except BrokenPipeError:
            pass  # pg_restore stopped early: its exit status says why
        except BackupError:
            process.kill()  # before stdin closes: pg_restore must not see a clean end
            raise
        process.stdin.close()
        if process.wait() != 0:
            raise BackupError(f"pg_restore 失败，未恢复任何数据：{_stderr(process)}")


def default_settings() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)
