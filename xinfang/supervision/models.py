"""督办: supervision items, their progress reports and the bureau's decisions on them.

An item comes from a source in another app (a weekly analysis's 批示, a joint meeting's decision), named
here by kind, id, title and link so that this app imports none of them. Its state is 待办, 办理中 or
已办结; 超期 is not stored but read: an item not done whose deadline has passed (`display_state`,
`with_display_state`).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, QuerySet, Value, When

from xinfang.core.models import Attachment
from xinfang.directory.models import County, Leader, Unit
from xinfang.petitions.models import Matter

OVERDUE = "overdue"
OVERDUE_LABEL = "超期"


class SupervisionItem(models.Model):
    class SourceKind(models.TextChoices):
        WEEKLY = "weekly", "每周访情分析批示"
        MEETING = "meeting", "联席会议决定"

    class State(models.TextChoices):
        TODO = "todo", "待办"
        IN_PROGRESS = "in_progress", "办理中"
        DONE = "done", "已办结"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    source_kind = models.CharField("来源", max_length=20, choices=SourceKind.choices)
    source_id = models.PositiveBigIntegerField("来源编号")
    source_title = models.CharField("来源名称", max_length=200)
    source_url = models.CharField("来源链接", max_length=300, blank=True)
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="supervision_items",
        verbose_name="信访事项",
    )  # fmt: skip
    instruction = models.TextField("批示内容")
    instructed_by = models.ForeignKey(
        Leader, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="批示领导"
    )
    instructed_at = models.DateField("批示日期")
    # A paper instruction recorded by the bureau on the leader's behalf, with its scan.
    on_paper = models.BooleanField("纸质批示代录", default=False)
    scan = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="批示扫描件",
    )
    leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, related_name="supervision_items", verbose_name="牵头领导"
    )
    units = models.ManyToManyField(
        Unit, blank=True, related_name="supervision_items", verbose_name="责任单位"
    )
    deadline = models.DateField("办理期限")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.TODO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间")
    # Kept by the services: the newest progress report and the bureau's newest decision. An item in
    # progress with a report newer than the last decision waits for the bureau (待验收).
    last_progress_at = models.DateTimeField("最近报送时间", null=True, blank=True)
    last_review_at = models.DateTimeField("最近验收时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="验收人",
    )  # fmt: skip

    class Meta:
        verbose_name = "督办事项"
        verbose_name_plural = "督办事项"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(on_paper=False) | Q(scan__isnull=False), name="paper_has_scan"
            ),
            models.CheckConstraint(
                condition=Q(state="done", closed_at__isnull=False)
                | (~Q(state="done") & Q(closed_at__isnull=True)),
                name="done_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["todo", "in_progress", "done"]), name="item_state_valid"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["county", "state", "deadline"], name="supervision_state_idx"),
            models.Index(fields=["leader", "state", "deadline"], name="supervision_leader_idx"),
            models.Index(fields=["county", "closed_at"], name="supervision_closed_idx"),
        ]

    def __str__(self) -> str:
        return f"督办#{self.pk}"  # audit records name it so: never the instruction's text

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("supervision:detail", args=[self.pk])

    def display_state_on(self, today: dt.date) -> str:
        """The state as lists show it: 超期 (`OVERDUE`) for an item not done whose deadline has passed."""
        if self.state != self.State.DONE and self.deadline < today:
            return OVERDUE
        return self.state

    @property
    def display_state(self) -> str:
        from django.utils import timezone

        return self.display_state_on(timezone.localdate())

    @property
    def display_state_label(self) -> str:
        return state_label(self.display_state)

    @property
    def awaiting_review(self) -> bool:
        """A report newer than the bureau's last decision on an item in progress (待验收)."""
        return (
            self.state == self.State.IN_PROGRESS
            and self.last_progress_at is not None
            and (self.last_review_at is None or self.last_progress_at > self.last_review_at)
        )


def state_label(state: str) -> str:
    return OVERDUE_LABEL if state == OVERDUE else str(SupervisionItem.State(state).label)


def overdue_q(today: dt.date) -> Q:
    return ~Q(state=SupervisionItem.State.DONE) & Q(deadline__lt=today)


def awaiting_q() -> Q:
    return Q(state=SupervisionItem.State.IN_PROGRESS, last_progress_at__isnull=False) & (
        Q(last_review_at__isnull=True) | Q(last_progress_at__gt=F("last_review_at"))
    )


def with_display_state(items: QuerySet[SupervisionItem], today: dt.date) -> QuerySet[SupervisionItem]:
    """`items` with `shown_state`: the stored state, or `OVERDUE` for one not done past its deadline."""
    return items.annotate(
        shown_state=Case(
            When(overdue_q(today), then=Value(OVERDUE)), default=F("state"), output_field=models.CharField()
        )
    )


class SupervisionProgress(models.Model):
    """A progress report (办理进展): by a responsible unit, the responsible leader (no unit) or the bureau
    on their behalf."""

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="progress", verbose_name="督办事项"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="报送单位"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="报送人"
    )
    date = models.DateField("办理日期")
    text = models.TextField("办理情况")
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="+", verbose_name="附件")
    created_at = models.DateTimeField("报送时间")

    class Meta:
        verbose_name = "督办进展"
        verbose_name_plural = "督办进展"
        ordering: ClassVar = ["item", "created_at", "id"]
        indexes: ClassVar = [models.Index(fields=["item", "-created_at"], name="supervision_progress_idx")]

    def __str__(self) -> str:
        return f"督办#{self.item_id}进展#{self.pk}"


class SupervisionReview(models.Model):
    """The bureau's decision on an item's progress: accepted as done (验收办结) or sent back (退回)."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", "验收办结"
        RETURN = "return", "退回"

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="reviews", verbose_name="督办事项"
    )
    decision = models.CharField("决定", max_length=20, choices=Decision.choices)
    note = models.TextField("意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="验收人"
    )
    decided_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "督办验收"
        verbose_name_plural = "督办验收"
        ordering: ClassVar = ["item", "decided_at", "id"]

    def __str__(self) -> str:
        return f"督办#{self.item_id}{self.get_decision_display()}"
