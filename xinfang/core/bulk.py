"""A fast multi-row INSERT for the bulk writers (the ledger import, the audit records of an import).

Django's `bulk_create` builds a model instance per row and compiles every value through the query
compiler, several times the cost of the INSERT itself at a hundred thousand rows. This writes the
same rows from plain mappings (or instances) with one parameterised multi-row INSERT per batch (COPY on
PostgreSQL); only
values that need the backend's conversion (datetimes, JSON, IP addresses) go through the field, and
a column a row leaves out takes the field's default. Primary keys come back by `RETURNING` (SQLite ≥
3.35 and PostgreSQL) in row order, as `bulk_create` relies on too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection, models

_PLAIN = (
    models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.FloatField,
    models.ForeignKey,
)  # fmt: skip
_MAX_PARAMETERS = 30000  # under SQLite's default limit of 32766 variables


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if not isinstance(field, models.DateTimeField) and isinstance(field, (*_PLAIN, models.DateField)):
        return None
    last: list[Any] = [object(), None]  # rows of one write mostly share a time: convert it once

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[:] = [value, field.get_db_prep_save(value, connection)]
        return last[1]

    return convert


def bulk_insert(
    model: type[models.Model], rows: Sequence[Mapping[str, Any] | models.Model], *, returning: bool = False
) -> list[Any]:
    """INSERT the rows (mappings of attribute names, e.g. `matter_id`, or model instances); return the
    new primary keys in row order when `returning` (and set them on instances)."""
    if not rows:
        return []
    meta = model._meta
    # Every column but a generated primary key (a one-to-one primary key is written like any other).
    fields = [field for field in meta.concrete_fields if not isinstance(field, models.fields.AutoFieldMixin)]
    if connection.vendor == "postgresql":
        return _copy(model, fields, rows, returning)
    columns = [(field.attname, field.get_default(), _converter(field)) for field in fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(field.column)) for field in fields)
    row_sql = f"({', '.join(['%s'] * len(fields))})"
    size = max(1, _MAX_PARAMETERS // len(fields))
    pk_column = quote(str(meta.pk.column)) if meta.pk is not None else ""
    keys: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = [value for row in batch for value in _values(row, columns)]
            sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES {', '.join([row_sql] * len(batch))}"  # noqa: S608
            if not returning:
                cursor.execute(sql, params)
                continue
            cursor.execute(f"{sql} RETURNING {pk_column}", params)
            keys.extend(pk for (pk,) in cursor.fetchall())
    _set_keys(rows, keys)
    return keys


def _copy(
    model: type[models.Model],
    fields: list[models.Field[Any, Any]],
    rows: Sequence[Mapping[str, Any] | models.Model],
    returning: bool,
) -> list[Any]:
    """PostgreSQL: COPY, an order of magnitude faster than multi-row INSERTs there; the new keys are
    taken from the table's sequence first (nextval is safe under concurrent writers)."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [(field.attname, field.get_default(), _converter(field)) for field in fields]
    keys: list[Any] = []
    with connection.cursor() as cursor:
        if returning:
            assert meta.pk is not None
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            keys = [pk for (pk,) in cursor.fetchall()]
            fields = [meta.pk, *fields]
        names = ", ".join(quote(str(field.column)) for field in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
            for index, row in enumerate(rows):
                values = _values(row, columns)
                copy.write_row([keys[index], *values] if returning else values)
    _set_keys(rows, keys)
    return keys


def _values(row: Mapping[str, Any] | models.Model, columns: list[tuple[str, Any, Any]]) -> list[Any]:
    if isinstance(row, Mapping):
        raw = [row.get(attname, default) for attname, default, _ in columns]
    else:
        raw = [getattr(row, attname) for attname, _, _ in columns]
    return [convert(value) if convert else value for value, (_, _, convert) in zip(raw, columns, strict=True)]


def _set_keys(rows: Sequence[Mapping[str, Any] | models.Model], keys: list[Any]) -> None:
    for row, pk in zip(rows, keys, strict=False):
        if isinstance(row, models.Model):
            row.pk = pk
            row._state.adding, row._state.db = False, connection.alias


def rows_replace(
    model: type[models.Model], owner: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Replace the rows that belong to one owner (its columns, e.g. `{"competition_id": 7}`) with these,
    each written with the owner's columns (a stored result's per-unit rows recomputed). Call it inside the
    transaction that writes the owner."""
    model._default_manager.filter(**owner).delete()
    bulk_insert(model, [{**owner, **row} for row in rows])
