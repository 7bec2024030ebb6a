"""The bureau's own entries in the official calendar, for years the library does not know yet."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class CalendarDay(models.Model):
    """One day declared a working day (调休上班) or a holiday, overriding the library."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("工作日")
    note = models.CharField("说明", max_length=100, blank=True)
    updated_at = models.DateTimeField("录入时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="录入人",
    )  # fmt: skip

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering: ClassVar = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_workday else '放假'} {self.note}".strip()


class ClosedYear(models.Model):
    """A year whose holiday arrangement has been fully entered: working days may be computed."""

    year = models.PositiveIntegerField("年份", unique=True)
    closed_at = models.DateTimeField("确认时间", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="确认人",
    )  # fmt: skip

    class Meta:
        verbose_name = "已确认年份"
        verbose_name_plural = "已确认年份"
        ordering: ClassVar = ["year"]

    def __str__(self) -> str:
        return str(self.year)
