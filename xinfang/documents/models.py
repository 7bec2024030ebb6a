"""The archive of issued official documents (weekly and monthly analyses, progress summaries, minutes).

An issued document is numbered per county, kind and year without gaps (the number is taken at approval,
under the sequence row's lock, in the transaction that archives it), keeps the figures it was made from
(`snapshot`, frozen at approval) and its files with their SHA-256. A recipient whom a listed matter reports
(Art. 46) gets a copy that leaves the matter out: each distinct copy is archived too. Rows are never
updated after issue except for the deliveries' read and sign-off receipts, and never deleted."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from xinfang.directory.models import County, Leader


class DocumentKind(models.TextChoices):
    WEEKLY = "weekly", "每周访情分析"
    PROGRESS = "progress", "督办办理情况汇总"
    OWNERSHIP = "ownership", "县级领导包案"
    MONTHLY = "monthly", "月信访形势分析"
    COMPETITION = "competition", "信访工作比拼通报"
    MINUTES = "minutes", "信访工作联席会议纪要"
    VILLAGE_STARS = "village_stars", "村级星级评定结果"


class DocumentSequence(models.Model):
    """The last number issued for a county, kind and year; locked while a number is taken."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "kind", "year"], name="one_document_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.kind} {self.last}"


class IssuedDocument(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    kind = models.CharField("文种", max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("期号")
    title = models.CharField("标题", max_length=200)
    period_from = models.DateField("起始日期")
    period_to = models.DateField("截止日期")
    snapshot = models.JSONField("审定时的数据", default=dict)
    page_url = models.CharField("业务页面", max_length=200, blank=True)
    # None: issued by the worker on its own (the scheduled progress summary).
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="审定人",
    )  # fmt: skip
    approved_at = models.DateTimeField("审定时间")

    class Meta:
        verbose_name = "已印发文件"
        verbose_name_plural = "已印发文件"
        ordering: ClassVar = ["-approved_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["county", "kind", "year", "number"], name="document_number_once")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.number}期{self.get_kind_display()}"


class DocumentCopy(models.Model):
    """One archived version of a document: the full one (`omitted` empty) or a copy that leaves out the
    matters reporting its recipients. Page, Word and PDF, each file with its SHA-256."""

    document = models.ForeignKey(IssuedDocument, on_delete=models.PROTECT, related_name="copies")
    omitted = models.JSONField("略去的事项编号", default=list)
    key = models.CharField(max_length=64)  # "full", or the SHA-256 of the omitted numbers
    html = models.TextField()
    docx = models.BinaryField()
    pdf = models.BinaryField()
    docx_sha256 = models.CharField("Word 文件 SHA-256", max_length=64)
    pdf_sha256 = models.CharField("PDF 文件 SHA-256", max_length=64)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["document", "key"], name="document_copy_once")
        ]

    def __str__(self) -> str:
        return f"{self.document} {'全文' if self.is_full else '略去' + '、'.join(self.omitted)}"

    @property
    def is_full(self) -> bool:
        return not self.omitted


class Delivery(models.Model):
    """A document sent to a county leader: to sign off (签批) or to read (阅知), with the receipts."""

    class Purpose(models.TextChoices):
        SIGN = "sign", "签批"
        READ = "read", "阅知"

    document = models.ForeignKey(IssuedDocument, on_delete=models.PROTECT, related_name="deliveries")
    copy = models.ForeignKey(DocumentCopy, on_delete=models.PROTECT, related_name="deliveries")
    leader = models.ForeignKey(Leader, on_delete=models.PROTECT, related_name="+", verbose_name="收件领导")
    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices)
    sent_at = models.DateTimeField("报送时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    signed_at = models.DateTimeField("签批时间", null=True, blank=True)
    sign_note = models.TextField("签批意见", blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="签批操作人",
    )  # fmt: skip

    class Meta:
        verbose_name = "文件报送"
        verbose_name_plural = "文件报送"
        ordering: ClassVar = ["document", "purpose", "leader__protocol_order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["document", "leader"], name="one_delivery_per_leader")
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.leader}"
