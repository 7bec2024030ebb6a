"""The background worker loop: runs registered periodic tasks until told to stop.

The tasks it runs are listed once, in `xinfang/registry.py`; each task claims its own database rows
(`core/claims.py`), so several workers may run at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

from django.db import close_old_connections

logger = logging.getLogger("xinfang.worker")


@dataclass(frozen=True)
class Task:
    name: str
    # Does one round of work; returns how many items it handled (0 when idle).
    tick: Callable[[], int]


class Worker:
    def __init__(self, tasks: Sequence[Task], poll_seconds: float) -> None:
        self.tasks = tuple(tasks)
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        if not self.stopping.is_set():
            logger.info("worker stopping (signal %s)", signum)
        self.stopping.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run_once(self) -> int:
        """One round over every task; a failing task is logged and does not stop the others."""
        handled = 0
        for task in self.tasks:
            if self.stopping.is_set():
                break
            close_old_connections()
            try:
                handled += task.tick()
            except Exception:
                logger.exception("worker task %s failed", task.name)
        return handled

    def run(self) -> None:
        logger.info("worker started; tasks: %s", ", ".join(task.name for task in self.tasks) or "none yet")
        while not self.stopping.is_set():
            if self.run_once() == 0:
                # Idle: sleep, but wake at once on SIGTERM.
                self.stopping.wait(self.poll_seconds)
        close_old_connections()
        logger.info("worker stopped")
