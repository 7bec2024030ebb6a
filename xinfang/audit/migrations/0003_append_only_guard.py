"""The database refuses changes to audit records (triggers; see xinfang/audit/guard.py)."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from xinfang.audit.guard import audit_guard_install

    audit_guard_install(schema_editor.connection)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    from xinfang.audit.guard import audit_guard_drop

    audit_guard_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head_row")]
    operations = [migrations.RunPython(install, drop)]
