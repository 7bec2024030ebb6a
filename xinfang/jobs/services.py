"""The scheduler: creates the due runs of the jobs, claims one at a time, runs it, records the outcome.

A run is a row keyed by (job, county, period), so whatever the number of workers and restarts it is
done once. A worker claims a run with `claim_one` (a conditional UPDATE). The job's work and
the run's `done` commit in one transaction: a worker killed mid-run leaves the run to be claimed
again, with nothing half-written."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.calendars.selectors import work_calendar
from xinfang.core.claims import claim_one, retry_delay, worker_id
from xinfang.directory.models import County
from xinfang.jobs.models import JobRun
from xinfang.jobs.schedule import JobSpec, job_spec
from xinfang.lib.schedule import runs_between
from xinfang.lib.workdays import UnknownYear

logger = logging.getLogger("xinfang.jobs")


def job_runs_create_due(*, now: dt.datetime, jobs: Sequence[JobSpec]) -> int:
    """Create the runs planned within the look-back window up to now that have no row yet; a run
    planned before the window (the worker was down longer) is not caught up. Returns how many were
    created. A calendar without the year is logged and skipped: never a guessed run."""
    window_start = now - dt.timedelta(hours=settings.XINFANG_JOB_CATCH_UP_HOURS)
    zone = ZoneInfo(settings.TIME_ZONE)
    local_now, local_start = now.astimezone(zone), window_start.astimezone(zone)
    # One working calendar serves every county, so each job's planned times are worked out once.
    calendar, counties = work_calendar(), list(County.objects.order_by("code"))
    rows = []
    for job in jobs:
        try:
            planned = runs_between(job.rule, job.at, local_start.date(), local_now.date(), calendar, zone)
        except UnknownYear as error:
            logger.error("job %s not planned: %s", job.name, error)
            continue
        rows += [
            JobRun(job=job.name, county=county, period=at.date(), planned_at=at)
            for at in planned
            if window_start <= at <= now
            for county in counties
        ]
    if not rows:
        return 0
    known = set(
        JobRun.objects.filter(period__gte=local_start.date()).values_list("job", "county_id", "period")
    )
    fresh = [row for row in rows if (row.job, row.county_id, row.period) not in known]
    # Another worker may create the same rows at the same moment: the unique key decides.
    JobRun.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def _claimable(now: dt.datetime) -> Q:
    stale = now - dt.timedelta(minutes=settings.XINFANG_JOB_STALE_MINUTES)
    return (
        Q(state=JobRun.State.PENDING)
        | Q(state=JobRun.State.FAILED, next_attempt_at__lte=now)
        # A worker that died mid-run committed nothing; its run is claimed again once stale.
        | Q(state=JobRun.State.RUNNING, claimed_at__lt=stale)
    )


def job_run_claim(*, now: dt.datetime, claimant: str) -> JobRun | None:
    """Claim the oldest due run for this worker, or None."""
    run_id = claim_one(
        JobRun.objects.filter(_claimable(now)).order_by("planned_at", "id"),
        match=("state", "claimed_at"),
        changes=lambda row: {
            "state": JobRun.State.RUNNING,
            "claimed_by": claimant,
            "claimed_at": now,
            "attempts": F("attempts") + 1,
            "next_attempt_at": None,
        },
    )
    return None if run_id is None else JobRun.objects.select_related("county").get(id=run_id)


def job_run_execute(*, run: JobRun, now: dt.datetime, jobs: Sequence[JobSpec]) -> JobRun.State:
    """Do a claimed run's work and record the outcome. A failure is recorded with its error and
    retried with backoff until XINFANG_JOB_MAX_ATTEMPTS; then it stays failed for a person to see."""
    mine = JobRun.objects.filter(id=run.id, claimed_by=run.claimed_by, claimed_at=run.claimed_at)
    try:
        with transaction.atomic():
            result = job_spec(jobs, run.job).handler(county=run.county, day=run.period, now=now)
            mine.update(
                state=JobRun.State.DONE, finished_at=timezone.now(), result=result[:300], last_error=""
            )
    except Exception as error:
        logger.exception("job run %s failed (attempt %s)", run, run.attempts)
        retry = run.attempts < settings.XINFANG_JOB_MAX_ATTEMPTS
        mine.update(
            state=JobRun.State.FAILED,
            finished_at=timezone.now(),
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=now + retry_delay(run.attempts) if retry else None,
        )
        return JobRun.State.FAILED
    return JobRun.State.DONE


def scheduler_tick(*, jobs: Sequence[JobSpec]) -> int:
    """One worker round: create what is due, then run every claimable run. Returns runs done."""
    now = timezone.now()
    job_runs_create_due(now=now, jobs=jobs)
    claimant, handled = worker_id(), 0
    while (run := job_run_claim(now=now, claimant=claimant)) is not None:
        job_run_execute(run=run, now=now, jobs=jobs)
        handled += 1
    return handled


class JobError(Exception):
    pass


@transaction.atomic
def job_run_retry(*, run: JobRun, by: User) -> None:
    """Staff ask a failed run to run again now (the runs page); the attempts start afresh."""
    updated = JobRun.objects.filter(id=run.id, state=JobRun.State.FAILED).update(
        next_attempt_at=timezone.now(), attempts=0
    )
    if not updated:
        raise JobError("只有失败的任务可以重新运行")
    audit_record(action="job.retry", actor=by, obj=run, county=run.county, changes={"job": run.job})
