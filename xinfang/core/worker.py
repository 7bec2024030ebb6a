"""The background worker loop: runs registered periodic tasks until told to stop.

The tasks it runs are listed once, in `xinfang/registry.py`; each task claims its own database rows
(`core/claims.py`), so several workers may run at once. While it runs, a worker keeps its heartbeat row
fresh (`core/heartbeat.py`): between tasks, while it sleeps and while an isolated task's child works.
"""

from __future__ import annotations

import logging
import os
import resource
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

from django.conf import settings
from django.db import close_old_connections, connections

from xinfang.core.heartbeat import HEARTBEAT_SECONDS, Heartbeat

logger = logging.getLogger("xinfang.worker")


@dataclass(frozen=True)
class Task:
    name: str
    # Does one round of work; returns how many items it handled (0 when idle).
    tick: Callable[[], int]
    # Run the round in a child process under a memory limit (XINFANG_WORKER_TASK_MEMORY_MB): a task that
    # reads files from outside (an uploaded ledger) cannot take the worker, and with it the scheduler and
    # the SMS outbox, down with it.
    isolated: bool = False


def _virtual_memory_bytes() -> int:
    """This process's virtual size (Linux), which an address-space limit counts from."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _nothing() -> None:
    pass


def run_isolated(task: Task, memory_bytes: int, *, waiting: Callable[[], None] = _nothing) -> int:
    """One round of `task` in a forked child whose address space may grow by at most `memory_bytes`
    (0: no limit). The child opens its own database connections (the parent's are closed first: two
    processes must never share one) and reports how many items it handled through a pipe. A child that
    fails, runs out of memory or is killed is logged; the worker goes on. The parent calls `waiting`
    every HEARTBEAT_SECONDS until the child is done."""
    for connection in connections.all(initialized_only=True):
        connection.close()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the worker's loop
        os.close(reader)
        status = 1
        try:
            if memory_bytes:
                limit = _virtual_memory_bytes() + memory_bytes
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            os.write(writer, str(task.tick()).encode("ascii"))
            status = 0
        except BaseException:
            logger.exception("worker task %s failed in its child process", task.name)
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        # The pipe turns readable when the child reports or its end closes (it exited or was killed).
        while not select.select([pipe], [], [], HEARTBEAT_SECONDS)[0]:
            waiting()
        reported = pipe.read(32)
    _, wait_status = os.waitpid(pid, 0)
    if wait_status != 0:
        if os.WIFSIGNALED(wait_status):
            logger.error("worker task %s: child killed by signal %s", task.name, os.WTERMSIG(wait_status))
        return 0
    return int(reported or 0)


class Worker:
    def __init__(self, tasks: Sequence[Task], poll_seconds: float) -> None:
        self.tasks = tuple(tasks)
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.heartbeat: Heartbeat | None = None  # kept by `run`, not by a single `run_once`

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
            self.beat()
            try:
                if task.isolated and settings.XINFANG_WORKER_ISOLATE:
                    memory = settings.XINFANG_WORKER_TASK_MEMORY_MB * 1024 * 1024
                    handled += run_isolated(task, memory, waiting=self.beat)
                else:
                    handled += task.tick()
            except Exception:
                logger.exception("worker task %s failed", task.name)
        return handled

    def beat(self) -> None:
        if self.heartbeat is not None:
            close_old_connections()
            self.heartbeat.beat()

    def idle(self) -> None:
        """Sleeps `poll_seconds`, beating meanwhile; wakes at once on SIGTERM."""
        until = time.monotonic() + self.poll_seconds
        while not self.stopping.is_set() and (left := until - time.monotonic()) > 0:
            self.stopping.wait(min(left, HEARTBEAT_SECONDS))
            self.beat()

    def run(self) -> None:
        logger.info("worker started; tasks: %s", ", ".join(task.name for task in self.tasks) or "none yet")
        self.heartbeat = Heartbeat()
        self.heartbeat.beat(force=True)
        try:
            while not self.stopping.is_set():
                if self.run_once() == 0:
                    self.idle()
        finally:
            close_old_connections()  # the last write needs a working connection
            self.heartbeat.stop()
            self.heartbeat = None
            close_old_connections()
        logger.info("worker stopped")
