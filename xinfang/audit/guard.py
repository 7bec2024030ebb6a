"""The database's own guard of the audit table: triggers that refuse every UPDATE, every DELETE of a
record younger than the legal minimum retention (180 days), and (PostgreSQL) TRUNCATE — whoever runs
the SQL, the app or a person at a database prompt. The ORM refuses too (`models.py`); the hash chain
finds what got past both (`xinfang verify-audit`).

Installed by a migration and re-installed after every `migrate` (a migration that rebuilds the table on
SQLite drops its triggers); system check xinfang.E005 fails when they are missing.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

MIN_RETENTION_DAYS = 180  # 《网络安全法》第二十一条: network logs kept for no less than six months
TABLE = "audit_auditrecord"
SQLITE_TRIGGERS = {
    "audit_record_no_update": f"""
        CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END""",
    "audit_record_no_delete": f"""
        CREATE TRIGGER IF NOT EXISTS audit_record_no_delete BEFORE DELETE ON {TABLE}
        WHEN OLD.at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-{MIN_RETENTION_DAYS} days')
        BEGIN SELECT RAISE(ABORT, '审计记录保存不足{MIN_RETENTION_DAYS}天，不能删除'); END""",
}
POSTGRESQL_TRIGGERS = ("audit_record_guard", "audit_record_no_truncate")
_POSTGRESQL_INSTALL = f"""
CREATE OR REPLACE FUNCTION audit_record_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '审计记录只能追加，不能修改';
    ELSIF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '审计记录不能清空';
    ELSIF OLD.at > now() - interval '{MIN_RETENTION_DAYS} days' THEN
        RAISE EXCEPTION '审计记录保存不足{MIN_RETENTION_DAYS}天，不能删除';
    END IF;
    RETURN OLD;
END $$;
DROP TRIGGER IF EXISTS audit_record_guard ON {TABLE};
CREATE TRIGGER audit_record_guard BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_record_guard();
DROP TRIGGER IF EXISTS audit_record_no_truncate ON {TABLE};
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_guard();
"""


def audit_guard_install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (idempotent)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRESQL_INSTALL)
        else:
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)


def audit_guard_drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers: only the test suite does this (its database is emptied between tests)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in POSTGRESQL_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def audit_guard_missing(connection: BaseDatabaseWrapper) -> list[str]:
    """The names of the guard's triggers that are not in the database (all of them: no table yet)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal", [TABLE]
            )
            wanted: tuple[str, ...] = POSTGRESQL_TRIGGERS
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            wanted = tuple(SQLITE_TRIGGERS)
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in wanted if name not in present]
