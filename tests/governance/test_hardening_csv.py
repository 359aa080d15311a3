"""CSV exports defuse spreadsheet formulas in every cell: one function (governance.exports.csv_cell)
following OWASP's list (= + - @ tab carriage return) with the line feed, NUL, the full-width signs
and a sign behind leading spaces, on every export: the decision log (circle, title, outcome
statement, proposer) and an election's count (candidates, ballot choices)."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle
from elections.services import ballot_cast, candidacy_add, election_open, elections_advance_due
from governance.exports import csv_cell
from proposals.models import Proposal
from proposals.services import outcome_write, proposal_close
from tests.factories import make_member, make_proposal, make_role

# Each way a cell can start a formula, and a payload behind it.
LEADS = ["=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", " ="]
IDS = ["equals", "plus", "minus", "at", "tab", "cr", "lf", "fw-equals", "fw-plus", "fw-minus", "fw-at", "space-equals"]


def evil(lead: str) -> str:
    return f'{lead}HYPERLINK("http://evil.test","x")'


@pytest.mark.parametrize("lead", [*LEADS, "\x00"], ids=[*IDS, "nul"])
def test_a_cell_that_starts_like_a_formula_is_quoted_as_text(lead):
    assert csv_cell(evil(lead)) == "'" + evil(lead)


@pytest.mark.parametrize("text", ["Finance", "Budget 2027", "a=b", "x-ray", "mail@example.test", "'quoted", ""])
def test_ordinary_text_is_left_as_it_is(text):
    assert csv_cell(text) == text


def test_numbers_and_dates_we_computed_stay_numbers_and_dates():
    assert [csv_cell(v) for v in (-3, 2.5, Decimal("-1.50"), None, True)] == ["-3", "2.5", "-1.50", "", "True"]
    assert csv_cell(datetime(2027, 5, 3).date()) == "2027-05-03"


def _rows(answer) -> list[list[str]]:
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.content.decode())))


def _closed_with_outcome(circle, author, *, title, statement):
    proposal = make_proposal(circle, author, title=title)
    when = timezone.now() - timedelta(days=1)
    Proposal.objects.filter(pk=proposal.pk).update(opened_at=when - proposal.round_length, closes_at=when)
    assert proposal_close(proposal_id=proposal.pk, now=when)
    proposal.refresh_from_db()
    return outcome_write(proposal=proposal, by=author, statement=statement)


@pytest.mark.parametrize("lead", LEADS, ids=IDS)
def test_the_decision_log_defuses_every_text_cell(world, client, lead):
    # Written straight to the rows, as data from before names refused control characters would be.
    Circle.objects.filter(pk=world.finance.pk).update(name=evil(lead))
    author = world.member(world.steve)
    type(author.user).objects.filter(pk=author.user.pk).update(name=evil(lead))
    author.user.refresh_from_db()
    proposal = _closed_with_outcome(world.finance, author, title="Budget", statement="Agreed")
    Proposal.objects.filter(pk=proposal.pk).update(title=evil(lead), outcome_statement=evil(lead))
    client.force_login(world.mia)

    answer = client.get(reverse("decision-log", kwargs={"org": "acme"}), {"format": "csv"})

    header, row = _rows(answer)
    cells = dict(zip(header, row, strict=True))
    for column in ("circle", "title", "outcome_statement", "proposer"):
        assert cells[column] == "'" + evil(lead), column
    assert cells["outcome"] == "passed" and cells["eligible"] == "2"


def test_every_cell_of_the_decision_log_is_quoted(world, client):
    _closed_with_outcome(world.finance, world.member(world.steve), title="Budget; =1+1", statement="Fine")
    client.force_login(world.mia)
    body = client.get(reverse("decision-log", kwargs={"org": "acme"}), {"format": "csv"}).content.decode()
    # Quoted, a ";" cannot split the cell where a spreadsheet's locale separates on it.
    assert '"Budget; =1+1"' in body and body.splitlines()[0].startswith('"id","closed_at"')


@pytest.fixture
def closed_election(world, time_machine):
    """A one-seat ballot election in the general circle with two candidates, closed."""
    time_machine.move_to(datetime(2027, 5, 3, 9, tzinfo=UTC))
    role = make_role(world.general, "Council", seats=1, term_months=12, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice))

    def stand(name):
        member = make_member(world.organisation)
        type(member.user).objects.filter(pk=member.user.pk).update(name=name)
        member.user.refresh_from_db()
        return candidacy_add(election=election, member=member, statement="Me")

    def run(*names):
        candidacies = [stand(name) for name in names]
        time_machine.move_to(election.applications_close_at + timedelta(minutes=1))
        assert elections_advance_due() == 1
        election.refresh_from_db()
        ballot_cast(election=election, member=world.member(world.steve), choices=[candidacies[0].pk])
        time_machine.move_to(election.voting_closes_at + timedelta(minutes=1))
        assert elections_advance_due() == 1
        election.refresh_from_db()
        return election

    return run


@pytest.mark.parametrize("lead", LEADS, ids=IDS)
def test_an_elections_count_defuses_candidate_names_and_ballot_choices(world, client, closed_election, lead):
    election = closed_election(evil(lead), "Plain Name")
    client.force_login(world.alice)

    rows = _rows(client.get(reverse("election-results-csv", kwargs={"org": "acme", "pk": election.pk})))

    assert rows[1:3] == [["'" + evil(lead), "1", "1", "True", "False"], ["Plain Name", "0", "0", "False", "False"]]
    ballots = rows[rows.index(["weight", "choices"]) + 1 :]
    assert [b[1] for b in ballots] == ["'" + evil(lead)]
