"""A ranked ballot election from opening to the published count: ballots cast on the page (one rank
menu per candidate) and over the API, kept in their order and secret, counted by STV at the close,
with every round on the page, in the API and in the CSV; and the published ballots recount to the
published result."""

import csv
import io
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from elections.counting import stv_count
from elections.services import ballot_cast, candidacy_add, election_open, elections_advance_due
from governance.errors import Invalid
from roles.models import Ballot
from tests.factories import make_role

UTC = zoneinfo.ZoneInfo("UTC")
T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def council(world, time_machine):
    """A two-seat council of the general circle, ranked; Mia, Nora and Otto stand; voting is open."""
    time_machine.move_to(T0)
    role = make_role(world.general, "Council", seats=2, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice), counting="ranked")
    election.candidacy = {
        u: candidacy_add(election=election, member=world.member(u), statement="Me.").pk
        for u in (world.mia, world.nora, world.otto)
    }
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1))
    elections_advance_due()
    election.refresh_from_db()
    return election


def _close(election, time_machine):
    time_machine.move_to(election.voting_closes_at + timedelta(minutes=1))
    assert elections_advance_due() == 1
    election.refresh_from_db()
    return election


def _cast(world, election, votes):
    for user, ranking in votes:
        ballot_cast(election=election, member=world.member(user), choices=[election.candidacy[u] for u in ranking])


def test_a_ranked_ballot_keeps_its_order_and_refuses_a_candidate_twice(world, council):
    mia, nora = council.candidacy[world.mia], council.candidacy[world.nora]
    with pytest.raises(Invalid, match="Rank each candidate once"):
        ballot_cast(election=council, member=world.member(world.alice), choices=[nora, mia, nora])

    ballot_cast(election=council, member=world.member(world.alice), choices=[nora, mia])

    assert Ballot.objects.get(election=council).choices == [nora, mia]


def test_the_page_offers_a_rank_menu_per_candidate_and_casts_in_rank_order(world, council, client):
    client.force_login(world.steve)
    url = reverse("election", kwargs={"org": "acme", "pk": council.pk})
    page = client.get(url).content.decode()
    assert page.count('<select name="rank_') == 3 and "Rank for Mia Member" in page

    mia, nora, otto = (council.candidacy[u] for u in (world.mia, world.nora, world.otto))
    vote = reverse("election-vote", kwargs={"org": "acme", "pk": council.pk})
    refused = client.post(vote, {f"rank_{mia}": "1", f"rank_{nora}": "1"})
    assert "Give each rank to one candidate only" in refused.content.decode()
    gap = client.post(vote, {f"rank_{mia}": "1", f"rank_{nora}": "3"})
    assert "without leaving a rank out" in gap.content.decode()
    assert not Ballot.objects.filter(election=council).exists()

    client.post(vote, {f"rank_{otto}": "1", f"rank_{mia}": "2", f"rank_{nora}": ""})

    assert Ballot.objects.get(election=council).choices == [otto, mia]


def test_the_count_is_published_round_by_round_on_the_page_api_and_csv(world, council, time_machine, client):
    _cast(
        world,
        council,
        [
            (world.alice, [world.mia, world.nora]),
            (world.steve, [world.mia, world.otto]),
            (world.mia, [world.mia, world.nora]),
            (world.otto, [world.otto]),
            (world.nora, [world.nora, world.otto]),
        ],
    )
    election = _close(council, time_machine)

    # Quota 2 of 5: Mia is elected in round 1 with 3 and her surplus of 1 goes on at 1/3 per ballot;
    # Nora (1 + 2/3) then Otto (1 + 1/3): Otto is eliminated, Nora takes the second seat.
    assert election.results["elected"] == [world.member(world.mia).pk, world.member(world.nora).pk]
    rounds = election.results["count"]["rounds"]
    assert rounds[0]["elected"] == [council.candidacy[world.mia]]
    assert rounds[1]["totals"] == {str(council.candidacy[world.nora]): "5/3", str(council.candidacy[world.otto]): "4/3"}

    answer = api(world.nora).get(f"/api/v1/elections/{election.pk}/").json()
    assert answer["counting"] == "ranked" and answer["results"]["count"]["quota"] == "2"
    assert len(answer["results"]["count"]["rounds"]) == 3
    assert answer["decided"].startswith("2 of 2 seats filled by single transferable vote after 3 rounds")

    client.force_login(world.nora)
    page = client.get(reverse("election", kwargs={"org": "acme", "pk": election.pk})).content.decode()
    assert "The count, round by round" in page and "Round 2" in page and "1.67" in page
    assert "Votes of Mia Member went to:" in page and "Why it was decided:" in page

    export = client.get(reverse("election-results-csv", kwargs={"org": "acme", "pk": election.pk}))
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert ["round", "candidate", "total", "outcome", "transferred to", "value"] in rows
    assert ["1", "Mia Member", "3", "elected", "", ""] in rows


def test_the_published_ballots_recount_to_the_published_result(world, council, time_machine):
    _cast(
        world,
        council,
        [
            (world.alice, [world.otto, world.nora]),
            (world.steve, [world.mia]),
            (world.mia, [world.mia, world.otto]),
            (world.otto, [world.otto, world.mia]),
            (world.nora, [world.nora, world.mia]),
        ],
    )
    election = _close(council, time_machine)
    client = api(world.steve)

    published = client.get(f"/api/v1/ballots/?election={election.pk}").json()["results"]
    result = client.get(f"/api/v1/elections/{election.pk}/").json()["results"]
    candidacies = [row["candidacy"] for row in result["counts"]]
    recount = stv_count(
        candidates=sorted(candidacies), ballots=[(b["choices"], b["weight"]) for b in published], seats=election.seats
    )

    assert len(published) == 5
    assert recount.as_json() == result["count"]
    by_candidacy = {row["candidacy"]: row["member"] for row in result["counts"]}
    assert [by_candidacy[c] for c in recount.elected] == result["elected"]


def test_a_single_seat_ranked_election_is_instant_runoff(world, time_machine):
    time_machine.move_to(T0)
    role = make_role(world.general, "Bookkeeper", seats=1, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice), counting="ranked")
    ids = {
        u: candidacy_add(election=election, member=world.member(u), statement="Me.").pk for u in (world.mia, world.nora)
    }
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1))
    elections_advance_due()
    for user in (world.alice, world.steve, world.mia):
        ballot_cast(election=election, member=world.member(user), choices=[ids[world.mia]])
    election.refresh_from_db()
    election = _close(election, time_machine)

    assert election.results["elected"] == [world.member(world.mia).pk]
    answer = api(world.mia).get(f"/api/v1/elections/{election.pk}/").json()
    assert answer["decided"] == "Elected by instant-runoff with 3 of 3 first preferences, in 1 round."
