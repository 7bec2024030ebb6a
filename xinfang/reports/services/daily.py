"""Sending the daily situation report: once per county and day (the scheduler's run or staff by hand),
and again only when staff choose to resend. The report row, its messages in the outbox and the audit
record are one transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.calendars.selectors import work_calendar
from xinfang.directory.models import County
from xinfang.lib.schedule import Rule, every_day, every_working_day
from xinfang.lib.workdays import UnknownYear
from xinfang.notifications.models import SmsMessage
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.reports.daily import DailyDraft, Message, daily_draft
from xinfang.reports.models import DailyReport


def daily_topic(county: County, day: dt.date) -> str:
    return f"daily_report:{county.code}:{day.isoformat()}"


def daily_report_days() -> Rule:
    """The days the report goes out (XINFANG_DAILY_REPORT_DAYS): working days, or every day."""
    return every_day() if settings.XINFANG_DAILY_REPORT_DAYS == "every" else every_working_day()


def _previous(county: County, day: dt.date) -> DailyReport | None:
    return DailyReport.objects.filter(county=county, date__lt=day).order_by("-date").first()


def report_first_day(county: County, day: dt.date) -> dt.date:
    """The first day the report of `day` covers: the day itself, and with reports on working days the
    rest days just before it (a holiday's visits are reported on the first working day after it, each
    day on its own), but none a previous report already covered. A year whose holidays are not entered
    yet is not guessed: the report covers its own day then."""
    first = day
    if settings.XINFANG_DAILY_REPORT_DAYS == "working":
        calendar = work_calendar()
        previous = _previous(county, day)
        floor = day - dt.timedelta(days=60)
        if previous is not None:
            floor = max(floor, previous.date + dt.timedelta(days=1))
        try:
            while first > floor and not calendar.is_workday(first - dt.timedelta(days=1)):
                first -= dt.timedelta(days=1)
        except UnknownYear:
            return day
    return first


def daily_report_preview(*, county: County, day: dt.date, now: dt.datetime | None = None) -> DailyDraft:
    """The day's messages: as sent when the report went out, or as they would be sent now."""
    report = DailyReport.objects.filter(county=county, date=day).first()
    if report is not None:
        return _draft(report)
    previous = _previous(county, day)
    return daily_draft(
        county=county, day=day, first_day=report_first_day(county, day), cutoff=now or timezone.now(),
        since=previous.cutoff if previous else None,
    )  # fmt: skip


def _draft(report: DailyReport) -> DailyDraft:
    """The report as it went out (reports sent before `first_day` was kept covered their own day)."""
    return daily_draft(
        county=report.county, day=report.date, first_day=report.first_day or report.date,
        cutoff=report.cutoff, since=report.since,
    )  # fmt: skip


def _drafts(draft: DailyDraft, messages: list[Message], suffix: str = "") -> list[SmsDraft]:
    topic = daily_topic(draft.county, draft.date)
    return [
        SmsDraft(
            recipient_key=message.recipient.key,
            recipient_name=message.recipient.name,
            mobile=message.recipient.mobile,
            template="daily_report",
            params={"content": message.text},
            dedupe_key=f"{topic}:{message.recipient.key}:{message.index}{suffix}",
            topic=topic,
        )
        for message in messages
    ]


@transaction.atomic
def daily_report_send(
    *, county: County, day: dt.date, by: User | None = None, now: dt.datetime | None = None
) -> tuple[DailyReport, int]:
    """Queue the day's report for every recipient who has not had it; returns the report and how many
    messages were queued. Sending again (a second run, a second click) reaches only recipients added
    since, such as a leader whose mobile was missing."""
    now = now or timezone.now()
    report = DailyReport.objects.select_for_update().filter(county=county, date=day).first()
    created = report is None
    if report is None:
        previous = _previous(county, day)
        try:
            with transaction.atomic():
                report = DailyReport.objects.create(
                    county=county, date=day, cutoff=now, since=previous.cutoff if previous else None,
                    first_day=report_first_day(county, day), sent_by=by,
                )  # fmt: skip
        except IntegrityError:  # the scheduler and a person at the same moment: one report
            report = DailyReport.objects.select_for_update().get(county=county, date=day)
            created = False
    draft = _draft(report)
    already = set(
        SmsMessage.objects.filter(topic=daily_topic(county, day)).values_list("recipient_key", flat=True)
    )
    messages = [message for message in draft.messages if message.recipient.key not in already]
    queued = sms_queue(county=county, drafts=_drafts(draft, messages))
    report.counts = draft.counts()
    report.recipients = len({message.recipient.key for message in draft.messages})
    report.save(update_fields=["counts", "recipients"])
    if created or queued:
        audit_record(
            action="report.daily_send", actor=by, obj=report, county=county,
            changes={"date": day.isoformat(), "messages": queued, "recipients": report.recipients},
        )  # fmt: skip
    return report, queued


@transaction.atomic
def daily_report_resend(*, report: DailyReport, by: User, recipient_key: str = "") -> int:
    """Send the report again, as it was, to one recipient or to all; every resend is audited."""
    draft = _draft(report)
    messages = [m for m in draft.messages if not recipient_key or m.recipient.key == recipient_key]
    topic = daily_topic(report.county, report.date)
    serial = SmsMessage.objects.filter(topic=topic, dedupe_key__contains=":resend").count() + 1
    queued = sms_queue(county=report.county, drafts=_drafts(draft, messages, suffix=f":resend{serial}"))
    audit_record(
        action="report.daily_resend", actor=by, obj=report, county=report.county,
        changes={"date": report.date.isoformat(), "messages": queued, "recipient": recipient_key or "全部"},
    )  # fmt: skip
    return queued


def daily_report_job(*, county: County, day: dt.date, now: dt.datetime) -> str:
    """The scheduler's run for the day: the report once, whatever the number of runs."""
    if DailyReport.objects.filter(county=county, date=day).exists():
        return "当日报告已发出，未重复发送"
    report, queued = daily_report_send(county=county, day=day, now=now)
    return f"已生成 {queued} 条短信，{report.recipients} 位收件人"
