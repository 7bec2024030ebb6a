"""A fixed-window rate limiter for the public forms and login. Counters are rows (`RateCounter`), counted
with one atomic statement (INSERT … ON CONFLICT DO UPDATE … RETURNING, on SQLite and PostgreSQL alike): a
burst of concurrent requests gets distinct counts, and no counter is evicted while its window lasts."""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest

from xinfang.core.middleware import client_ip
from xinfang.core.models import RateCounter

# Counters of windows that ended this long ago are deleted by the worker (`rate_counters_purge`).
KEEP_SECONDS = 2 * 24 * 3600


def allow(request: HttpRequest, scope: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit of this client in `scope`; False once it exceeds `limit` within the window."""
    return hit(request, scope, window_seconds=window_seconds) <= limit


def hit(request: HttpRequest, scope: str, *, window_seconds: int) -> int:
    """Count one hit of this client in `scope`; returns the hits within the window, this one included."""
    return _count(_key(request, scope), _window(window_seconds))


def allow_all(scope: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit in `scope` from whoever it comes (an overall cap); False once it exceeds `limit`."""
    return _count(f"{scope}:*"[:200], _window(window_seconds)) <= limit


def first_use(key: str, *, since: int) -> bool:
    """Whether this is the first use of a one-time `key` (a token issued at `since`, epoch seconds)."""
    return _count(key[:200], since) == 1


def _count(key: str, window_start: int) -> int:
    table, key_column, window, count = (
        connection.ops.quote_name(name)
        for name in (RateCounter._meta.db_table, "key", "window_start", "hits")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {window}, {count}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({key_column}, {window}) DO UPDATE SET {count} = {table}.{count} + 1 "
            f"RETURNING {count}",
            [key, window_start],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 1


def hits(request: HttpRequest, scope: str, *, window_seconds: int) -> int:
    """The hits of this client in `scope` within the current window, without counting one."""
    counter = RateCounter.objects.filter(key=_key(request, scope), window_start=_window(window_seconds))
    return counter.values_list("hits", flat=True).first() or 0


def rate_counters_purge() -> int:
    """The worker's task: delete counters of windows long over. Returns how many it deleted. A round
    with nothing to delete only reads: it never takes the write lock from the other tasks."""
    old = RateCounter.objects.filter(window_start__lt=int(time.time()) - KEEP_SECONDS)
    if not old.exists():
        return 0
    deleted, _ = old.delete()
    return deleted


def _window(window_seconds: int) -> int:
    now = int(time.time())
    return now - now % window_seconds


def _key(request: HttpRequest, scope: str) -> str:
    return f"{scope}:{client_ip(request) or 'unknown'}"[:200]
