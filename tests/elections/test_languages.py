"""Elections read in the reader's language: the page's phases and sentences, the services' refusals;
the results CSV keeps its English columns and words for spreadsheets and recounts."""

import csv
import io
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from elections.services import ballot_cast, candidacy_add, election_open, elections_advance_due
from governance.errors import Conflict
from tests.factories import make_role

UTC = zoneinfo.ZoneInfo("UTC")
T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def ballot(world, time_machine):
    """A one-seat role of the general circle elected by ballot, open for applications."""
    time_machine.move_to(T0)
    role = make_role(world.general, "Council", seats=1, term_months=12, selection="elected", election_method="ballot")
    return election_open(role=role, by=world.member(world.alice))


def page_as(client, user, language, election):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client.get(reverse("election", kwargs={"org": "acme", "pk": election.pk})).content.decode()


def test_the_election_page_reads_in_french(world, ballot, client):
    page = page_as(client, world.alice, "fr", ballot)
    assert "Élection de" in page and "Candidatures" in page and "jusqu'au 10 mai à 09:00" in page
    assert "Pas encore de candidat·e." in page and "Applications" not in page


def test_the_election_page_reads_in_german(world, ballot, client):
    page = page_as(client, world.alice, "de", ballot)
    assert "Kandidaturen" in page and "bis 10. Mai, 09:00" in page and "Noch keine Kandidat·innen." in page


def test_a_second_ballot_is_refused_in_the_voter_s_language(world, ballot, time_machine):
    candidacy = candidacy_add(election=ballot, member=world.member(world.mia), statement="I will keep minutes.")
    time_machine.move_to(ballot.applications_close_at + timedelta(minutes=1))
    assert elections_advance_due() == 1
    ballot.refresh_from_db()
    ballot_cast(election=ballot, member=world.member(world.mia), choices=[candidacy.pk])
    with translation.override("es"), pytest.raises(Conflict, match=r"^Ya has votado; una papeleta no se puede cambiar"):
        ballot_cast(election=ballot, member=world.member(world.mia), choices=[candidacy.pk])


def test_the_results_csv_keeps_english_for_a_french_reader(world, ballot, client, time_machine):
    candidacy = candidacy_add(election=ballot, member=world.member(world.mia), statement="I will keep minutes.")
    time_machine.move_to(ballot.applications_close_at + timedelta(minutes=1))
    assert elections_advance_due() == 1
    ballot.refresh_from_db()
    ballot_cast(election=ballot, member=world.member(world.mia), choices=[candidacy.pk])
    time_machine.move_to(ballot.voting_closes_at + timedelta(minutes=1))
    assert elections_advance_due() == 1
    page = page_as(client, world.alice, "fr", ballot)
    assert "Résultat" in page and "Télécharger le dépouillement (CSV)" in page
    export = client.get(reverse("election-results-csv", kwargs={"org": "acme", "pk": ballot.pk}))
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "candidate" and rows[0][-3:] == ["weight", "elected", "tied"]
