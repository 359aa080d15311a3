"""Numbered seats: every open term holds one of its role's seats, and on PostgreSQL an exclusion
constraint keeps two open terms of a role from holding the same seat at overlapping times (a term
runs from `started_at` to `planned_end_at`, open-ended when that is empty). Terms that ended before
keep no seat; open terms are numbered here in the order they started, each taking the lowest seat
free for its whole length (more seats than the role has if the data already held too many).

The exclusion constraint is written by hand: Django declares exclusion constraints for PostgreSQL
only, and this project also runs on SQLite, which serialises writers and has no such constraint.
It needs btree_gist (a trusted extension: the database owner may create it) for the equality of
role and seat in the GiST index. Keep these steps if the migrations are regenerated."""

from django.db import migrations, models

SEAT_CONSTRAINT = "role_assignment_seat_held_once"


def _overlap(a, b) -> bool:
    return (a.planned_end_at is None or a.planned_end_at > b.started_at) and (
        b.planned_end_at is None or b.planned_end_at > a.started_at
    )


def number_open_terms(apps, schema_editor):
    RoleAssignment = apps.get_model("roles", "RoleAssignment")
    terms = RoleAssignment.objects.filter(ended_at__isnull=True).order_by("role_id", "started_at", "pk")
    numbered, role_id = [], None
    for term in terms.iterator():
        if term.role_id != role_id:
            numbered, role_id = [], term.role_id
        held = {other.seat for other in numbered if _overlap(other, term)}
        term.seat = next(seat for seat in range(1, len(numbered) + 2) if seat not in held)
        RoleAssignment.objects.filter(pk=term.pk).update(seat=term.seat)
        numbered.append(term)


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("roles", "RoleAssignment")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT {SEAT_CONSTRAINT} EXCLUDE USING gist "
        "(role_id WITH =, seat WITH =, tstzrange(started_at, planned_end_at, '[)') WITH &&) "
        "WHERE (ended_at IS NULL)"
    )


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("roles", "RoleAssignment")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {SEAT_CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0003_core_roles_for_existing_circles"),
    ]

    operations = [
        migrations.AddField(
            model_name="roleassignment",
            name="seat",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Which of the role's seats the term holds, from 1 (empty: ended before seats were numbered).",
                null=True,
            ),
        ),
        migrations.RunPython(number_open_terms, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.CheckConstraint(
                condition=models.Q(("seat__isnull", True), ("seat__gte", 1), _connector="OR"),
                name="role_assignment_seat_from_one",
            ),
        ),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.CheckConstraint(
                condition=models.Q(("ended_at__isnull", False), ("seat__isnull", False), _connector="OR"),
                name="role_assignment_open_term_has_a_seat",
            ),
        ),
        migrations.RunPython(add_exclusion, drop_exclusion),
    ]
