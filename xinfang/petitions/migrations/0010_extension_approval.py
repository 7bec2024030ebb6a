# Extensions are requested by the handling unit and approved by the handling organ's head (issue 13).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def requested_when_approved(apps, schema_editor):
    """Extensions granted before this change were requested and approved at once, by the bureau head."""
    Extension = apps.get_model("petitions", "Extension")
    Extension.objects.update(requested_at=models.F("decided_at"), requested_by=models.F("decided_by"))


class Migration(migrations.Migration):

    dependencies = [
        ("petitions", "0009_online_submissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="extension",
            name="matter",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="extensions",
                to="petitions.matter", verbose_name="信访事项",
            ),
        ),
        migrations.RenameField(model_name="extension", old_name="approved_by", new_name="decided_by"),
        migrations.RenameField(model_name="extension", old_name="approved_at", new_name="decided_at"),
        migrations.AlterField(
            model_name="extension",
            name="decided_by",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to=settings.AUTH_USER_MODEL, verbose_name="审批人",
            ),
        ),
        migrations.AlterField(
            model_name="extension",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="审批时间"),
        ),
        migrations.AddField(
            model_name="extension",
            name="state",
            field=models.CharField(
                choices=[("requested", "待批准"), ("approved", "已批准"), ("refused", "未批准")],
                default="approved", max_length=20, verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="extension",
            name="state",
            field=models.CharField(
                choices=[("requested", "待批准"), ("approved", "已批准"), ("refused", "未批准")],
                default="requested", max_length=20, verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="extension",
            name="requested_by",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to=settings.AUTH_USER_MODEL, verbose_name="申请人",
            ),
        ),
        migrations.AddField(
            model_name="extension",
            name="requested_at",
            field=models.DateTimeField(default=timezone.now, verbose_name="申请时间"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="extension",
            name="decision_note",
            field=models.TextField(blank=True, verbose_name="审批意见"),
        ),
        migrations.RunPython(requested_when_approved, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="extension",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["requested", "approved"])), fields=("matter",),
                name="one_live_extension",
            ),
        ),
    ]
