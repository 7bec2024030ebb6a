from django.db import migrations, models

# An event is a repeat when an earlier event of its matter exists (ties by registration order: the id).
MARK_REPEATS = """
UPDATE petitions_event SET is_repeat = EXISTS (
    SELECT 1 FROM petitions_event AS earlier
    WHERE earlier.matter_id = petitions_event.matter_id
      AND (earlier.date < petitions_event.date
           OR (earlier.date = petitions_event.date AND earlier.id < petitions_event.id))
)
"""


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_alter_registryrules_deadline_warning_days_and_more")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="is_repeat",
            field=models.BooleanField(default=False, verbose_name="重复访"),
        ),
        migrations.RunSQL(MARK_REPEATS, migrations.RunSQL.noop),
    ]
