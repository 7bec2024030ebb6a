"""Query helpers every app's selectors share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

COUNT_BOUND = 10_000


def count_upto(queryset: QuerySet[Any, Any], bound: int = COUNT_BOUND) -> int:
    """The exact count up to `bound`, else `bound + 1` (pages show it as "10,000+"): a list of a million
    rows is never counted in full."""
    return queryset.order_by()[: bound + 1].count()
