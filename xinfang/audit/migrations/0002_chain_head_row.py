from django.db import migrations


def create_head(apps, schema_editor):
    # The single chain-head row exists from the start, so the first two concurrent audit writers
    # queue on its row lock instead of racing to insert it.
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(pk=1, defaults={"last_hash": "0" * 64})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
