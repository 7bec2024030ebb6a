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


class AnalysisReport(models.Model):
    """What the weekly and the monthly analyses share: an issue drafted by the worker (or staff on demand),
    edited by staff and approved by the bureau head, which numbers and archives it (`document`) with the
    figures frozen then."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已印发"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    date_from = models.DateField("起始日期")
    date_to = models.DateField("截止日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    figures = models.JSONField("访情数字", default=dict)  # as drafted; the issued figures are the document's
    figures_at = models.DateTimeField("统计时间")
    analysis = models.TextField("分析研判", blank=True)
    suggestions = models.TextField("意见建议", blank=True)
    drafted_at = models.DateTimeField("起草时间")
    # None: the worker's draft (the weekly's on Monday, the monthly's after the month closed).
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="起草人",
    )  # fmt: skip
    edited_at = models.DateTimeField("修改时间", null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="修改人",
    )  # fmt: skip
    document = models.OneToOneField(
        "documents.IssuedDocument", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="印发文件",
    )  # fmt: skip

    kind: ClassVar[str]  # the subclass's name in audit actions (`<kind>.edit`) and URL names

    class Meta:
        abstract = True


class WeeklyReport(AnalysisReport):
    """每周访情分析: a week's issue."""

    kind: ClassVar[str] = "weekly"  # its audit actions (weekly.draft…) and URL names (reports:weekly_issue…)

    class Meta:
        verbose_name = "每周访情分析"
        verbose_name_plural = "每周访情分析"
        ordering: ClassVar = ["-date_from"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "date_from"], name="weekly_report_once_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.date_from:%Y-%m-%d}至{self.date_to:%Y-%m-%d} 每周访情分析"


class MonthlyReport(AnalysisReport):
    """月信访形势分析: a statistical month's issue (docs/monthly-report.md)."""

    kind: ClassVar[str] = "monthly"

    month = models.CharField("统计月", max_length=7)  # "2026-03", a lib.periods.Month
    # date_from, date_to: the month's days under the start day in force when drafted
    # (XINFANG_MONTH_START_DAY).
    analysis = models.TextField("形势研判", blank=True)
    suggestions = models.TextField("下一步工作", blank=True)

    class Meta:
        verbose_name = "月信访形势分析"
        verbose_name_plural = "月信访形势分析"
        ordering: ClassVar = ["-month"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "month"], name="monthly_report_once_per_month")
        ]

    def __str__(self) -> str:
        year, month = self.month.split("-")
        return f"{year}年{int(month)}月信访形势分析"
