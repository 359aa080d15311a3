"""The election history: every election with candidates, who was elected and not, turnout and the
count, filterable, on a page, in CSV and over the API."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from elections.services import ballot_cast, candidacy_add, election_open, elections_advance_due
from record.history import election_history
from tests.factories import make_role

T0 = datetime(2027, 5, 3, 9, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def counted(world, time_machine):
    """A one-seat council of the general circle by ballot: Mia and Nora stand; Alice, Steve and Mia vote
    Mia, Otto votes Nora, Nora does not vote. Mia 3, Nora 1: Mia is elected, Nora is not; 4 of 5 voted."""
    time_machine.move_to(T0)
    role = make_role(world.general, "Council", seats=1, term_months=12, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice))
    mia = candidacy_add(election=election, member=world.member(world.mia), statement="Mia for council")
    nora = candidacy_add(election=election, member=world.member(world.nora), statement="Nora for council")
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1))
    elections_advance_due()
    for user, choice in ((world.alice, mia), (world.steve, mia), (world.mia, mia), (world.otto, nora)):
        ballot_cast(election=election, member=world.member(user), choices=[choice.pk])
    time_machine.move_to(election.voting_closes_at + timedelta(minutes=1))
    elections_advance_due()
    election.refresh_from_db()
    return world, election


def test_it_shows_candidates_winners_losers_turnout_and_the_count(counted):
    world, _election = counted
    (entry,) = election_history(world.organisation)
    assert entry["state"] == "closed"
    assert [c["name"] for c in entry["candidates"]] == ["Mia Member", "Nora Nocircle"]
    assert [c["name"] for c in entry["elected"]] == ["Mia Member"]
    assert [c["name"] for c in entry["not_elected"]] == ["Nora Nocircle"]
    assert (entry["voted"], entry["eligible"], entry["turnout_percent"]) == (4, 5, 80)
    assert [(c["name"], c["weight"]) for c in entry["counts"]] == [("Mia Member", 3), ("Nora Nocircle", 1)]


def test_it_filters(counted):
    world, _election = counted
    assert len(election_history(world.organisation, state="closed", year=2027, method="ballot")) == 1
    assert election_history(world.organisation, state="voting") == []
    assert election_history(world.organisation, circle=world.finance) == []
    assert election_history(world.other) == []


def test_the_page_csv_and_api_agree(counted, as_user):
    world, _election = counted
    client = as_user(world.nora)
    page = client.get(reverse("record-election-history", kwargs={"org": "acme"}))
    assert b"Mia Member: 3" in page.content
    download = client.get(reverse("record-election-history", kwargs={"org": "acme"}), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][0] == "election" and rows[1][9] == "Mia Member" and rows[1][10] == "Nora Nocircle"
    assert rows[1][13] == "80"
    api = client.get("/api/v1/election-history/", {"organisation": world.organisation.pk}).json()
    assert api[0]["turnout_percent"] == 80 and api[0]["elected"][0]["name"] == "Mia Member"
    assert as_user(world.olga).get(reverse("record-election-history", kwargs={"org": "acme"})).status_code == 404
