from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinfang.audit.labels import action_label
from xinfang.audit.models import AuditRecord
from xinfang.audit.selectors import audit_chain_breaks


class Command(BaseCommand):
    help = "校验审计日志的哈希链：完整时退出码为0；否则为1，并指出第一条被篡改的记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        broken = next(audit_chain_breaks(), None)
        if broken is None:
            count = AuditRecord.objects.count()
            self.stdout.write(f"审计日志完整：共 {count} 条记录，哈希链校验通过。")
            return
        self.stdout.write(
            f"审计日志被篡改或缺失：第一处为第 {broken.pk} 条记录（{broken.at:%Y-%m-%d %H:%M:%S}，"
            f"{action_label(broken.action)}，{broken.actor_name or '系统'}，{broken.object_repr or '—'}）。"
        )
        raise SystemExit(1)
