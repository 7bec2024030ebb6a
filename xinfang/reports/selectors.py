"""Reads for the report pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from xinfang.directory.models import County
from xinfang.notifications.models import SmsMessage
from xinfang.reports.models import DailyReport
from xinfang.reports.services import daily_topic


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
