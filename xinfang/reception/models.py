"""Leaders receiving petitioners (docs/reception.md): the months' schedules (接访排班) with their slots and
adjustments; the first-Tuesday draw and the leaders' visits down to the townships (下沉接访); the records of
receptions held, with the leaders who came and the matters received.
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


# ---------------------------------------------------------------------------------------------------------
# Down to the townships (下沉接访): the first-Tuesday draw and each leader's visit


class Draw(models.Model):
    """The draw of a county's month (下沉接访抽签): the six top leaders each draw a distinct township.

    Everything needed to recompute it is kept and published: the seed, the eligible townships with their
    weights in the order used, and the leaders in the order they drew (docs/reception.md, "The draw").
    """

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    month = models.DateField("月份", help_text="该月1日")
    date = models.DateField("下沉接访日期")
    seed = models.CharField("随机种子", max_length=128)
    method = models.CharField("算法", max_length=40, default="hmac-sha256-v1")
    eligible = models.JSONField("参与抽签的乡镇及权重", default=list)
    leaders = models.JSONField("抽签领导（按顺序）", default=list)
    drawn_at = models.DateTimeField("抽签时间")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="抽签人",
    )  # fmt: skip

    class Meta:
        verbose_name = "下沉接访抽签"
        verbose_name_plural = "下沉接访抽签"
        ordering: ClassVar = ["county", "month"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "month"], name="reception_draw_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month.year}年{self.month.month}月下沉接访抽签"


class DownVisit(models.Model):
    """A county leader going down to receive in a township on a day: drawn (the six top leaders), at the
    leader's liaison township on the first Tuesday, or planned by the bureau for the quarterly duty."""

    class Kind(models.TextChoices):
        DRAWN = "drawn", "抽签"
        LIAISON = "liaison", "分包联系乡镇"
        PLANNED = "planned", "计划下沉"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    date = models.DateField("日期")
    kind = models.CharField("方式", max_length=20, choices=Kind.choices)
    draw = models.ForeignKey(
        Draw, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name="抽签"
    )
    order = models.PositiveSmallIntegerField("抽签顺序", default=0)
    leader = models.ForeignKey(Leader, on_delete=models.PROTECT, related_name="+", verbose_name="县级领导")
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    liaison = models.ForeignKey(
        Leader, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="联系领导"
    )
    # As published: the directory may change later.
    name = models.CharField("县级领导姓名", max_length=30)
    post = models.CharField("职务", max_length=80, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("安排时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="安排人",
    )  # fmt: skip

    class Meta:
        verbose_name = "下沉接访安排"
        verbose_name_plural = "下沉接访安排"
        ordering: ClassVar = ["date", "order", "id"]
        indexes: ClassVar = [models.Index(fields=["county", "date"], name="reception_downvisit_day_idx")]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["leader", "date"], name="reception_downvisit_leader_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name} → {self.township}"


# ---------------------------------------------------------------------------------------------------------
# Records (接访记录): who received, where, and each matter received with its outcome


class Reception(models.Model):
    """One reception held (接访记录): on a day, at a place, by one or more leaders (either system)."""

    class Kind(models.TextChoices):
        CENTRE = "centre", "公开接访（接待中心）"
        WEDNESDAY = "wednesday", "公开接访（周三）"
        TOWNSHIP = "township", "公开接访（乡镇）"
        DOWN = "down", "下沉接访"

    OPEN_KINDS: ClassVar = (Kind.CENTRE, Kind.WEDNESDAY, Kind.TOWNSHIP)

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    date = models.DateField("接访日期")
    kind = models.CharField("接访类型", max_length=20, choices=Kind.choices)
    township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="接访乡镇"
    )
    place = models.CharField("地点", max_length=100)
    slot = models.ForeignKey(
        Slot, on_delete=models.SET_NULL, null=True, blank=True, related_name="receptions",
        verbose_name="接访安排",
    )  # fmt: skip
    down_visit = models.ForeignKey(
        DownVisit, on_delete=models.SET_NULL, null=True, blank=True, related_name="receptions",
        verbose_name="下沉接访安排",
    )  # fmt: skip
    note = models.CharField("说明", max_length=300, blank=True)
    imported = models.BooleanField("台账导入", default=False)
    recorded_at = models.DateTimeField("记录时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="记录人",
    )  # fmt: skip

    class Meta:
        verbose_name = "接访记录"
        verbose_name_plural = "接访记录"
        ordering: ClassVar = ["-date", "-id"]
        indexes: ClassVar = [models.Index(fields=["county", "date"], name="reception_record_day_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.place} {self.get_kind_display()}"

    @property
    def is_down(self) -> bool:
        return self.kind == self.Kind.DOWN


class Attendance(models.Model):
    """A leader at a reception (one 人次), or a leader scheduled who did not come (present false)."""

    reception = models.ForeignKey(
        Reception, on_delete=models.CASCADE, related_name="attendances", verbose_name="接访记录"
    )
    leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="县级领导"
    )
    official = models.ForeignKey(
        UnitOfficial, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="乡镇领导",
    )  # fmt: skip
    # As recorded: a historical ledger may name a leader the directory no longer holds.
    name = models.CharField("接访领导", max_length=30)
    post = models.CharField("职务", max_length=80, blank=True)
    present = models.BooleanField("到场", default=True)
    absence_reason = models.CharField("未到原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "接访领导"
        verbose_name_plural = "接访领导"
        ordering: ClassVar = ["reception", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(leader__isnull=True) | Q(official__isnull=True),
                name="reception_attendance_one_person",
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.present else f"{self.name}（未到）"


class ReceivedMatter(models.Model):
    """A matter received at a reception (one 起): its event (来访, registered through the petitions
    services), the leader who received it, the persons who came and the outcome."""

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "当场化解"
        ASSIGNED = "assigned", "交办"
        EXPLAINED = "explained", "解释答复"

    reception = models.ForeignKey(
        Reception, on_delete=models.PROTECT, related_name="matters", verbose_name="接访记录"
    )
    attendance = models.ForeignKey(
        Attendance, on_delete=models.PROTECT, null=True, blank=True, related_name="matters",
        verbose_name="接访领导",
    )  # fmt: skip
    matter = models.ForeignKey(
        "petitions.Matter", on_delete=models.PROTECT, related_name="+", verbose_name="信访事项"
    )
    event = models.OneToOneField(
        "petitions.Event", on_delete=models.PROTECT, related_name="reception_entry", verbose_name="信访批次"
    )
    persons = models.PositiveIntegerField("人数", default=1)
    outcome = models.CharField("处理结果", max_length=20, choices=Outcome.choices)

    class Meta:
        verbose_name = "接访事项"
        verbose_name_plural = "接访事项"
        ordering: ClassVar = ["reception", "id"]

    def __str__(self) -> str:
        return f"{self.reception} {self.get_outcome_display()}"
