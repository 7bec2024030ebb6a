"""Sending the daily situation report: once per county and day (the scheduler's run or staff by hand),
and again only when staff choose to resend. The report row, its messages in the outbox and the audit
record are one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.audit.services import audit_record
from xinfang.directory.models import County
from xinfang.notifications.models import SmsMessage
from xinfang.notifications.services import SmsDraft, sms_queue
from xinfang.reports.daily import DailyDraft, Message, daily_draft
from xinfang.reports.models import DailyReport


def daily_topic(county: County, day: dt.date) -> str:
    return f"daily_report:{county.code}:{day.isoformat()}"


def _previous_cutoff(county: County, day: dt.date) -> dt.datetime | None:
    previous = DailyReport.objects.filter(county=county, date__lt=day).order_by("-date").first()
    return previous.cutoff if previous else None


def daily_report_preview(*, county: County, day: dt.date, now: dt.datetime | None = None) -> DailyDraft:
    """The day's messages: as sent when the report went out, or as they would be sent now."""
    report = DailyReport.objects.filter(county=county, date=day).first()
    if report is not None:
        return daily_draft(county=county, day=day, cutoff=report.cutoff, since=report.since)
    return daily_draft(
        county=county, day=day, cutoff=now or timezone.now(), since=_previous_cutoff(county, day)
    )


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
        try:
            with transaction.atomic():
                report = DailyReport.objects.create(
                    county=county, date=day, cutoff=now, since=_previous_cutoff(county, day), sent_by=by
                )
        except IntegrityError:  # the scheduler and a person at the same moment: one report
            report = DailyReport.objects.select_for_update().get(county=county, date=day)
            created = False
    draft = daily_draft(county=county, day=day, cutoff=report.cutoff, since=report.since)
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
    draft = daily_draft(county=report.county, day=report.date, cutoff=report.cutoff, since=report.since)
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
