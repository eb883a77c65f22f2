"""Per-table row counts and SHA-256 of an ordered canonical dump (security.md RL3): the figures a
restore drill compares between a database and its restored copy.

Every table the connection lists is read with plain SQL, ordered by its primary key (all its
columns when it has none), and each row becomes one JSON line of its values in column-name order.
Values are canonicalised by the Django field that owns the column, so the two backends' own
types compare: a SQLite ``1`` and a PostgreSQL ``true`` in a boolean column, a naive UTC
``datetime`` and an aware one, ``Decimal("1.5")`` and ``Decimal("1.50")`` in a two-place
column, JSON text with its keys in another order, a UUID as 32 hex digits or as a ``UUID``.

Encrypted columns are read as stored (the ciphertext), so the comparison decrypts nothing and
the figures hold no personal data: a table name, a count and a hash.
"""

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

FETCH = 2000
# SQLite's own bookkeeping (the AUTOINCREMENT counters): not data, and rebuilt by the backup API.
SKIPPED_PREFIXES = ("sqlite_",)


@dataclass(frozen=True)
class TableSum:
    rows: int
    sha256: str


def _fields_by_column() -> dict[tuple[str, str], models.Field[Any, Any]]:
    found: dict[tuple[str, str], models.Field[Any, Any]] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_concrete_fields:
            if field.column:
                found[(model._meta.db_table, field.column)] = field
    return found


def _moment(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value.isoformat(sep=" ", timespec="microseconds"))


def _decimal(value: Any, places: int | None) -> str:
    number = Decimal(str(value))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    return format(number, "f")


def _json(value: Any) -> Any:
    data = json.loads(value) if isinstance(value, str | bytes) else value
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _duration(value: Any) -> int:
    if isinstance(value, timedelta):
        return value // timedelta(microseconds=1)
    return int(value)


_BY_TYPE: dict[str, Any] = {
    "BooleanField": bool,
    "NullBooleanField": bool,
    "DateTimeField": _moment,
    "JSONField": _json,
    "UUIDField": lambda value: uuid.UUID(str(value)).hex,
    "DurationField": _duration,
    "FloatField": lambda value: repr(float(value)),
}


def canonical(value: Any, field: models.Field[Any, Any] | None) -> Any:
    """A JSON-ready value equal on both backends for the same stored datum."""
    if value is None:
        return None
    kind = field.get_internal_type() if field is not None else ""
    if kind in _BY_TYPE:
        return _BY_TYPE[kind](value)
    if kind == "DecimalField":
        return _decimal(value, getattr(field, "decimal_places", None))
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _decimal(value, None)
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _order(connection: BaseDatabaseWrapper, cursor: Any, table: str, columns: list[str]) -> str:
    keys = connection.introspection.get_primary_key_columns(cursor, table) or columns
    return ", ".join(connection.ops.quote_name(name) for name in keys)


def _rows(
    connection: BaseDatabaseWrapper, table: str, columns: list[str]
) -> Iterable[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        order = _order(connection, cursor, table, columns)
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    sql = f"SELECT {names} FROM {connection.ops.quote_name(table)} ORDER BY {order}"  # noqa: S608 names from introspection
    # A server-side cursor on PostgreSQL, so a large table is not held in memory.
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(FETCH):
            yield from batch


def table_sum(connection: BaseDatabaseWrapper, table: str, fields: dict[Any, Any]) -> TableSum:
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, table)
    columns = sorted(column.name for column in described)
    owners = [fields.get((table, name)) for name in columns]
    digest, count = hashlib.sha256(), 0
    for row in _rows(connection, table, columns):
        values = [canonical(value, owner) for value, owner in zip(row, owners, strict=True)]
        line = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        digest.update(line.encode() + b"\n")
        count += 1
    return TableSum(rows=count, sha256=digest.hexdigest())


def table_sums(connection: BaseDatabaseWrapper) -> dict[str, TableSum]:
    """Row count and canonical-dump SHA-256 of every table, by table name."""
    fields = _fields_by_column()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return {
        table: table_sum(connection, table, fields)
        for table in sorted(tables)
        if not table.startswith(SKIPPED_PREFIXES)
    }
