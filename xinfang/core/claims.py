"""Claiming one row of a database queue, the way every worker task takes its work (no ORM rules here
beyond the claim itself): read a few candidates, then UPDATE one WHERE its fields still hold what was
read. Of two workers reading the same row, one UPDATE matches and the other moves on. On PostgreSQL the
candidates are read with FOR UPDATE SKIP LOCKED, so workers do not queue behind each other's claims;
SQLite serialises writers and ignores the clause."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable, Sequence
from typing import Any

from django.db import models, transaction


def claim_one(
    candidates: models.QuerySet[Any],
    *,
    match: Sequence[str],
    changes: Callable[[dict[str, Any]], dict[str, Any]],
    batch: int = 10,
) -> Any | None:
    """The primary key of the row claimed from `candidates` (filtered and ordered by the caller), or None.
    `match` names the fields the claim is conditional on; `changes(row)` gives the UPDATE for the row
    as read."""
    manager = candidates.model._default_manager
    with transaction.atomic():
        for row in candidates.select_for_update(skip_locked=True).values("pk", *match)[:batch]:
            pk = row.pop("pk")
            if manager.filter(pk=pk, **row).update(**changes(row)):
                return pk
    return None


def worker_id() -> str:
    """Who claims: this host and process, as the claimed_by of queue rows."""
    return f"{socket.gethostname()}:{os.getpid()}"


def retry_delay(attempts: int) -> dt.timedelta:
    """Backoff after the n-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))
