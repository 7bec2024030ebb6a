"""Query helpers every app's selectors share."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from django.db import connection
from django.db.models import QuerySet

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
