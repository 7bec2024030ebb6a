"""The three reports (SPEC §5). The daily situation report is a row per county and day: it exists
once the day's messages are queued, so the day is never reported twice."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from xinfang.directory.models import County


class DailyReport(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    date = models.DateField("报告日期")
    # Events registered up to `cutoff` are in this report; those of earlier days registered after the
    # previous report's cutoff (`since`) are its 补报. Stored, so the report reads the same later.
    cutoff = models.DateTimeField("截止时间")
    # The first day it covers: its date, or (reports on working days) the first of the rest days before.
    first_day = models.DateField("覆盖起始日", null=True, blank=True)
    since = models.DateTimeField("补报起点", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="发送人",
    )  # fmt: skip
    counts = models.JSONField("访情数字", default=dict)
    recipients = models.PositiveIntegerField("收件人数", default=0)

    class Meta:
        verbose_name = "每日访情报告"
        verbose_name_plural = "每日访情报告"
        ordering: ClassVar = ["-date"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "date"], name="daily_report_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 每日访情报告"
