"""Reads for the report pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.http import Http404

from xinfang.accounts.models import User
from xinfang.core.roles import BUREAU_ROLES, Role
from xinfang.directory.models import County
from xinfang.notifications.models import SmsMessage
from xinfang.reports.models import DailyReport, MonthlyReport, WeeklyReport
from xinfang.reports.services import daily_topic
from xinfang.supervision.models import SupervisionItem


def daily_report_get(*, county: County, day: dt.date) -> DailyReport | None:
    return DailyReport.objects.filter(county=county, date=day).select_related("sent_by").first()


def daily_deliveries(*, county: County, day: dt.date) -> dict[str, list[SmsMessage]]:
    """The day's report messages per recipient key, resends included, oldest first."""
    deliveries: dict[str, list[SmsMessage]] = defaultdict(list)
    for message in SmsMessage.objects.filter(topic=daily_topic(county, day)).order_by("created_at", "id"):
        deliveries[message.recipient_key].append(message)
    return dict(deliveries)


def daily_reports_recent(*, county: County, limit: int = 15) -> list[DailyReport]:
    return list(DailyReport.objects.filter(county=county).select_related("sent_by")[:limit])


def weekly_reports(*, county: County, year: int) -> list[WeeklyReport]:
    """The year's issues and drafts (by the week's last day), newest first."""
    reports = WeeklyReport.objects.filter(county=county, date_to__year=year)
    return list(reports.select_related("document", "drafted_by"))


def weekly_years(*, county: County) -> list[int]:
    dates = WeeklyReport.objects.filter(county=county).dates("date_to", "year", order="DESC")
    return [day.year for day in dates]


def weekly_get_for_user(*, user: User, report_id: int) -> WeeklyReport:
    """An issue of the user's county: the bureau sees drafts and issues, the main leaders issues (where
    they write their 批示); other leaders read the issued document in their copy, on the documents pages."""
    report = WeeklyReport.objects.select_related("county", "document").filter(pk=report_id).first()
    if report is None or report.county_id != user.county_id:
        raise Http404
    if user.role in BUREAU_ROLES or (user.role == Role.MAIN_LEADER and report.document_id is not None):
        return report
    raise Http404


def weekly_instructions(*, report: WeeklyReport, omit: frozenset[str] = frozenset()) -> list[SupervisionItem]:
    """The 批示 written on the issue and its key matters, each a supervision item, oldest first; none on a
    matter in `omit` (those the reader's copy leaves out: they report the reader, Art. 46)."""
    items = SupervisionItem.objects.filter(
        county=report.county, source_kind=SupervisionItem.SourceKind.WEEKLY, source_id=report.pk
    ).exclude(matter__number__in=sorted(omit))
    return list(
        items.select_related("matter", "instructed_by", "leader").prefetch_related("units").order_by("id")
    )


def monthly_reports(*, county: County, year: int) -> list[MonthlyReport]:
    """The year's monthly issues and drafts (by the month's name), newest first."""
    reports = MonthlyReport.objects.filter(county=county, month__startswith=f"{year:04d}-")
    return list(reports.select_related("document", "drafted_by"))


def monthly_years(*, county: County) -> list[int]:
    months = MonthlyReport.objects.filter(county=county).values_list("month", flat=True)
    return sorted({int(month[:4]) for month in months}, reverse=True)


def monthly_get_for_user(*, user: User, report_id: int) -> MonthlyReport:
    """A monthly issue of the user's county: the bureau sees drafts and issues, the main leaders issues;
    the standing-committee members read the issued document in their copy, on the documents pages."""
    report = MonthlyReport.objects.select_related("county", "document").filter(pk=report_id).first()
    if report is None or report.county_id != user.county_id:
        raise Http404
    if user.role in BUREAU_ROLES or (user.role == Role.MAIN_LEADER and report.document_id is not None):
        return report
    raise Http404
