"""Independent reads side by side, each on its own database connection: while PostgreSQL works on one's
queries (in its own process, on the other core), Python works on another's rows. For a report's figures
(the monthly analysis), whose parts are a few heavy grouped queries each."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, connections


def side_by_side(*calls: Callable[[], Any]) -> list[Any]:
    """The calls' results, in order. On PostgreSQL outside a transaction each call runs in a thread of its
    own, with its own connection (closed when it is done); an exception of one is raised here, after all
    have finished. Otherwise one after another (the first exception stops the rest): SQLite's single file
    gains little, and inside a transaction another connection would not see the rows it has written."""
    if len(calls) < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [call() for call in calls]

    def run(call: Callable[[], Any]) -> Any:
        try:
            return call()
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="side-by-side") as pool:
        futures = [pool.submit(run, call) for call in calls]
    return [future.result() for future in futures]
