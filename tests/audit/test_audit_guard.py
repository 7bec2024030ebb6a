"""The audit log is append-only: the ORM and the database refuse changes; the retention purge is the one
deletion; `xinfang verify-audit` walks the hash chain (issue 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from xinfang.audit.apps import AuditConfig, _reinstall_guard
from xinfang.audit.guard import audit_guard_drop, audit_guard_install, audit_guard_missing
from xinfang.audit.models import AppendOnlyError, AuditRecord
from xinfang.audit.selectors import audit_chain_breaks
from xinfang.audit.services import audit_purge, audit_record
from xinfang.checks import check_audit_guard, check_audit_retention
from xinfang.core.bulk import bulk_insert

# These tests write records of made-up actions (`test.one`), which have no Chinese names.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("synthetic_audit")]


@pytest.fixture
def guard():
    """The triggers, inside this test's transaction (rolled back with it)."""
    audit_guard_install(connection)
    yield
    audit_guard_drop(connection)


def raw(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_orm_refuses_to_change_or_delete_audit_records(persona):
    record = audit_record(action="test.orm", actor=persona("bureau"), message="原文")
    record.message = "改过"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(pk=record.pk).update(message="改过")
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditRecord.objects.bulk_update([record], ["message"])
    assert AuditRecord.objects.get(pk=record.pk).message == "原文"


def test_the_database_refuses_updates_and_young_deletions_whoever_asks(persona, guard):
    assert audit_guard_missing(connection) == []
    record = audit_record(action="test.sql", actor=persona("bureau"), message="原文")
    with pytest.raises(DatabaseError):
        raw("UPDATE audit_auditrecord SET message = %s WHERE id = %s", ["改过", record.pk])
    with pytest.raises(DatabaseError):
        raw("DELETE FROM audit_auditrecord WHERE id = %s", [record.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError):
            raw("TRUNCATE audit_auditrecord CASCADE", [])
    assert AuditRecord.objects.get(pk=record.pk).message == "原文"
    # A record older than the legal minimum (180 days) may go: that is the retention purge.
    old = {"at": timezone.now() - dt.timedelta(days=200), "action": "test.old", "prev_hash": "0", "hash": "x"}
    bulk_insert(AuditRecord, [old])
    raw("DELETE FROM audit_auditrecord WHERE action = %s", ["test.old"])
    assert not AuditRecord.objects.filter(action="test.old").exists()


def test_a_system_check_fails_when_the_triggers_are_missing(guard):
    assert check_audit_guard(databases=["default"]) == []
    audit_guard_drop(connection)
    errors = check_audit_guard(databases=["default"])
    assert [error.id for error in errors] == ["xinfang.E005"]
    assert "防篡改触发器" in errors[0].msg


def test_migrate_puts_the_triggers_back_and_flush_does_not(guard):
    audit_guard_drop(connection)
    config = AuditConfig.create("xinfang.audit")
    _reinstall_guard(config, using="default")  # as flush sends it: no migration plan
    assert audit_guard_missing(connection) != []
    _reinstall_guard(config, using="default", plan=[])  # as migrate sends it
    assert audit_guard_missing(connection) == []


def test_retention_under_180_days_is_refused_by_a_check(settings):
    settings.XINFANG_AUDIT_RETENTION_DAYS = 90
    assert [error.id for error in check_audit_retention()] == ["xinfang.E006"]
    settings.XINFANG_AUDIT_RETENTION_DAYS = 365
    assert check_audit_retention() == []


def test_the_purge_removes_only_what_outlived_retention_and_the_chain_still_verifies(persona, settings):
    settings.XINFANG_AUDIT_RETENTION_DAYS = 90  # never less than 180 days are kept
    bureau = persona("bureau")
    start = timezone.now()
    audit_record(action="test.before", actor=bureau)
    assert list(audit_chain_breaks()) == []
    with time_machine.travel(start + dt.timedelta(days=300), tick=False):
        kept = audit_record(action="test.kept", actor=bureau)
    # 170 days later nothing is 180 days old yet, even though the setting asks for 90.
    assert audit_purge(now=start + dt.timedelta(days=170)) == 0
    deleted = audit_purge(now=start + dt.timedelta(days=400))
    assert deleted >= 1 and not AuditRecord.objects.filter(action="test.before").exists()
    assert AuditRecord.objects.filter(pk=kept.pk).exists()
    purge = AuditRecord.objects.get(action="audit.purge")
    assert purge.changes["deleted"] == deleted and purge.changes["days"] == 180
    assert list(audit_chain_breaks()) == []


def test_verify_audit_exits_0_when_intact_and_1_naming_the_first_tampered_record(persona, capsys):
    first = audit_record(action="test.one", actor=persona("bureau"), message="一")
    audit_record(action="test.two", actor=persona("bureau"), message="二")
    call_command("verifyaudit")
    assert "哈希链校验通过" in capsys.readouterr().out
    raw("UPDATE audit_auditrecord SET message = %s WHERE id = %s", ["改", first.pk])
    with pytest.raises(SystemExit) as exit_:
        call_command("verifyaudit")
    assert exit_.value.code == 1
    assert f"第 {first.pk} 条记录" in capsys.readouterr().out


def test_a_deleted_record_breaks_the_chain(persona):
    audit_record(action="test.one", actor=persona("bureau"))
    second = audit_record(action="test.two", actor=persona("bureau"))
    third = audit_record(action="test.three", actor=persona("bureau"))
    raw("DELETE FROM audit_auditrecord WHERE id = %s", [second.pk])
    assert [record.pk for record in audit_chain_breaks()][:1] == [third.pk]
