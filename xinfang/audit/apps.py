from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_guard(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every migrate: a later migration that rebuilds the audit table (SQLite copies it into a
    new one) loses its triggers, so they are put back. Infrastructure, not domain logic. (`flush` sends
    the same signal without a migration plan; it has nothing to put back.)"""
    from django.db import connections

    if kwargs.get("plan") is None:
        return
    from xinfang.audit.guard import TABLE, audit_guard_install

    connection = connections[using]
    if TABLE in connection.introspection.table_names():
        audit_guard_install(connection)


class AuditConfig(AppConfig):
    name = "xinfang.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        post_migrate.connect(_reinstall_guard, sender=self, dispatch_uid="xinfang.audit.guard")
