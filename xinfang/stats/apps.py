from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


def _install_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every migrate: the triggers that mark written matters for the KPI roll-up, put back (SQLite
    loses a table's triggers when a migration rebuilds it). Not after `flush` (no plan): nothing to do."""
    from django.db import connections

    from xinfang.stats.kpi_facts import kpi_triggers_install
    from xinfang.stats.models import KpiPending

    if kwargs.get("plan") is None:
        return
    connection = connections[using]
    if KpiPending._meta.db_table in connection.introspection.table_names():
        kpi_triggers_install(connection)


def _calendar_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """A working-calendar entry (a day, or a year declared complete) moves deadlines from its day on."""
    import datetime as dt

    from xinfang.stats.kpi_facts import dates_changed

    day = instance.day if hasattr(instance, "day") else dt.date(instance.year, 1, 1)
    dates_changed(day)


def _profile_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """A county's rule profile from a day on moves the deadlines of the clocks started since."""
    from xinfang.stats.kpi_facts import dates_changed

    dates_changed(instance.effective_from, instance.county_id)


class StatsConfig(AppConfig):
    name = "xinfang.stats"
    verbose_name = "统计"

    def ready(self) -> None:
        from xinfang.calendars.models import CalendarDay, ClosedYear
        from xinfang.core.matter_hooks import matters_changed_register
        from xinfang.petitions.models import RuleProfileAssignment
        from xinfang.stats.kpi_facts import facts_refresh

        matters_changed_register("kpi_facts", facts_refresh)
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="xinfang.stats.kpi_triggers")
        for when, signal in (("saved", post_save), ("deleted", post_delete)):
            for model in (CalendarDay, ClosedYear):
                signal.connect(_calendar_changed, sender=model, dispatch_uid=f"kpi.{when}.{model.__name__}")
            signal.connect(_profile_changed, sender=RuleProfileAssignment, dispatch_uid=f"kpi.{when}.profile")
