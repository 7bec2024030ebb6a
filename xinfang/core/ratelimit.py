"""A small fixed-window rate limiter on the shared (database) cache, for the public forms and login."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from xinfang.core.middleware import client_ip


def allow(request: HttpRequest, scope: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit of this client in `scope`; False once it exceeds `limit` within the window."""
    return hit(request, scope, window_seconds=window_seconds) <= limit


def hit(request: HttpRequest, scope: str, *, window_seconds: int) -> int:
    """Count one hit of this client in `scope`; returns the hits within the window."""
    key = _key(request, scope)
    cache.add(key, 0, timeout=window_seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def hits(request: HttpRequest, scope: str) -> int:
    """The hits of this client in `scope` within the current window, without counting one."""
    return int(cache.get(_key(request, scope), 0))


def _key(request: HttpRequest, scope: str) -> str:
    return f"ratelimit:{scope}:{client_ip(request) or 'unknown'}"
