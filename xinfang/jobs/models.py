"""Runs of the scheduled jobs: one row per (job, county, period), so a run is never done twice."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from xinfang.directory.models import County


class JobRun(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待运行"
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        # Failed: retried at next_attempt_at; with no next attempt it has given up.
        FAILED = "failed", "失败"

    job = models.CharField("任务", max_length=40)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    period = models.DateField("所属日期")
    planned_at = models.DateTimeField("计划时间")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    claimed_by = models.CharField("执行进程", max_length=100, blank=True)
    claimed_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    result = models.CharField("结果", max_length=300, blank=True)
    last_error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "定时任务运行"
        verbose_name_plural = "定时任务运行"
        ordering: ClassVar = ["-planned_at", "job"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["job", "county", "period"], name="job_run_once_per_period")
        ]
        indexes: ClassVar = [models.Index(fields=["state", "next_attempt_at"], name="job_run_due_idx")]

    def __str__(self) -> str:
        return f"{self.job} {self.county_id} {self.period}"
