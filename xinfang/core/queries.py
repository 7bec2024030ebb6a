"""Query helpers every app's selectors share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from django.db.models import QuerySet

COUNT_BOUND = 10_000
# Values bound in one IN (…) list: SQLite allows 32,766 parameters a statement (and older builds 999).
IN_LIST = 900

T = TypeVar("T")
R = TypeVar("R")


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
