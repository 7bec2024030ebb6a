"""Indexes for every role's pages at a million matters (issue 14, item 11): a unit's matters by state,
the deadline queues by clock with the list's order, a unit's and a leader's current assignments and
ownerships and the county's assignments by state read from the index alone, and the statistics index
covering the home pages' situation and a scoped user's statistics (with the matter)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0014_review_hearing"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="event",
            name="event_stats_idx",
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=[
                    "county",
                    "date",
                    "level",
                    "channel",
                    "township",
                    "category_top",
                    "persons",
                    "is_repeat",
                    "prev_date",
                    "prev_level_date",
                    "prev_channel_date",
                    "is_collective",
                    "matter",
                ],
                name="event_stats_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="matter",
            index=models.Index(
                fields=["county", "responsible_unit", "status", "-last_event_date"], name="matter_unit_status_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="matter",
            index=models.Index(
                condition=models.Q(("due_date__isnull", False)),
                fields=["county", "clock", "due_date", "last_event_date"],
                name="matter_clock_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="matter",
            index=models.Index(
                condition=models.Q(("due_date__isnull", False)),
                fields=["responsible_unit", "clock", "due_date", "last_event_date"],
                name="matter_unit_clock_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["unit", "state", "matter", "is_current"], name="assignment_unit_idx"),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["state", "is_current", "matter"], name="assignment_state_idx"),
        ),
        migrations.RemoveIndex(
            model_name="ownership",
            name="ownership_leader_idx",
        ),
        migrations.AddIndex(
            model_name="ownership",
            index=models.Index(fields=["leader", "is_current", "matter"], name="ownership_leader_idx"),
        ),
    ]
