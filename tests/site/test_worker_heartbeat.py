"""The worker's heartbeat (issue 14, item 10): a running worker keeps its row fresh, the jobs page shows
each live worker with its last heartbeat, or that no worker runs; stale rows are removed."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time

import pytest
import time_machine
from django.utils import timezone

from xinfang.core import heartbeat as heartbeat_module
from xinfang.core import worker as worker_module
from xinfang.core.heartbeat import WORKER_STALE_AFTER, Heartbeat
from xinfang.core.models import WorkerHeartbeat
from xinfang.core.worker import Task, Worker, run_isolated

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def heartbeat_row(*, host: str, pid: int, seen_ago: dt.timedelta) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        host=host, pid=pid, started_at=NOW - dt.timedelta(hours=1), last_seen=NOW - seen_ago
    )


@pytest.mark.django_db
def test_the_jobs_page_shows_each_live_worker_with_its_last_heartbeat(client_for):
    heartbeat_row(host="xf-app-1", pid=4242, seen_ago=dt.timedelta(seconds=7))
    heartbeat_row(host="xf-app-2", pid=77, seen_ago=dt.timedelta(seconds=95))
    heartbeat_row(host="xf-old", pid=13, seen_ago=WORKER_STALE_AFTER + dt.timedelta(seconds=1))
    with time_machine.travel(NOW, tick=False):
        page = client_for("bureau").get("/jobs/").content.decode()
    assert "运行中 · 最近心跳 7 秒前" in page and "xf-app-1" in page and "4242" in page
    assert "运行中 · 最近心跳 95 秒前" in page and "xf-app-2" in page
    assert "xf-old" not in page and "工作进程未运行" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("seen_ago", [None, WORKER_STALE_AFTER + dt.timedelta(seconds=1)])
def test_the_jobs_page_says_plainly_that_no_worker_runs_without_a_fresh_heartbeat(client_for, seen_ago):
    if seen_ago is not None:
        heartbeat_row(host="xf-app-1", pid=4242, seen_ago=seen_ago)
    with time_machine.travel(NOW, tick=False):
        page = client_for("bureau_head").get("/jobs/").content.decode()
    assert "工作进程未运行" in page and "运行中" not in page and "xf-app-1" not in page


@pytest.mark.django_db
def test_a_beat_writes_at_most_every_few_seconds_and_removes_stale_rows():
    dead = heartbeat_row(host="xf-dead", pid=1, seen_ago=WORKER_STALE_AFTER + dt.timedelta(seconds=1))
    alive = heartbeat_row(host="xf-other", pid=2, seen_ago=WORKER_STALE_AFTER - dt.timedelta(seconds=1))
    beat = Heartbeat()
    with time_machine.travel(NOW, tick=False):
        beat.beat()
        beat.beat()  # within HEARTBEAT_SECONDS: no second write
    assert beat.row_id is not None
    own = WorkerHeartbeat.objects.get(pk=beat.row_id)
    assert (own.host, own.pid, own.last_seen) == (socket.gethostname(), os.getpid(), NOW)
    assert set(WorkerHeartbeat.objects.values_list("pk", flat=True)) == {own.pk, alive.pk}
    assert not WorkerHeartbeat.objects.filter(pk=dead.pk).exists()
    later = NOW + dt.timedelta(seconds=30)
    with time_machine.travel(later, tick=False):
        beat.beat(force=True)
    own.refresh_from_db()
    assert own.last_seen == later
    assert list(WorkerHeartbeat.objects.values_list("pk", flat=True)) == [own.pk]  # the other one went silent
    # Removed meanwhile by another worker (this one was stopped a while): the next beat writes it anew.
    WorkerHeartbeat.objects.all().delete()
    beat.beat(force=True)
    assert WorkerHeartbeat.objects.get().pid == os.getpid()
    beat.stop()
    assert not WorkerHeartbeat.objects.exists()


# The worker's loop closes and reopens its database connections: transactional tests.
@pytest.mark.django_db(transaction=True)
def test_a_running_worker_has_a_fresh_heartbeat_and_removes_it_when_it_stops():
    seen: list[list[tuple[str, int]]] = []

    def task() -> int:
        seen.append(list(WorkerHeartbeat.objects.values_list("host", "pid")))
        if len(seen) == 2:
            worker.stop()
        return 0  # idle: the worker sleeps between rounds

    worker = Worker([Task("look", task)], poll_seconds=0.01)
    worker.run()
    assert seen == [[(socket.gethostname(), os.getpid())]] * 2
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_it_sleeps_and_while_an_isolated_task_works(monkeypatch):
    monkeypatch.setattr(heartbeat_module, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(worker_module, "HEARTBEAT_SECONDS", 0.05)
    beats: list[float] = []

    def slow() -> int:
        time.sleep(0.5)
        return 2

    assert run_isolated(Task("slow", slow, isolated=True), 0, waiting=lambda: beats.append(1)) == 2
    assert len(beats) >= 3

    worker = Worker([], poll_seconds=0.5)
    worker.heartbeat = Heartbeat()
    started = timezone.now()
    worker.idle()
    assert WorkerHeartbeat.objects.get().last_seen > started + dt.timedelta(seconds=0.3)
