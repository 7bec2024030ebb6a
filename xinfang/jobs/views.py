"""The scheduled-jobs page: recent runs and their state, the next planned ones, the SMS outbox. The
site's URLs pass in the registry's jobs (`xinfang/registry.py`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.accounts.http import AuthedRequest
from xinfang.core.decorators import role_required
from xinfang.core.heartbeat import WORKER_STALE_AFTER
from xinfang.core.roles import BUREAU_ROLES
from xinfang.jobs.schedule import JobSpec
from xinfang.jobs.selectors import job_run_get, job_runs_next, job_runs_recent, sms_recent, workers_alive
from xinfang.jobs.services import JobError, job_run_retry
from xinfang.lib.workdays import UnknownYear


@role_required(BUREAU_ROLES)
def runs(request: AuthedRequest, jobs: Sequence[JobSpec]) -> HttpResponse:
    county = request.user.county
    assert county is not None
    calendar_problem = ""
    try:
        planned = job_runs_next(jobs=jobs, county=county)
    except UnknownYear as error:
        planned, calendar_problem = [], str(error)
    titles = {job.name: job.title for job in jobs}
    context = {
        "runs": [(run, titles.get(run.job, run.job)) for run in job_runs_recent(county=county)],
        "planned": planned, "calendar_problem": calendar_problem, "jobs": jobs,
        "outbox": sms_recent(county=county), "workers": workers_alive(),
        "stale_minutes": WORKER_STALE_AFTER // dt.timedelta(minutes=1), "nav_key": "jobs",
    }  # fmt: skip
    return render(request, "jobs/runs.html", context)


@role_required(BUREAU_ROLES)
@require_POST
def run_retry(request: AuthedRequest, run_id: int, jobs: Sequence[JobSpec]) -> HttpResponse:
    assert request.user.county is not None
    run = job_run_get(county=request.user.county, run_id=run_id)
    if run is None:
        raise Http404("没有这次任务运行")
    try:
        job_run_retry(run=run, by=request.user)
    except JobError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "已安排重新运行，后台任务进程将在几秒内执行。")
    return redirect("jobs:runs")
