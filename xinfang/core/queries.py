"""Query helpers every app's selectors share."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, NamedValuesListIterable, ValuesListIterable
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.utils import create_namedtuple_class

COUNT_BOUND = 10_000
# Values bound in one IN (…) list: SQLite allows 32,766 parameters a statement (and older builds 999).
IN_LIST = 900

T = TypeVar("T")
R = TypeVar("R")


# How long a count known to pass its bound is kept (count_upto_kept): a scope of tens of thousands does not
# fall under the bound between two page views, and "10,000+" is all a page shows of it.
OVER_BOUND_SECONDS = 60.0
_OVER_BOUND_KEPT = 4096
_over_bound: dict[Hashable, float] = {}  # key -> when it was last seen past its bound (monotonic)


def count_upto_kept(key: Hashable, count: Callable[[], int], bound: int = COUNT_BOUND) -> int:
    """`count()` (a count_upto of `bound`), except that a `key` whose count passed the bound within the last
    OVER_BOUND_SECONDS answers `bound + 1` again without counting: the ten thousand index entries a large
    scope's count walks on every page view are walked once a minute. Counts under the bound are never
    kept (they change with every registration). Inside a transaction nothing is kept or read: what it
    counts might be rolled back."""
    if _in_transaction():
        return count()
    full = (key, bound)
    seen = _over_bound.get(full)
    now = _clock()
    if seen is not None and now - seen < OVER_BOUND_SECONDS:
        return bound + 1
    found = count()
    if found > bound:
        if len(_over_bound) >= _OVER_BOUND_KEPT:
            _over_bound.clear()
        _over_bound[full] = now
    else:
        _over_bound.pop(full, None)
    return found


def _in_transaction() -> bool:
    return connection.in_atomic_block


_clock = time.monotonic


def count_kept_clear() -> None:
    """Forget the counts kept past their bound (tests that empty the database)."""
    _over_bound.clear()


def in_batches(values: Iterable[T], read: Callable[[Sequence[T]], Iterable[R]]) -> Iterator[R]:
    """`read(batch)` for each IN_LIST values of `values`, its rows chained: a lookup by a list of ids that
    may be long, kept within the parameters one statement may bind."""
    values = iter(values)
    while batch := tuple(islice(values, IN_LIST)):
        yield from read(batch)


def count_upto(queryset: QuerySet[Any, Any], bound: int = COUNT_BOUND) -> int:
    """The exact count up to `bound`, else `bound + 1` (pages show it as "10,000+"): a list of a million
    rows is never counted in full."""
    return queryset.order_by()[: bound + 1].count()


def regrouped(grouped: QuerySet[Any], keys: Sequence[str], sums: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows of a grouped queryset (`.values_list(…).annotate(…)`) summed again by fewer `keys`, in the
    database: an outer GROUP BY over it as a subquery. The inner grouping may follow an index's order (no
    sort of the raw rows), and the fold to the coarser keys runs in the database rather than row by row in
    Python. Each result row is the keys then the sums, in order; a sum may come back as Decimal
    (PostgreSQL's SUM of a bigint)."""
    sql, params = grouped.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(key) for key in keys)
    totals = ", ".join(f"SUM({quote(name)})" for name in sums)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, {totals} FROM ({sql}) grouped GROUP BY {columns}", params)  # noqa: S608
        return list(cursor.fetchall())


# Statements kept compiled (statement_rows), a thread's own: a compiler holds its thread's connection.
STATEMENTS_KEPT = 256
_statements = threading.local()
# The values a statement is compiled with, told apart from the constants beside them by being far below
# any id a table holds.
_MARK = -(2**62)


@dataclass(frozen=True)
class _Statement:
    sql: str  # "" when the query can hold no row (an empty `__in` list)
    params: tuple[Any, ...]
    slots: tuple[int, ...]  # where in `params` the values go, in order
    compiler: SQLCompiler | None  # converts the database's values as the ORM would
    shape: Callable[[Sequence[Any]], Any]  # a row as the queryset gives it


def statement_rows(
    key: Hashable, build: Callable[[Sequence[int]], QuerySet[Any, Any]], values: Sequence[int]
) -> list[Any]:
    """The rows of `build(values)`, a `values_list` queryset whose `values` are integers each bound as one
    parameter (the ids of an `__in` list, say), the rest of it the same for the same `key`: its SQL is
    compiled once a thread for `key`, the database and the number of values, then run again with other
    values in the same places. Building and compiling the ORM's query for a page's fifty rows cost more
    than reading them (subqueries are compiled anew every time).

    Rows come as the queryset gives them (tuples, named tuples or flat values), in the database's order.
    A query whose values do not land one to a parameter (a backend binding a list as one array) is not
    kept: it runs through the ORM every time, as correct and as slow as before."""
    kept: dict[Hashable, _Statement | None] = _statements.__dict__.setdefault("kept", {})
    full = (key, connection.alias, len(values))
    if full not in kept:
        if len(kept) >= STATEMENTS_KEPT:
            kept.clear()
        kept[full] = _statement_compile(build, len(values))
    statement = kept[full]
    if statement is None:
        return list(build(values))
    if not statement.sql:
        return []
    params = list(statement.params)
    for slot, value in zip(statement.slots, values, strict=True):
        params[slot] = int(value)
    assert statement.compiler is not None
    with connection.cursor() as cursor:  # Django's cursor: its query log and execute wrappers see it
        cursor.execute(statement.sql, params)
        fetched = cursor.fetchall()
    rows = statement.compiler.results_iter(results=[fetched], tuple_expected=True)
    return [statement.shape(row) for row in rows]


def _statement_compile(build: Callable[[Sequence[int]], QuerySet[Any, Any]], count: int) -> _Statement | None:
    marks = [_MARK + index for index in range(count)]
    queryset = build(marks)
    shape = _row_shape(queryset)
    compiler = queryset.query.get_compiler(connection.alias)  # the connection it runs on
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        sql, params = "", ()
    if not sql:
        return _Statement("", (), (), None, shape)
    if compiler.has_extra_select:
        return None  # the ORM trims extra columns it selects for ordering; not kept
    found = {mark: index for index, mark in enumerate(marks)}
    slots = [
        (found[param], place) for place, param in enumerate(params) if type(param) is int and param in found
    ]
    if sorted(index for index, _ in slots) != list(range(count)):
        return None
    return _Statement(sql, tuple(params), tuple(place for _, place in sorted(slots)), compiler, shape)


def _row_shape(queryset: QuerySet[Any, Any]) -> Callable[[Sequence[Any]], Any]:
    """How the queryset's iterable makes a row of the tuple the compiler gives."""
    iterable = queryset._iterable_class  # which values_list it is
    if iterable is FlatValuesListIterable:
        return lambda row: row[0]
    if iterable is NamedValuesListIterable:
        query = queryset.query
        names = getattr(queryset, "_fields", ()) or (
            *query.extra_select,
            *query.values_select,
            *query.annotation_select,
        )
        named = create_namedtuple_class(*names)
        return lambda row: tuple.__new__(named, row)
    if iterable is ValuesListIterable:
        return tuple
    raise TypeError("statement_rows reads values_list querysets")
