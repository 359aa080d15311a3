"""Secret ballots stay secret after the close. Who voted is public (the turnout, the event log's
election.voted), so nothing published about the ballots may be joined with it: a published ballot has
no id, no time and no place in the order of casting, and the weights appear beside the ballots and the
votes only where no weight is held by a single one of those who voted. Otherwise the weighted totals,
which decide, are published alone. Page, API, CSV and admin publish the same thing."""

import csv
import io
import zoneinfo
from datetime import datetime, timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from rest_framework.test import APIClient

from elections.services import (
    ballot_cast,
    candidacy_add,
    election_open,
    elections_advance_due,
    weights_single_out_nobody,
)
from governance.models import Event, Member, Notification
from governance.services import member_update, membership_class_save
from project.demo import load_demo
from roles.models import Ballot, Election
from tests.factories import make_role

UTC = zoneinfo.ZoneInfo("UTC")
T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _council(world, time_machine, *, workers):
    """A one-seat council of the general circle elected by ballot: Mia and Nora stand, and voting is
    open. Workers vote with weight 2; the others with weight 1."""
    time_machine.move_to(T0)
    worker = membership_class_save(
        organisation=world.organisation, by=None, name="Workers", voting_weight=2, may_vote=True
    )
    for user in workers:
        member_update(member=world.member(user), by=None, membership_class=worker)
    role = make_role(world.general, "Council", seats=1, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice))
    stood = {
        u: candidacy_add(election=election, member=world.member(u), statement="Me.") for u in (world.mia, world.nora)
    }
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1))
    elections_advance_due()
    election.refresh_from_db()
    election.candidacy = {u: c.pk for u, c in stood.items()}
    return election


@pytest.fixture
def council(world, time_machine):
    """Steve is the only worker."""
    return _council(world, time_machine, workers=[world.steve])


def _vote(world, election, votes):
    for user, chosen in votes:
        ballot_cast(election=election, member=world.member(user), choices=[election.candidacy[chosen]])


def _close(election, time_machine):
    time_machine.move_to(election.voting_closes_at + timedelta(minutes=1))
    assert elections_advance_due() == 1
    election.refresh_from_db()
    return election


def _export(client, election) -> list[list[str]]:
    answer = client.get(reverse("election-results-csv", kwargs={"org": election.organisation.slug, "pk": election.pk}))
    return list(csv.reader(io.StringIO(answer.content.decode())))


def test_a_voter_whose_weight_is_theirs_alone_cannot_be_found_in_anything_published(
    world, council, time_machine, client, admin_client, admin_user
):
    _vote(world, council, [(world.steve, world.nora), (world.alice, world.mia), (world.otto, world.mia)])
    election = _close(council, time_machine)
    mia = api(world.mia)
    client.force_login(world.mia)
    admin_client.force_login(admin_user)

    voted = mia.get("/api/v1/events/?verb=election.voted").json()["results"]
    ballots = mia.get(f"/api/v1/ballots/?election={election.pk}").json()
    results = mia.get(f"/api/v1/elections/{election.pk}/").json()["results"]
    export = _export(client, election)
    page = client.get(reverse("election", kwargs={"org": "acme", "pk": election.pk})).content.decode()
    admin_ballots = admin_client.get(reverse("admin:roles_ballot_changelist")).content.decode()

    # Who voted is public, and stays so: three voters, one of them with weight 2.
    assert len(voted) == 3
    # Neither the ballots nor each candidate's votes are published beside the weights; only the totals.
    assert ballots["count"] == 0 and results["ballots_published"] is False
    assert {row["name"]: row["weight"] for row in results["counts"]} == {"Mia Member": 2, "Nora Nocircle": 2}
    assert all("votes" not in row for row in results["counts"])
    assert export[0] == ["candidate", "weight", "elected", "tied"] and "not published" in export[-1][0]
    assert ">Votes<" not in page and "are not published" in page
    assert "0 ballots" in admin_ballots
    # What the count stored for itself is complete.
    assert {row["name"]: row["votes"] for row in election.results["counts"]} == {"Mia Member": 2, "Nora Nocircle": 1}


def test_ballots_are_published_with_their_weights_when_every_weight_is_shared(world, time_machine, client):
    council = _council(world, time_machine, workers=[world.steve, world.otto])  # 2, 2 and 1, 1: nobody alone
    _vote(
        world,
        council,
        [(world.steve, world.nora), (world.alice, world.mia), (world.mia, world.nora), (world.otto, world.mia)],
    )
    election = _close(council, time_machine)
    client.force_login(world.mia)

    ballots = api(world.mia).get(f"/api/v1/ballots/?election={election.pk}").json()["results"]
    results = api(world.mia).get(f"/api/v1/elections/{election.pk}/").json()["results"]
    export = _export(client, election)

    assert results["ballots_published"] is True and all("votes" in row for row in results["counts"])
    assert all(set(ballot) == {"election", "choices", "weight"} for ballot in ballots)  # no id, no time
    mia_id, nora_id = council.candidacy[world.mia], council.candidacy[world.nora]
    assert [(b["choices"], b["weight"]) for b in ballots] == [
        ([mia_id], 1),
        ([mia_id], 2),
        ([nora_id], 1),
        ([nora_id], 2),
    ]
    assert export[0] == ["candidate", "votes", "weight", "elected", "tied"]
    assert export[-5:] == [
        ["weight", "choices"],
        ["1", "Mia Member"],
        ["2", "Mia Member"],
        ["1", "Nora Nocircle"],
        ["2", "Nora Nocircle"],
    ]


