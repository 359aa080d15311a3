"""Give every existing circle the core roles new circles get (facilitator, secretary and, below the
general circle, delegate), and the steward role the defaults of a term. Names and defaults are copied
here, not imported, so that this migration keeps meaning what it meant."""

from decimal import Decimal

from django.db import migrations

CORE = {
    "steward": {
        "name": "Steward",
        "purpose": "Leads the circle, keeps its roster, and holds it to its purpose and domains.",
        "accountabilities": [
            "Keeping the circle's roster and roles up to date",
            "Sitting in the parent circle, with the delegate",
            "Making sure the circle's work gets done",
        ],
        "time_hours": Decimal(3),
    },
    "facilitator": {
        "name": "Facilitator",
        "purpose": "Hosts the circle's meetings and its decisions, so that every voice is heard.",
        "accountabilities": ["Preparing and hosting meetings", "Running consent rounds and selections fairly"],
        "time_hours": Decimal(2),
    },
    "secretary": {
        "name": "Secretary",
        "purpose": "Keeps the circle's memory: agendas, minutes and its records.",
        "accountabilities": [
            "Publishing agendas ahead of meetings",
            "Writing and sharing the minutes",
            "Keeping the circle's decisions findable",
        ],
        "time_hours": Decimal(2),
    },
    "delegate": {
        "name": "Delegate",
        "purpose": "Represents the circle in its parent circle and carries tensions both ways.",
        "accountabilities": ["Taking part in the parent circle's decisions", "Reporting back to the circle"],
        "time_hours": Decimal(2),
    },
}
TERMS = {"term_months": 12, "term_limit": 2, "selection": "elected", "election_method": "sociocratic"}


def add_core_roles(apps, schema_editor):
    Circle = apps.get_model("circles", "Circle")
    Role = apps.get_model("roles", "Role")
    for circle in Circle.objects.all().iterator():
        existing = set(Role.objects.filter(circle=circle, archived_at__isnull=True).values_list("kind", flat=True))
        for kind, spec in CORE.items():
            if kind == "delegate" and circle.is_general:
                continue
            if kind in existing:
                role = Role.objects.get(circle=circle, kind=kind, archived_at__isnull=True)
                if not role.accountabilities:
                    role.accountabilities = spec["accountabilities"]
                    role.time_hours = role.time_hours or spec["time_hours"]
                    role.save(update_fields=["accountabilities", "time_hours"])
                continue
            Role.objects.create(circle=circle, kind=kind, seats=1, **spec, **TERMS)


class Migration(migrations.Migration):
    dependencies = [("roles", "0002_terms_and_elections"), ("circles", "0002_initial")]

    operations = [migrations.RunPython(add_core_roles, migrations.RunPython.noop)]
