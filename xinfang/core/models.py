"""The infrastructure's own rows: rate-limit counters and the worker processes' heartbeats."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class RateCounter(models.Model):
    """Hits of one client in one scope within one fixed window. A table, not the cache: a cache evicts
    entries when full, and an evicted counter lets a refused client in again."""

    key = models.CharField(max_length=200)  # "scope:address"
    window_start = models.BigIntegerField()  # the window's first second (Unix time)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["key", "window_start"], name="one_counter_per_window")
        ]
        indexes: ClassVar = [models.Index(fields=["window_start"], name="ratecounter_window_idx")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start}: {self.hits}"


class WorkerHeartbeat(models.Model):
    """One running worker process (`xinfang worker`): where it runs and when its loop last came round
    (`core/heartbeat.py`). The jobs page lists the fresh ones; a worker removes its row when it stops, and
    the rows of workers that died are removed by the next beat of any worker."""

    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [models.Index(fields=["last_seen"], name="heartbeat_last_seen_idx")]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"