def _published_after_casting(world, time_machine, name, order) -> list[list[str]]:
    """Hold a ballot where the voters cast in `order` ((user, names chosen) pairs) and return the
    published ballots' choices, as names."""
    time_machine.move_to(T0)
    role = make_role(world.general, name, seats=1, selection="elected", election_method="ballot")
    election = election_open(role=role, by=None)
    ids = {
        u.name: candidacy_add(election=election, member=world.member(u), statement="Me.").pk
        for u in (world.mia, world.nora)
    }
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1))
    elections_advance_due()
    election.refresh_from_db()
    for user, chosen in order:
        ballot_cast(election=election, member=world.member(user), choices=[ids[n] for n in chosen])
    time_machine.move_to(election.voting_closes_at + timedelta(minutes=1))
    elections_advance_due()
    names = {pk: n for n, pk in ids.items()}
    client = api(world.mia)
    ballots = client.get(f"/api/v1/ballots/?election={election.pk}").json()["results"]
    reordered = client.get(f"/api/v1/ballots/?election={election.pk}&ordering=-id").json()["results"]
    assert reordered == ballots  # no other order, one that could follow the casting, is on offer
    return [[names[c] for c in b["choices"]] for b in ballots]


def test_published_ballots_come_in_the_order_of_what_was_chosen_not_of_casting(world, time_machine):
    mia, nora = "Mia Member", "Nora Nocircle"
    cast = [(world.alice, [nora]), (world.steve, [mia]), (world.otto, []), (world.mia, [nora]), (world.nora, [mia])]
    backwards = [(user, chosen) for (user, _), (_, chosen) in zip(cast, reversed(cast), strict=True)]

    one = _published_after_casting(world, time_machine, "Council", cast)
    other = _published_after_casting(world, time_machine, "Board", backwards)

    assert one == other  # the same ballots, cast in another order by other voters, read the same
    assert sorted(one) == sorted([[nora], [mia], [], [nora], [mia]])
    runs = [b for i, b in enumerate(one) if i == 0 or one[i - 1] != b]
    assert len(runs) == 3  # alike ballots sit together


def test_the_demo_board_election_does_not_expose_its_only_worker_voter(db, time_machine):
    organisation = load_demo()
    election = Election.objects.get(organisation=organisation, role__name="Board member")
    time_machine.move_to(election.voting_closes_at + timedelta(minutes=1))
    elections_advance_due()
    election.refresh_from_db()
    reader = Member.objects.filter(organisation=organisation).select_related("user").first().user

    ballots = api(reader).get(f"/api/v1/ballots/?election={election.pk}").json()
    results = api(reader).get(f"/api/v1/elections/{election.pk}/").json()["results"]

    assert election.state == Election.State.CLOSED and sorted(
        election.voters.filter(has_voted=True).values_list("weight", flat=True)
    ) == [1, 1, 2]
    assert ballots["count"] == 0 and results["ballots_published"] is False
    assert all(set(row) == {"candidacy", "member", "name", "weight"} for row in results["counts"])


def test_the_close_tells_webhooks_and_mail_who_was_elected_and_nothing_of_the_ballots(world, council, time_machine):
    _vote(world, council, [(world.steve, world.nora), (world.alice, world.mia), (world.otto, world.mia)])

    _close(council, time_machine)

    closed = Event.objects.get(verb="election.closed")
    assert set(closed.details) == {"role", "elected", "tie"}
    assert all(set(e.details) == {"role"} for e in Event.objects.filter(verb="election.voted"))
    mail = Notification.objects.filter(kind="election_closed").first()
    assert mail is not None and "weight" not in mail.body.lower() and "vote" not in mail.subject.lower()


def test_it_publishes_weights_only_where_no_weight_is_held_by_one_voter_alone():
    assert weights_single_out_nobody([]) and weights_single_out_nobody([1]) and weights_single_out_nobody([3, 3, 3])
    assert weights_single_out_nobody([2, 2, 1, 1, 1])
    assert not weights_single_out_nobody([2, 1]) and not weights_single_out_nobody([2, 1, 1, 1])


def test_the_data_migration_decides_for_elections_counted_before(world, council, time_machine):
    _vote(world, council, [(world.steve, world.nora), (world.alice, world.mia)])
    election = _close(council, time_machine)
    equal = make_role(world.finance, "Scribe", selection="elected", election_method="ballot")
    other = Election.objects.create(
        organisation=world.organisation, role=equal, method="ballot", state="closed", term_starts_at=T0, results={}
    )
    Ballot.objects.create(election=other, choices=[], weight=1)
    Ballot.objects.create(election=other, choices=[], weight=1)
    Election.objects.filter(pk=election.pk).update(results={"counts": election.results["counts"]})
    migration = import_module("roles.migrations.0005_ballots_published")

    migration.decide_publication(django_apps, None)

    assert Election.objects.get(pk=election.pk).results["ballots_published"] is False
    assert Election.objects.get(pk=other.pk).results["ballots_published"] is True
