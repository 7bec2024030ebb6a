"""领导包案 (SPEC §6.3): the weekly batches (期) of matters that need a county leader, the five 包 each
owner works through, owner meetings with petitioners (见面约谈), closing an owned case (销号) and the
units' requests to escalate a matter to a county leader.

Ownership itself (who owns a matter now, and who did before) is `petitions.Ownership`: the scope of a
leader's account reads it. This app links to it and never changes it except through
`petitions.services.ownership`.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.core.models import Attachment
from xinfang.directory.models import County, Leader, Unit
from xinfang.documents.models import IssuedDocument
from xinfang.petitions.models import Matter, Ownership


class Batch(models.Model):
    """第N期: the matters handed to county leaders together. Drafted by the worker each week (or by the
    bureau), numbered when issued (per county and year, gapless, the number of its archived document),
    or imported from a ledger's 包案期次 column with the number the ledger gives."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已印发"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    number = models.PositiveIntegerField("期次", null=True, blank=True)
    # The week whose events proposed the candidates (a draft made by hand has none).
    week_from = models.DateField("候选周起", null=True, blank=True)
    week_to = models.DateField("候选周止", null=True, blank=True)
    imported = models.BooleanField("历史导入", default=False)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="印发人",
    )  # fmt: skip
    document = models.OneToOneField(
        IssuedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="文件"
    )
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="创建人",
    )  # fmt: skip

    class Meta:
        verbose_name = "包案期次"
        verbose_name_plural = "包案期次"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["county", "year", "number"], condition=Q(number__isnull=False), name="batch_number"
            ),
            # The worker drafts a week once, however often it runs.
            models.UniqueConstraint(
                fields=["county", "week_from"], condition=Q(week_from__isnull=False), name="batch_week"
            ),
            models.CheckConstraint(
                condition=Q(state="draft")
                | Q(number__isnull=False, year__isnull=False, issued_on__isnull=False),
                name="batch_issued_numbered",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["county", "state", "issued_on"], name="batch_issued_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.number is None:
            return f"包案草稿（{self.week_from:%Y-%m-%d}起一周）" if self.week_from else "包案草稿"
        return f"{self.year}年第{self.number}期"


class BatchEntry(models.Model):
    """A matter of a batch: why it was proposed, the suggested owner and why, the owner chosen (and why,
    when not the suggestion), the deadline, and once issued the ownership it started."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="entries", verbose_name="期次")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+", verbose_name="信访事项")
    reasons = models.JSONField("提请理由", default=list)  # Chinese sentences, the most serious first
    suggested_leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="建议包案领导"
    )
    suggestion = models.CharField("建议理由", max_length=300, blank=True)
    leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="包案领导"
    )
    choice_reason = models.CharField("改派理由", max_length=300, blank=True)
    deadline = models.DateField("化解期限", null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="加入人",
    )  # fmt: skip
    ownership = models.OneToOneField(
        Ownership, on_delete=models.PROTECT, null=True, blank=True, related_name="batch_entry",
        verbose_name="包案",
    )  # fmt: skip

    class Meta:
        verbose_name = "包案事项"
        verbose_name_plural = "包案事项"
        ordering: ClassVar = ["batch", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["batch", "matter"], name="batch_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.matter.number}"


class Package(models.TextChoices):
    """The five 包 (五包) an owner works through."""

    GRASP = "grasp", "包掌握情况"
    SOLVE = "solve", "包解决问题"
    EDUCATE = "educate", "包教育转化"
    STABILISE = "stabilise", "包稳控管理"
    LAW = "law", "包依法处置"


class PackageEntry(models.Model):
    """What was done for one of the five 包 of an owned matter. A 包 is 未开展 without entries, 已完成 once an
    entry says so, 进行中 between."""

    ownership = models.ForeignKey(
        Ownership, on_delete=models.PROTECT, related_name="package_entries", verbose_name="包案"
    )
    package = models.CharField("五包", max_length=20, choices=Package.choices)
    date = models.DateField("日期")
    content = models.TextField("工作内容")
    completes = models.BooleanField("本项已完成", default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    at = models.DateTimeField("填报时间")
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="+", verbose_name="附件")

    class Meta:
        verbose_name = "五包记录"
        verbose_name_plural = "五包记录"
        ordering: ClassVar = ["ownership", "date", "id"]

    def __str__(self) -> str:
        return f"{self.get_package_display()} {self.date}"


class OwnerMeeting(models.Model):
    """见面约谈: the owning leader meets the petitioner(s)."""

    ownership = models.ForeignKey(
        Ownership, on_delete=models.PROTECT, related_name="meetings", verbose_name="包案"
    )
    date = models.DateField("约谈日期")
    place = models.CharField("地点", max_length=100)
    attendees = models.CharField("参加人员", max_length=500)
    agreed = models.TextField("约谈结果")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    at = models.DateTimeField("记录时间")
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="+", verbose_name="附件")

    class Meta:
        verbose_name = "见面约谈"
        verbose_name_plural = "见面约谈"
        ordering: ClassVar = ["ownership", "date", "id"]

    def __str__(self) -> str:
        return f"约谈 {self.date}"


class Closure(models.Model):
    """销号: the owner (or the bureau for them) asks to close an owned case whose five 包 are filled; the
    bureau confirms (the ownership ends) or sends it back."""

    class State(models.TextChoices):
        REQUESTED = "requested", "待确认"
        CONFIRMED = "confirmed", "已销号"
        RETURNED = "returned", "已退回"

    ownership = models.ForeignKey(
        Ownership, on_delete=models.PROTECT, related_name="closures", verbose_name="包案"
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.REQUESTED)
    note = models.TextField("销号说明")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="确认人",
    )  # fmt: skip
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_note = models.CharField("确认意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "包案销号"
        verbose_name_plural = "包案销号"
        ordering: ClassVar = ["ownership", "requested_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["ownership"], condition=Q(state="requested"), name="one_pending_closure"
            )
        ]

    def __str__(self) -> str:
        return f"销号 {self.get_state_display()}"


class Escalation(models.Model):
    """A unit asks that a matter be handed to a county leader (提请县级领导包案); the next weekly draft
    proposes it with the unit's reason."""

    class State(models.TextChoices):
        PENDING = "pending", "待列入"
        PROPOSED = "proposed", "已列入期次"
        DECLINED = "declined", "不予列入"

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+", verbose_name="信访事项")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="提请单位")
    reason = models.CharField("提请理由", max_length=500)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提请人"
    )
    requested_at = models.DateTimeField("提请时间")
    entry = models.ForeignKey(
        BatchEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations",
        verbose_name="列入",
    )  # fmt: skip
    decision_note = models.CharField("处理意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "提请包案"
        verbose_name_plural = "提请包案"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["matter", "unit"], condition=Q(state="pending"), name="one_pending_escalation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} 提请包案"
