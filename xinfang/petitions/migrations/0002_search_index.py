"""The full-text index over matters' bigram documents: FTS5 on SQLite, GIN on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE petitions_mattertext_fts USING fts5("
    "grams, content='petitions_mattertext', content_rowid='matter_id', tokenize='unicode61')",
    "CREATE TRIGGER petitions_mattertext_ai AFTER INSERT ON petitions_mattertext BEGIN "
    "INSERT INTO petitions_mattertext_fts(rowid, grams) VALUES (new.matter_id, new.grams); END",
    "CREATE TRIGGER petitions_mattertext_ad AFTER DELETE ON petitions_mattertext BEGIN "
    "INSERT INTO petitions_mattertext_fts(petitions_mattertext_fts, rowid, grams) "
    "VALUES ('delete', old.matter_id, old.grams); END",
    "CREATE TRIGGER petitions_mattertext_au AFTER UPDATE ON petitions_mattertext BEGIN "
    "INSERT INTO petitions_mattertext_fts(petitions_mattertext_fts, rowid, grams) "
    "VALUES ('delete', old.matter_id, old.grams); "
    "INSERT INTO petitions_mattertext_fts(rowid, grams) VALUES (new.matter_id, new.grams); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS petitions_mattertext_au",
    "DROP TRIGGER IF EXISTS petitions_mattertext_ad",
    "DROP TRIGGER IF EXISTS petitions_mattertext_ai",
    "DROP TABLE IF EXISTS petitions_mattertext_fts",
]
POSTGRES_CREATE = [
    "CREATE INDEX petitions_mattertext_grams_gin ON petitions_mattertext USING gin (string_to_array(grams, ' '))"
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS petitions_mattertext_grams_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
