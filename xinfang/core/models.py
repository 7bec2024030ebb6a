"""The infrastructure's own rows: rate-limit counters, the worker processes' heartbeats and uploaded files."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
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


class Attachment(models.Model):
    """An uploaded file kept in the database (a scan of a paper instruction, a unit's evidence): what it
    is, its size and SHA-256, who uploaded it and when. Only `core/attachments.py` creates one, after
    checking its size and type; the app that owns it serves it, after its own scope check and audit
    record. Lists defer `content`."""

    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)
    content = models.BinaryField("内容")
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="上传人",
    )  # fmt: skip

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name
