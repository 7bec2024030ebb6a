"""The scheduled jobs, declared in code: what runs, on which rule, at which configured time (issue 6).
The worker keys each run by (job, county, period); `xinfang jobs plan` lists the planned runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from xinfang.calendars.selectors import work_calendar
from xinfang.directory.models import County
from xinfang.lib.schedule import Rule, every_working_day, parse_time, runs_between


@dataclass(frozen=True)
class JobSpec:
    name: str
    title: str
    rule: Rule
    time_setting: str  # the setting holding its time of day, "17:30"
    # Dotted path of `handler(*, county, day, now) -> str`: does the run's work in the worker's
    # transaction and returns a one-line result; it must be safe to call again for the same day.
    handler: str

    @property
    def at(self) -> dt.time:
        return parse_time(getattr(settings, self.time_setting))


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "deadline_warnings", "到期预警短信", every_working_day(), "XINFANG_DEADLINE_WARNING_TIME",
        "xinfang.petitions.warnings.deadline_warnings_job",
    ),
    JobSpec(
        "daily_report", "每日访情报告", every_working_day(), "XINFANG_DAILY_REPORT_TIME",
        "xinfang.reports.services.daily_report_job",
    ),
)  # fmt: skip


def job_spec(name: str) -> JobSpec:
    return next(job for job in JOBS if job.name == name)


@dataclass(frozen=True)
class PlannedRun:
    job: JobSpec
    county: County
    at: dt.datetime

    def as_dict(self) -> dict[str, str]:
        return {"job": self.job.name, "county": self.county.code, "at": self.at.isoformat()}


def jobs_plan(*, counties: list[County], start: dt.date, end: dt.date) -> list[PlannedRun]:
    """Every planned run from start to end (dates included), in time order; raises UnknownYear when the
    range reaches a year the working calendar does not know."""
    calendar, zone = work_calendar(), ZoneInfo(settings.TIME_ZONE)
    runs = [
        PlannedRun(job, county, at)
        for job in JOBS
        for at in runs_between(job.rule, job.at, start, end, calendar, zone)
        for county in counties
    ]
    return sorted(runs, key=lambda run: (run.at, run.county.code, run.job.name))
