"""The SMS outbox: every message is a row, written in the same transaction as the change that caused
it, and sent by the worker through the configured gateway (issue 6)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from xinfang.directory.models import County


class SmsMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "失败"
        DELIVERED = "delivered", "已送达"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    # Who it is for: the person's name and a stable key ("leader:12", "official:40") so a page can
    # show each recipient's delivery; the mobile only encrypted, with a masked copy and a blind index.
    recipient_key = models.CharField("收件人标识", max_length=60)
    recipient_name = models.CharField("收件人", max_length=60)
    mobile_enc = models.TextField("手机(密文)")
    mobile_index = models.CharField("手机索引", max_length=32, db_index=True)
    mobile_masked = models.CharField("手机", max_length=20)
    # Cloud platforms send only approved templates: the template and its parameters are what is sent
    # there; gateways taking free text get the rendered body (signature included).
    template = models.CharField("模板", max_length=40)
    params = models.JSONField("模板参数", default=dict)
    body = models.TextField("短信内容")
    parts = models.PositiveSmallIntegerField("计费条数", default=1)
    # Exactly once: a second attempt to queue the same message (a job run twice, a page sent twice)
    # meets this key and is dropped.
    dedupe_key = models.CharField("去重键", max_length=120, unique=True)
    # What caused it, for the pages that show delivery ("daily_report:410421:2026-11-27").
    topic = models.CharField("来源", max_length=80, db_index=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("发送尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    # When the worker next looks at it: a send or retry (待发送), a status query after a timeout
    # (发送中), a delivery query (已发送). None: nothing more to do.
    next_attempt_at = models.DateTimeField("下次处理时间", null=True, blank=True)
    # Set when a send timed out after the provider may have accepted it: ask, do not resend blindly.
    uncertain = models.BooleanField("待核实", default=False)
    checks = models.PositiveSmallIntegerField("核实查询次数", default=0)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    provider_id = models.CharField("平台流水号", max_length=100, blank=True)
    created_at = models.DateTimeField("生成时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信"
        verbose_name_plural = "短信"
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_due_idx"),
            models.Index(fields=["mobile_index", "sent_at"], name="sms_cap_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient_name} {self.mobile_masked}"

    @property
    def out_id(self) -> str:
        """Our id for the message at the provider (Aliyun OutId, Tencent SessionContext)."""
        return f"xf{self.pk}"
