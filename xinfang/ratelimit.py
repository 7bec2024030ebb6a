"""A small fixed-window rate limiter on the shared (database) cache, for the public forms and login."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from xinfang.middleware import client_ip


def allow(request: HttpRequest, scope: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit of this client in `scope`; False once it exceeds `limit` within the window."""
    key = f"ratelimit:{scope}:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
