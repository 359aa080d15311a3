"""Elections counted before the count said what may be published: decide it now from their ballots'
weights, as the count does (roles.services.weights_single_out_nobody, copied here so that this
migration keeps meaning what it meant). Until then the ballots of every closed election, and each
candidate's votes, were published with their weights."""

from collections import Counter

from django.db import migrations


def decide_publication(apps, schema_editor):
    Ballot = apps.get_model("roles", "Ballot")
    Election = apps.get_model("roles", "Election")
    for election in Election.objects.filter(state="closed", method="ballot").iterator():
        if "ballots_published" in election.results:
            continue
        held = Counter(Ballot.objects.filter(election=election).values_list("weight", flat=True))
        published = len(held) <= 1 or min(held.values()) >= 2
        Election.objects.filter(pk=election.pk).update(results={**election.results, "ballots_published": published})


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0004_numbered_seats"),
    ]

    operations = [
        migrations.RunPython(decide_publication, migrations.RunPython.noop),
    ]
