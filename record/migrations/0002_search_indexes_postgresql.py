"""GIN indexes for full-text search, on PostgreSQL only (SQLite searches with icontains and has no
such index). Each index's expression is exactly the one record/search.py's SearchVector compiles to
(English configuration, the fields coalesced and joined by a space), so that the planner uses it."""

from django.db import migrations

# (index name, table, fields), as record/search.py's kinds search them.
INDEXES = [
    ("record_fts_proposal", "proposals_proposal", ("title", "body")),
    ("record_fts_outcome", "proposals_proposal", ("outcome_statement",)),
    ("record_fts_comment", "proposals_comment", ("body",)),
    ("record_fts_minutes", "meetings_minutes", ("body",)),
    ("record_fts_tension", "meetings_tension", ("title", "description")),
    ("record_fts_role", "roles_role", ("name", "purpose", "domains")),
    ("record_fts_circle", "circles_circle", ("name", "purpose", "domains", "accountabilities")),
]


def _expression(fields):
    return " || ' ' || ".join(f"COALESCE(\"{f}\", '')" for f in fields)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, fields in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" '
            f"USING GIN (to_tsvector('english'::regconfig, {_expression(fields)}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _fields in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("record", "0001_record_settings_summaries_erasures"),
        ("proposals", "0002_newest_first_indexes"),
        ("meetings", "0001_initial"),
        ("roles", "0005_ballots_published"),
        ("circles", "0002_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
