"""What a scheduled job is: what runs, on which rule, at which configured time (issue 6). The jobs
themselves are listed once, in `xinfang/registry.py`, and passed in: this app sits below the apps whose
work they do. The worker keys each run by (job, county, period); `xinfang jobs plan` lists the runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from xinfang.calendars.selectors import work_calendar
from xinfang.directory.models import County
from xinfang.lib.schedule import Rule, parse_time, runs_between


@dataclass(frozen=True)
class JobSpec:
    name: str
    title: str
    rule: Rule
    time_setting: str  # the setting holding its time of day, "17:30"
    # `handler(*, county, day, now) -> str` does the run's work in the worker's transaction and returns
    # a one-line result; it must be safe to call again for the same day.
    handler: Callable[..., str]

    @property
    def at(self) -> dt.time:
        return parse_time(getattr(settings, self.time_setting))


def job_spec(jobs: Sequence[JobSpec], name: str) -> JobSpec:
    return next(job for job in jobs if job.name == name)


@dataclass(frozen=True)
class PlannedRun:
    job: JobSpec
    county: County
    at: dt.datetime

    def as_dict(self) -> dict[str, str]:
        return {"job": self.job.name, "county": self.county.code, "at": self.at.isoformat()}


def jobs_plan(
    *, jobs: Sequence[JobSpec], counties: list[County], start: dt.date, end: dt.date
) -> list[PlannedRun]:
    """Every planned run from start to end (dates included), in time order; raises UnknownYear when the
    range reaches a year the working calendar does not know."""
    calendar, zone = work_calendar(), ZoneInfo(settings.TIME_ZONE)
    runs = [
        PlannedRun(job, county, at)
        for job in jobs
        for at in runs_between(job.rule, job.at, start, end, calendar, zone)
        for county in counties
    ]
    return sorted(runs, key=lambda run: (run.at, run.county.code, run.job.name))
