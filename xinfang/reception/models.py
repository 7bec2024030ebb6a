"""Leaders' reception schedules (接访排班, docs/reception.md): a county's month, its slots, their adjustments.

Later parts of issue 17 add to this app: a reception record references the slot it fulfils, and the
down-to-township draw gets its own rows beside the schedule.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.directory.models import County, Leader, Unit, UnitOfficial


class Schedule(models.Model):
    """One county's schedule of a month (both levels): generated as a draft, published by the bureau head."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已公布"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    month = models.DateField("月份", help_text="该月1日")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    wednesday_mode = models.CharField("周三接访方式", max_length=20, default="all")
    generated_at = models.DateTimeField("生成时间")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="生成人",
    )  # fmt: skip
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="公布人",
    )  # fmt: skip

    class Meta:
        verbose_name = "接访排班"
        verbose_name_plural = "接访排班"
        ordering: ClassVar = ["county", "month"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "month"], name="reception_schedule_one_per_month"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月领导接访排班"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class Slot(models.Model):
    """One leader receiving on one day: a county leader at the centre, or a township's official."""

    class Level(models.TextChoices):
        COUNTY = "county", "县级"
        TOWNSHIP = "township", "乡镇"

    class Kind(models.TextChoices):
        DAILY = "daily", "县级领导轮值"
        WEDNESDAY = "wednesday", "周三四大班子主要领导"
        MONDAY = "monday", "周一主要领导"
        ROTATION = "rotation", "班子成员轮值"

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="slots", verbose_name="排班"
    )
    date = models.DateField("日期")
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="乡镇"
    )
    leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="县级领导"
    )
    official = models.ForeignKey(
        UnitOfficial,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="乡镇领导",
    )
    # The name and post as published: the directory may change later, a posted sheet does not.
    name = models.CharField("接访领导", max_length=30)
    post = models.CharField("职务", max_length=80, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    adjusted = models.BooleanField("已调整", default=False)

    class Meta:
        verbose_name = "接访安排"
        verbose_name_plural = "接访安排"
        ordering: ClassVar = ["date", "level", "unit__order", "unit_id", "id"]
        indexes: ClassVar = [models.Index(fields=["schedule", "date"], name="reception_slot_day_idx")]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(level="county", unit__isnull=True, official__isnull=True, leader__isnull=False)
                | Q(level="township", unit__isnull=False, leader__isnull=True, official__isnull=False),
                name="reception_slot_level_matches",
            ),
        ]

    def __str__(self) -> str:
        where = self.unit.name if self.unit_id and self.unit else "县级"
        return f"{self.date} {where} {self.name}"


class Adjustment(models.Model):
    """A change of a published slot (调整), with its reason: the public page marks the slot 已调整."""

    slot = models.ForeignKey(
        Slot, on_delete=models.CASCADE, related_name="adjustments", verbose_name="接访安排"
    )
    before = models.CharField("调整前", max_length=120)
    after = models.CharField("调整后", max_length=120)
    reason = models.CharField("调整原因", max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="调整人"
    )
    at = models.DateTimeField("调整时间")

    class Meta:
        verbose_name = "排班调整"
        verbose_name_plural = "排班调整"
        ordering: ClassVar = ["slot", "at", "id"]

    def __str__(self) -> str:
        return f"{self.before} → {self.after}"
