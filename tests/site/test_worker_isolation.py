"""One task's failure or memory blow-up never stops the worker (issue 12, item 1): isolated tasks run in a
child process under a memory limit, and the scheduler and the SMS outbox go on."""

from __future__ import annotations

import os
import signal

import pytest

from xinfang.core.worker import Task, Worker
from xinfang.registry import TASKS


@pytest.fixture
def isolated(settings):
    settings.XINFANG_WORKER_ISOLATE = True
    settings.XINFANG_WORKER_TASK_MEMORY_MB = 256


def hungry() -> int:
    """A task reading a file that unpacks to gigabytes."""
    blocks = [bytearray(256 * 1024 * 1024) for _ in range(16)]
    return len(blocks)


def killed() -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return 1


# The worker closes and reopens its database connections around a child process: transactional tests.
@pytest.mark.django_db(transaction=True)
def test_a_task_that_blows_its_memory_or_is_killed_leaves_the_worker_and_the_other_tasks_running(isolated):
    rounds: list[str] = []

    def scheduler() -> int:
        rounds.append("scheduler")
        return 1

    def outbox() -> int:
        rounds.append("outbox")
        return 1

    worker = Worker(
        [
            Task("scheduler", scheduler),
            Task("hungry", hungry, isolated=True),
            Task("killed", killed, isolated=True),
            Task("outbox", outbox),
        ],
        poll_seconds=0,
    )
    assert worker.run_once() == 2 and worker.run_once() == 2
    assert rounds == ["scheduler", "outbox", "scheduler", "outbox"]


@pytest.mark.django_db(transaction=True)
def test_an_isolated_task_reports_what_it_handled(isolated):
    assert Worker([Task("three", lambda: 3, isolated=True)], poll_seconds=0).run_once() == 3


def test_the_ledger_task_is_the_isolated_one():
    assert [task.name for task in TASKS if task.isolated] == ["ledger_imports"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_checks_an_upload_in_its_child_process(isolated):
    from django.db import connection

    from tests.ledger.test_ledger_import import csv_bytes, row
    from xinfang.demo.services import demo_county_load
    from xinfang.directory.models import County
    from xinfang.ledger.models import LedgerImport
    from xinfang.ledger.uploads import ledger_upload

    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip(
            "a forked child cannot write into the tests' in-memory SQLite database (PostgreSQL runs it)"
        )
    demo_county_load()
    county = County.objects.get()
    from xinfang.accounts.models import User

    bureau = User.objects.get(username="bureau")
    record = ledger_upload(by=bureau, county=county, file_name="台账.csv", content=csv_bytes([row()]))
    ledger = next(task for task in TASKS if task.name == "ledger_imports")
    assert Worker([ledger], poll_seconds=0).run_once() == 1
    record.refresh_from_db()
    assert record.state == LedgerImport.State.CHECKED and record.rows == 1
