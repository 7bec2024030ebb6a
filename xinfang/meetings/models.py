"""The monthly joint meeting (信访工作联席会议, SPEC §7.1): the meeting of a month, its attendees, its agenda
(the screened matters, adjusted by the bureau with reasons) and, per matter, the owning leader's report
and the decided resolution plan (化解方案). The minutes (会议纪要) are an issued document (`documents`);
each decision becomes a supervision item (`supervision`) when the bureau head approves them.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.directory.models import County, Leader, Unit, UnitOfficial
from xinfang.documents.models import DocumentCopy, IssuedDocument
from xinfang.petitions.models import Matter
from xinfang.supervision.models import SupervisionItem


class Meeting(models.Model):
    """The meeting that takes up the hard matters of `month` (the month screened), held on `held_on`."""

    class State(models.TextChoices):
        PLANNED = "planned", "筹备中"
        APPROVED = "approved", "纪要已印发"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    month = models.CharField("筛选月份", max_length=7)  # "YYYY-MM"
    held_on = models.DateField("会议日期")
    place = models.CharField("会议地点", max_length=100, blank=True)
    chair = models.ForeignKey(
        Leader, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主持人"
    )
    leaders = models.ManyToManyField(Leader, blank=True, related_name="+", verbose_name="参会县级领导")
    officials = models.ManyToManyField(
        UnitOfficial, blank=True, related_name="+", verbose_name="参会单位负责人"
    )
    qualifying = models.PositiveIntegerField("符合条件事项数", default=0)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PLANNED)
    document = models.OneToOneField(
        IssuedDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="会议纪要",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="审定人",
    )  # fmt: skip
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)

    class Meta:
        verbose_name = "联席会议"
        verbose_name_plural = "联席会议"
        ordering: ClassVar = ["-month", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "month"], name="one_meeting_per_month"),
        ]

    def __str__(self) -> str:
        return f"联席会议{self.month}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("meetings:detail", args=[self.pk])

    @property
    def label(self) -> str:
        year, month = self.month.split("-")
        return f"{year}年{int(month)}月"


class Screening(models.Model):
    """A month's screening as stored (issue 20): computed once after the month closes (the worker, or the
    bureau's 重新筛选 with the data as they stand then), so that no page computes it. `as_of` is what the
    scores measure (the day after the month); `computed_at` when, from the data of that moment."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    month = models.CharField("筛选月份", max_length=7)  # "YYYY-MM"
    as_of = models.DateField("计分截止")
    computed_at = models.DateTimeField("筛选时间")
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="筛选人",
    )  # fmt: skip  # None: the worker
    qualifying = models.PositiveIntegerField("符合条件事项数", default=0)
    weights = models.JSONField("权重", default=dict)

    class Meta:
        verbose_name = "联席会议候选筛选"
        verbose_name_plural = "联席会议候选筛选"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "month"], name="one_screening_per_month"),
        ]

    def __str__(self) -> str:
        return f"联席会议候选筛选{self.month}"


class ScreenedMatter(models.Model):
    """One of the best AGENDA_MAX of a stored screening, as `screening.screen` ranked it: the number and
    owner as they were shown, the score, each factor's points and the evidence its reasons are read from."""

    screening = models.ForeignKey(
        Screening, on_delete=models.CASCADE, related_name="candidates", verbose_name="筛选"
    )
    rank = models.PositiveSmallIntegerField("名次")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+", verbose_name="信访事项")
    number = models.CharField("登记编号", max_length=40)
    score = models.DecimalField("筛选得分", max_digits=8, decimal_places=1)
    factors = models.JSONField("各因素得分", default=dict)
    evidence = models.JSONField("筛选依据", default=dict)
    owner = models.CharField("包案领导", max_length=30, blank=True)

    class Meta:
        verbose_name = "联席会议候选事项"
        verbose_name_plural = "联席会议候选事项"
        ordering: ClassVar = ["screening", "rank"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["screening", "rank"], name="one_screened_matter_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.screening}#{self.rank}"


class AgendaItem(models.Model):
    """A matter on the agenda: proposed by the screening (its score and factors frozen when listed) or added
    by the bureau with a reason; removed ones stay, with the reason, and are not discussed. The decision
    fields are filled in during the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name="会议")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+", verbose_name="信访事项")
    score = models.DecimalField("筛选得分", max_digits=8, decimal_places=1, default=0)
    factors = models.JSONField("各因素得分", default=dict)
    reasons = models.JSONField("筛选依据", default=list)
    added = models.BooleanField("人工列入", default=False)
    add_reason = models.CharField("列入理由", max_length=200, blank=True)
    removed = models.BooleanField("已移出", default=False)
    remove_reason = models.CharField("移出理由", max_length=200, blank=True)
    order = models.PositiveIntegerField("序号", default=0)
    report = models.TextField("包案领导汇报", blank=True)
    plan = models.TextField("化解方案", blank=True)
    leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任领导"
    )
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name="责任单位")
    deadline = models.DateField("化解期限", null=True, blank=True)
    tasks = models.TextField("工作要求", blank=True)
    decided_at = models.DateTimeField("记录时间", null=True, blank=True)
    supervision = models.OneToOneField(
        SupervisionItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="督办事项",
    )  # fmt: skip

    class Meta:
        verbose_name = "会议议题"
        verbose_name_plural = "会议议题"
        ordering: ClassVar = ["meeting", "removed", "order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "matter"], name="one_agenda_item_per_matter"),
            models.CheckConstraint(
                condition=Q(removed=False) | ~Q(remove_reason=""), name="removal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}议题#{self.pk}"

    @property
    def decided(self) -> bool:
        return self.decided_at is not None


class MinutesCopy(models.Model):
    """The minutes sent to an attending unit head: the archived copy that leaves out the matters that report
    their unit or them (Art. 46). County leaders get theirs as `documents.Delivery`."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="copies", verbose_name="会议")
    official = models.ForeignKey(
        UnitOfficial, on_delete=models.PROTECT, related_name="+", verbose_name="单位负责人"
    )
    copy = models.ForeignKey(
        DocumentCopy, on_delete=models.PROTECT, related_name="+", verbose_name="文件版本"
    )
    sent_at = models.DateTimeField("报送时间")

    class Meta:
        verbose_name = "会议纪要报送"
        verbose_name_plural = "会议纪要报送"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "official"], name="one_minutes_copy_per_official"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} → {self.official_id}"
