"""The login backend: Django's, reading the signed-in user with their county and unit in one query (every
page names the county and keys the county's cached directory on its revision; a unit user's scope depends
on their unit's kind).

Every request of a signed-in user starts with this read. Built by the ORM (`select_related`), compiling
the query cost about a tenth of a list page's time; the statement is the same for every request, so it is
written once per database from the models' own columns and each row is built as the ORM builds it
(`Model.from_db`, after the database's and the fields' converters)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from django.contrib.auth.backends import ModelBackend
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

from xinfang.accounts.models import User
from xinfang.directory.models import County, Unit

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]

# The user's own columns, then their county's and their unit's (NULL when they have none).
_MODELS: tuple[type[models.Model], ...] = (User, County, Unit)


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = user_read(user_id)  # the session's id, already checked by django.contrib.auth.get_user
        return user if user is not None and self.user_can_authenticate(user) else None


def user_read(pk: int) -> User | None:
    """The user with their county and unit, as `User.objects.select_related("county", "unit")` reads it."""
    alias = router.db_for_read(User)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_statement(alias), [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    user, county, unit = (
        _built(model, values, alias) for model, values in zip(_MODELS, _split(row), strict=True)
    )
    assert isinstance(user, User)
    user.county = county  # type: ignore[assignment]  # the relation's cache, as select_related fills it
    user.unit = unit  # type: ignore[assignment]
    return user


def _split(row: Sequence[Any]) -> list[Sequence[Any]]:
    parts, start = [], 0
    for model in _MODELS:
        end = start + len(model._meta.concrete_fields)
        parts.append(row[start:end])
        start = end
    return parts


def _built(model: type[M], values: Sequence[Any], alias: str) -> M | None:
    if values[0] is None:  # the LEFT JOIN found no county or unit
        return None
    connection = connections[alias]
    converted = [
        functools.reduce(lambda value, converter: converter(value, column, connection), converters, value)
        for value, (column, converters) in zip(values, _converters(model, alias), strict=True)
    ]
    return model.from_db(alias, [field.attname for field in model._meta.concrete_fields], converted)


_kept = threading.local()  # each thread's converters: bound to the thread's own connection


def _converters(model: type[models.Model], alias: str) -> list[tuple[Any, list[Converter]]]:
    """Each concrete field's column and the converters the ORM applies to its value as read."""
    kept: dict[tuple[type[models.Model], str], list[tuple[Any, list[Converter]]]] | None
    kept = getattr(_kept, "converters", None)
    if kept is None:
        kept = _kept.converters = {}
    found = kept.get((model, alias))
    if found is None:
        connection = connections[alias]
        found = kept[model, alias] = [
            (column, [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)])
            for field in model._meta.concrete_fields
            for column in (field.get_col(model._meta.db_table),)
        ]
    return found


@functools.cache
def _statement(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    tables = ("u", "c", "n")
    columns = ", ".join(
        f"{table}.{quote(str(field.column))}"
        for table, model in zip(tables, _MODELS, strict=True)
        for field in model._meta.concrete_fields
    )
    users, counties, units = (quote(model._meta.db_table) for model in _MODELS)
    county_id, unit_id = (
        quote(cast("models.ForeignKey[Any, Any]", User._meta.get_field(name)).column)
        for name in ("county", "unit")
    )
    user_pk, county_pk, unit_pk = (quote(str(model._meta.pk.column)) for model in _MODELS)
    return (
        f"SELECT {columns} FROM {users} u"  # noqa: S608 - names from the models, the id a parameter
        f" LEFT JOIN {counties} c ON c.{county_pk} = u.{county_id}"
        f" LEFT JOIN {units} n ON n.{unit_pk} = u.{unit_id}"
        f" WHERE u.{user_pk} = %s"
    )
