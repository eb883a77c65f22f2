"""Set-based inserts for loads that write many new rows at once (the demo county; issue 15 §1).

``insert(model, rows)`` writes model instances whose primary keys are already assigned, with
their creation ("+") history rows when the model keeps a history, as ``bulk_create`` and
``bulk_history_create`` would, without building one SQL statement per batch from every field of
every row: each field's conversion to the database value is the field's own
(``pre_save`` then ``get_db_prep_save``: encryption, blind indexes, dates, JSON), and the rows
go to the database by COPY on PostgreSQL and by one prepared ``executemany`` on SQLite.

Nothing here checks a row: the caller's rows are valid (the demo builds them so; an import
checks them first). Call it inside the caller's transaction.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

# History columns that are not a copy of the tracked model's field.
_HISTORY_OWN = ("history_date", "history_change_reason", "history_type", "history_user_id")


def insert(
    model: type[models.Model],
    rows: Sequence[models.Model],
    *,
    history_date: datetime | None = None,
    history_reason: str = "",
) -> None:
    """Insert ``rows`` (pks set), and their "+" history rows dated ``history_date`` when given
    and the model has a history."""
    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    values = [
        tuple(_prepared(field, row) for field in fields)
        for row in rows  # one pass: pre_save may set a value (auto_now) the history copies
    ]
    _write(model._meta.db_table, [str(f.column) for f in fields], values)
    history = getattr(model, "history", None)
    if history is None or history_date is None:
        return
    past: type[models.Model] = history.model
    kept = [f for f in past._meta.concrete_fields if not f.primary_key]
    own: dict[str, Any] = {
        "history_date": history_date,
        "history_change_reason": history_reason,
        "history_type": "+",
        "history_user_id": None,
    }
    tracked = {f.attname for f in fields}
    take = [_copy(field, own, tracked) for field in kept]
    _write(
        past._meta.db_table,
        [str(f.column) for f in kept],
        [tuple(get(row) for get in take) for row in rows],
    )


def _prepared(field: "models.Field[Any, Any]", row: models.Model) -> Any:
    return field.get_db_prep_save(field.pre_save(row, True), connection)


def _copy(
    field: "models.Field[Any, Any]", own: dict[str, Any], tracked: set[str]
) -> Callable[[models.Model], Any]:
    """How one history column gets its value: the history's own columns a constant, a tracked
    column converted by the history's field (an encrypted field encrypts its copy anew)."""
    if field.attname in _HISTORY_OWN:
        value = field.get_db_prep_save(own[field.attname], connection)
        return lambda _row: value
    if field.attname not in tracked:
        raise ValueError(f"{field.model.__name__}.{field.attname}: 原模型没有该字段")
    return lambda row: field.get_db_prep_save(getattr(row, field.attname), connection)


def _write(table: str, columns: list[str], values: Iterable[tuple[Any, ...]]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608 model's names
        cursor.cursor.executemany(sql, values)
