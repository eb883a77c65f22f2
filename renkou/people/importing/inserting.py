"""Inserting new rows together with their django-simple-history rows.

On PostgreSQL the rows go in with ``COPY … FROM STDIN`` (architecture.md "Register and events":
imports write with COPY on PostgreSQL), their ids taken from the table's sequence first so the
history and card rows can point at them; Django's ``bulk_create`` spends most of an import
building the multi-row INSERT. Elsewhere (SQLite) ``simple_history.utils.
bulk_create_with_history`` does the same job. The suite runs on both databases, so both paths
are tested, and ``test_import`` compares the stored rows with the entry form's.

Values are converted as Django would store them: encrypted fields through the field
(``crypto.encrypt`` bound to the model and field), ``auto_now``/``auto_now_add`` through
``pre_save``; every other column type used by these models is stored as it is.
"""

import operator
from collections.abc import Callable
from typing import Any, cast

from django.db import connection, models
from simple_history.utils import bulk_create_with_history

from renkou.common.fields import EncryptedTextField

BATCH = 1000
# Field types whose Python value PostgreSQL's COPY takes unchanged; anything else goes through
# ``get_db_prep_save``.
_PLAIN = (
    models.CharField,
    models.DateField,
    models.BooleanField,
    models.IntegerField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)
Row = Callable[[Any], tuple[Any, ...]]


def insert_with_history(
    objs: list[Any], model: type[models.Model], *, user: Any, reason: str, when: Any
) -> list[Any]:
    """Insert ``objs`` (new instances of ``model``) and one ``+`` history row each, as
    ``bulk_create_with_history`` does (same columns, same history values)."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        created: list[Any] = bulk_create_with_history(
            objs,
            model,
            batch_size=BATCH,
            default_user=user,
            default_change_reason=reason,
            default_date=when,
        )
        return created
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, when)
    for obj, pk in zip(objs, _next_ids(model, len(objs)), strict=True):
        obj.pk = pk
    _copy(model, objs, {})
    history = model.history.model  # type: ignore[attr-defined]  # added by simple_history
    constants = {
        "history_date": when,
        "history_type": "+",
        "history_change_reason": reason,
        "history_user_id": getattr(user, "pk", None),
    }
    _copy(history, objs, constants)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def _copy(model: type[models.Model], objs: list[Any], constants: dict[str, Any]) -> None:
    """COPY one row of ``model`` per object, its columns read from the object (a history row
    reads the tracked fields of the original) except the ``constants``; the database assigns
    the primary key of a history row."""
    skip_pk = bool(constants)
    columns, row = _plan(model, constants, skip_pk=skip_pk)
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(row(obj))


def _plan(
    model: type[models.Model], constants: dict[str, Any], *, skip_pk: bool
) -> tuple[list[str], Row]:
    """The column order and a function giving an object's row: plain columns first, read in
    one ``attrgetter`` call, then encrypted and other columns, then the constants."""
    plain: list[models.Field[Any, Any]] = []
    converted: list[tuple[models.Field[Any, Any], Callable[[Any], Any]]] = []
    fixed: list[models.Field[Any, Any]] = []
    for field in model._meta.concrete_fields:
        if skip_pk and field.primary_key:
            continue
        if field.attname in constants:
            fixed.append(field)
        elif isinstance(field, EncryptedTextField):
            converted.append((field, _encrypting(field)))
        elif isinstance(field, _PLAIN + (models.DateTimeField,)):
            plain.append(field)  # aware datetimes (USE_TZ) go in as they are
        else:
            converted.append((field, _prepared(field)))
    getter = operator.attrgetter(*[f.attname for f in plain])
    values = tuple(constants[f.attname] for f in fixed)
    converters = [convert for _field, convert in converted]
    single = len(plain) == 1

    def row(obj: Any) -> tuple[Any, ...]:
        head = (getter(obj),) if single else getter(obj)
        return (*head, *(convert(obj) for convert in converters), *values)

    columns = [
        cast(str, f.column)  # None only for fields without a column, never concrete ones
        for f in [*plain, *(f for f, _c in converted), *fixed]
    ]
    return columns, row


def _encrypting(field: EncryptedTextField) -> Callable[[Any], Any]:
    attname = field.attname
    return lambda obj: field.get_prep_value(getattr(obj, attname))


def _prepared(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    attname = field.attname
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [row[0] for row in cursor.fetchall()]
