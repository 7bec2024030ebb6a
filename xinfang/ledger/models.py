"""Ledger imports: each file brought in, and what it created or changed (for the undo)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from xinfang.directory.models import County
from xinfang.ownership.models import Batch
from xinfang.petitions.models import Matter

# How the audit trail names an import: the name it had when the model lived in the petitions app, kept so
# that the hash-chained trail and its searches stay continuous.
AUDIT_TYPE = "petitions.ledgerimport"


class LedgerImport(models.Model):
    """One ledger (台账) file brought in: checked, then imported as a whole, and undoable as a whole.

    A file uploaded on the page waits here (encrypted: it holds ID numbers and phones) until the
    worker has checked it and, once confirmed, imported it; the file is dropped when it is done.
    """

    class State(models.TextChoices):
        CHECKING = "checking", "检查中"
        CHECKED = "checked", "已检查"
        QUEUED = "queued", "导入中"
        WRITING = "writing", "写入中"
        IMPORTED = "imported", "已导入"
        FAILED = "failed", "导入失败"
        DISCARDED = "discarded", "已放弃"
        UNDONE = "undone", "已撤销"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要(SHA-256)", max_length=64)
    size = models.PositiveIntegerField("文件大小(字节)", default=0)
    content_enc = models.TextField("文件(密文)", blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.CHECKING)
    created_at = models.DateTimeField("上传时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="上传人",
    )  # fmt: skip
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="导入人",
    )  # fmt: skip
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="撤销人",
    )  # fmt: skip
    rows = models.PositiveIntegerField("数据行数", default=0)
    created = models.PositiveIntegerField("新增事项", default=0)
    updated = models.PositiveIntegerField("更新事项", default=0)
    batches = models.PositiveIntegerField("包案期次", default=0)
    batch_matters = models.PositiveIntegerField("包案事项", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("提示数", default=0)
    # The first problems of the check, for the preview: [{"row", "sheet_row", "column", "message"}].
    errors = models.JSONField("错误", default=list, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    # The audit record of the import, and the last one before it began writing: anything recorded on its
    # matters after the floor, but its own records, blocks the undo.
    audit_id = models.BigIntegerField("审计记录号", null=True, blank=True)
    audit_floor = models.BigIntegerField("写入前审计记录号", null=True, blank=True)
    # Set by the worker that claimed the pending step; a stale claim is taken over after a while.
    claimed_at = models.DateTimeField("处理开始", null=True, blank=True)
    # How many times a worker took the pending step: a file that stopped a worker twice is not taken again.
    attempts = models.PositiveSmallIntegerField("处理次数", default=0)

    class Meta:
        db_table = "petitions_ledgerimport"  # moved from the petitions app with its table
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["state", "claimed_at"], name="ledger_pending_idx")]

    def __str__(self) -> str:
        return f"台账导入 {self.file_name}"


class LedgerImportItem(models.Model):
    """A matter an import created or changed, and (when changed) how it was before, for the undo."""

    ledger_import = models.ForeignKey(LedgerImport, on_delete=models.CASCADE, related_name="items")
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="+")
    created = models.BooleanField(default=True)
    # The matter's rows before the import (Django's JSON serialization): matter, events, petitioners,
    # transitions, ownerships and its entries in imported batches (包案期次). Empty for a matter the import
    # created.
    before = models.TextField(blank=True)

    class Meta:
        db_table = "petitions_ledgerimportitem"
        verbose_name = "台账导入事项"
        verbose_name_plural = "台账导入事项"

    def __str__(self) -> str:
        return f"{self.ledger_import_id}/{self.matter_id}"


class LedgerImportBatch(models.Model):
    """A batch (包案期次) an import created or added matters to, for the undo: a batch it created is
    deleted once it has no matters left; one it found gets back the issue date it had."""

    ledger_import = models.ForeignKey(LedgerImport, on_delete=models.CASCADE, related_name="batches_written")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="+")
    created = models.BooleanField(default=True)
    issued_on_before = models.DateField(null=True, blank=True)
    issued_on_after = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "台账导入包案期次"
        verbose_name_plural = "台账导入包案期次"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ledger_import", "batch"], name="ledger_import_batch_once")
        ]

    def __str__(self) -> str:
        return f"{self.ledger_import_id}/{self.batch_id}"
