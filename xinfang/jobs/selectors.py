"""Reads for the scheduled-jobs page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from xinfang.core.heartbeat import WORKER_STALE_AFTER
from xinfang.core.models import WorkerHeartbeat
from xinfang.directory.models import County
from xinfang.jobs.models import JobRun
from xinfang.jobs.schedule import JobSpec, PlannedRun, jobs_plan
from xinfang.notifications.models import SmsMessage


def job_runs_recent(*, county: County, limit: int = 40) -> list[JobRun]:
    return list(JobRun.objects.filter(county=county).order_by("-planned_at", "job")[:limit])


def job_runs_next(*, jobs: Sequence[JobSpec], county: County, days: int = 7) -> list[PlannedRun]:
    """The next planned runs within `days`; raises UnknownYear when the calendar lacks the year."""
    now = timezone.localtime()
    end = now.date() + dt.timedelta(days=days)
    runs = jobs_plan(jobs=jobs, counties=[county], start=now.date(), end=end)
    return [run for run in runs if run.at > now]


def job_run_get(*, county: County, run_id: int) -> JobRun | None:
    return JobRun.objects.filter(county=county, pk=run_id).first()


def sms_recent(*, county: County, limit: int = 50) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(county=county).order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class LiveWorker:
    host: str
    pid: int
    started_at: dt.datetime
    last_seen: dt.datetime
    seconds_ago: int


def workers_alive() -> list[LiveWorker]:
    """The worker processes whose heartbeat is fresh (seen within WORKER_STALE_AFTER), by host and pid."""
    now = timezone.now()
    rows = WorkerHeartbeat.objects.filter(last_seen__gte=now - WORKER_STALE_AFTER).order_by("host", "pid")
    return [
        LiveWorker(
            host=row.host,
            pid=row.pid,
            started_at=row.started_at,
            last_seen=row.last_seen,
            seconds_ago=max(int((now - row.last_seen).total_seconds()), 0),
        )
        for row in rows
    ]
