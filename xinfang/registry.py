"""The task registry: every worker task and every scheduled job, listed once, by import.

It sits at the top beside the settings, the URLs and the CLI because it imports the apps whose work the
worker does; the mechanisms it drives sit below (the worker loop in `core/worker.py`, the queue claim in
`core/claims.py`, the scheduler in `jobs/`). A new task or job is one line here and a function in its app.
"""

from __future__ import annotations

from functools import partial

from xinfang.accounts.services import login_guards_purge
from xinfang.audit.services import audit_purge_due
from xinfang.core.ratelimit import rate_counters_purge
from xinfang.core.worker import Task
from xinfang.dashboard.snapshot import dashboard_snapshot_job
from xinfang.jobs.schedule import JobSpec
from xinfang.jobs.services import scheduler_tick
from xinfang.ledger.uploads import ledger_work_next
from xinfang.lib.schedule import every_day, every_working_day
from xinfang.meetings.services import meeting_remind_days, meeting_remind_job
from xinfang.notifications.services import sms_dispatch_due
from xinfang.ownership.services import batch_draft_job
from xinfang.petitions.closing import review_windows_job
from xinfang.petitions.warnings import deadline_warnings_job
from xinfang.reception.downvisits import downvisit_draw_days, downvisit_draw_job
from xinfang.reception.duty import duty_warning_days, duty_warnings_job
from xinfang.reception.services import reception_generate_days, reception_schedules_job
from xinfang.reports.services import daily_report_days, daily_report_job
from xinfang.reports.services.monthly import monthly_report_days, monthly_report_job
from xinfang.reports.services.weekly import weekly_report_days, weekly_report_job
from xinfang.scoring.services import (
    competition_draft_days,
    competition_draft_job,
    competition_refresh_days,
    competition_refresh_job,
)
from xinfang.stats.hotspots import hotspot_warnings_job
from xinfang.stats.kpi_facts import facts_work
from xinfang.supervision.summary_issue import progress_summary_days, progress_summary_job
from xinfang.supervision.warnings import supervision_warnings_job

# Scheduled jobs: a run per (job, county, period) on the county's working calendar, at the time the
# named setting holds.
JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "dashboard_snapshot", "态势快照", every_day(), "XINFANG_DASHBOARD_SNAPSHOT_TIME",
        dashboard_snapshot_job,
    ),
    JobSpec(
        "deadline_warnings", "到期预警短信", every_working_day(), "XINFANG_DEADLINE_WARNING_TIME",
        deadline_warnings_job,
    ),
    JobSpec(
        "supervision_warnings", "督办到期预警短信", every_working_day(), "XINFANG_DEADLINE_WARNING_TIME",
        supervision_warnings_job,
    ),
    JobSpec(
        "hotspot_warnings", "热点预警短信", every_working_day(), "XINFANG_HOTSPOT_WARNING_TIME",
        hotspot_warnings_job,
    ),
    JobSpec(
        "review_windows", "复查期限届满办结", every_working_day(), "XINFANG_REVIEW_WINDOW_TIME",
        review_windows_job,
    ),
    JobSpec(
        "daily_report", "每日访情报告", daily_report_days(), "XINFANG_DAILY_REPORT_TIME",
        daily_report_job,
    ),
    JobSpec(
        "weekly_report", "每周访情分析起草", weekly_report_days(), "XINFANG_WEEKLY_REPORT_TIME",
        weekly_report_job,
    ),
    JobSpec(
        "monthly_report", "月信访形势分析起草", monthly_report_days(), "XINFANG_MONTHLY_REPORT_TIME",
        monthly_report_job,
    ),
    JobSpec(
        "ownership_draft", "领导包案候选起草", weekly_report_days(), "XINFANG_OWNERSHIP_DRAFT_TIME",
        batch_draft_job,
    ),
    JobSpec(
        "progress_summary", "督办办理情况汇总", progress_summary_days(), "XINFANG_PROGRESS_SUMMARY_TIME",
        progress_summary_job,
    ),
    JobSpec(
        "reception_schedules", "下月领导接访排班生成", reception_generate_days(),
        "XINFANG_RECEPTION_GENERATE_TIME", reception_schedules_job,
    ),
    JobSpec(
        "duty_warnings", "季度下沉接访提醒短信", duty_warning_days(), "XINFANG_DUTY_WARN_TIME",
        duty_warnings_job,
    ),
    JobSpec(
        "downvisit_draw", "下沉接访抽签", downvisit_draw_days(), "XINFANG_DOWNVISIT_DRAW_TIME",
        downvisit_draw_job,
    ),
    JobSpec(
        "competition_draft", "季度比拼结果起草", competition_draft_days(), "XINFANG_SCORING_DRAFT_TIME",
        competition_draft_job,
    ),
    JobSpec(
        "competition_refresh", "未公布比拼结果与村级星级否决重算", competition_refresh_days(),
        "XINFANG_SCORING_REFRESH_TIME", competition_refresh_job,
    ),
    JobSpec(
        "meeting_remind", "联席会议提醒短信", meeting_remind_days(), "XINFANG_MEETING_REMIND_TIME",
        meeting_remind_job,
    ),
)  # fmt: skip

# Worker tasks, one round each per worker loop, in this order.
TASKS: tuple[Task, ...] = (
    Task("scheduler", partial(scheduler_tick, jobs=JOBS)),
    Task("audit_purge", audit_purge_due),
    # Ledger files come from outside: each check or import runs in a child process under a memory limit.
    Task("ledger_imports", ledger_work_next, isolated=True),
    Task("sms_outbox", sms_dispatch_due),
    Task("rate_counters_purge", rate_counters_purge),
    Task("login_guards_purge", login_guards_purge),
    # The KPI roll-up's backlog after a change of calendar or rule profile (or a migration): a batch a round.
    Task("kpi_facts", facts_work),
)
