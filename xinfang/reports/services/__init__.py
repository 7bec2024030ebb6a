"""The reports' actions, by report: `daily` (每日访情报告) and `weekly` (每周访情分析)."""

from xinfang.reports.services.daily import (
    daily_report_days,
    daily_report_job,
    daily_report_preview,
    daily_report_resend,
    daily_report_send,
    daily_topic,
    report_first_day,
)

__all__ = [
    "daily_report_days",
    "daily_report_job",
    "daily_report_preview",
    "daily_report_resend",
    "daily_report_send",
    "daily_topic",
    "report_first_day",
]
