"""Audit records: who did what to which object, when, from where, with what outcome.

The table is designed append-only: each record carries the hash of its predecessor and its own hash
(a chain a verifier can walk), and `AuditChainHead` holds the newest hash under a row lock so that
concurrent writers on PostgreSQL never fork the chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models


class AppendOnlyError(PermissionDenied):
    """An attempt to change or delete an audit record through the ORM."""


class AuditRecordQuerySet(models.QuerySet["AuditRecord"]):
    """Audit records are appended, never changed: update and delete are refused. The retention purge
    is the one deletion (`purge_recorded_before`), and the database itself lets it remove only records
    older than the legal minimum (audit/guard.py)."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("审计记录只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录只能追加，不能删除")

    def purge_before(self, record_id: int) -> int:
        """Delete every record older than `record_id` (a prefix of the chain)."""
        return self.filter(pk__lt=record_id)._raw_delete(self.db)


class AuditRecord(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"
        DENIED = "denied", "拒绝"

    at = models.DateTimeField("时间", db_index=True)
    county = models.ForeignKey(
        "directory.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="县",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    # A snapshot: the record must still say who acted after the account is renamed.
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    source_ip = models.GenericIPAddressField("来源IP", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    changes = models.JSONField("变更摘要", default=dict, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    prev_hash = models.CharField("前一记录哈希", max_length=64)
    hash = models.CharField("记录哈希", max_length=64, unique=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering: ClassVar = ["-id"]
        indexes: ClassVar = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录只能追加，不能删除")

    def chain_payload(self) -> dict[str, Any]:
        """The fields the hash covers, in a form that survives a database round trip."""
        return chain_payload({name: getattr(self, name) for name in ("at", *CHAINED_FIELDS)})


# The fields of a record its hash covers, besides its time.
CHAINED_FIELDS = (
    "county_id", "actor_id", "actor_name", "action", "object_type", "object_id", "object_repr", "outcome",
    "source_ip", "request_id", "changes", "message", "prev_hash",
)  # fmt: skip


def chain_payload(values: Mapping[str, Any]) -> dict[str, Any]:
    """What a record's hash covers, from its field values (a record, or a row about to be inserted)."""
    return {
        "at": values["at"].isoformat(timespec="microseconds"),
        **{name: values[name] for name in CHAINED_FIELDS},
    }


class AuditChainHead(models.Model):
    """One row: the hash of the newest audit record, locked while a record is appended."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return self.last_hash
