"""The worker's heartbeat: each running `xinfang worker` keeps one `WorkerHeartbeat` row fresh, so that
the jobs page can tell whether workers run, where, and when each was last seen — with several workers
on one database, SQLite or PostgreSQL, each writing only its own row."""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import socket
import time

from django.db import DatabaseError, transaction
from django.utils import timezone

from xinfang.core.models import WorkerHeartbeat

logger = logging.getLogger("xinfang.worker")

# A worker not seen for this long is taken for stopped: the page says so and the next beat removes its row.
# Well above HEARTBEAT_SECONDS, so that a slow round or a busy database does not make a live worker vanish.
WORKER_STALE_AFTER = dt.timedelta(minutes=2)
# At most one heartbeat write per this many seconds, however fast the loop goes round.
HEARTBEAT_SECONDS = 5.0


class Heartbeat:
    """This process's heartbeat row."""

    def __init__(self) -> None:
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self.row_id: int | None = None
        self.beaten = -math.inf  # time.monotonic() of the last write

    def beat(self, *, force: bool = False) -> None:
        """Records that this worker is alive — at most every HEARTBEAT_SECONDS unless `force` — and removes
        the rows of workers not seen for WORKER_STALE_AFTER. A database that cannot be written to is
        logged, never raised: the worker goes on and beats again next time."""
        if not force and time.monotonic() - self.beaten < HEARTBEAT_SECONDS:
            return
        now = timezone.now()
        try:
            with transaction.atomic():
                # Another worker may have removed this row (the process was stopped for a while): then anew.
                rows = WorkerHeartbeat.objects.filter(pk=self.row_id) if self.row_id else None
                if rows is None or not rows.update(last_seen=now):
                    self.row_id = WorkerHeartbeat.objects.create(
                        host=self.host, pid=self.pid, started_at=self.started_at, last_seen=now
                    ).pk
                WorkerHeartbeat.objects.filter(last_seen__lt=now - WORKER_STALE_AFTER).delete()
        except DatabaseError as error:
            logger.warning("worker heartbeat not recorded: %s", error)
            return
        self.beaten = time.monotonic()

    def stop(self) -> None:
        """Removes this worker's row: a worker that stopped cleanly leaves the jobs page at once."""
        if self.row_id is None:
            return
        try:
            WorkerHeartbeat.objects.filter(pk=self.row_id).delete()
        except DatabaseError as error:
            logger.warning("worker heartbeat not removed: %s", error)
        self.row_id = None
