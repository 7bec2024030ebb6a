"""The infrastructure's own rows: rate-limit counters."""

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
