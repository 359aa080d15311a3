"""After the deadline the only thing that may happen to a round is its close: between the deadline and
the sweep, nobody withdraws a proposal or amends it, cancels an election whose vote has closed or
whose consent round has ended, or withdraws a candidacy once applications have closed. The services
refuse (409 over the API, a message on the page), the pages no longer offer it, and the sweep then
records the outcome as if nobody had tried."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from elections.services import (
    ballot_cast,
    candidacy_add,
    candidacy_withdraw,
    election_cancel,
    election_open,
    election_propose,
    elections_advance_due,
    nomination_add,
)
from governance.errors import Conflict
from governance.models import Event
from proposals.models import Proposal
from proposals.services import (
    objection_withdraw,
    position_record,
    proposal_amend,
    proposal_withdraw,
    proposals_close_due,
)
from roles.models import Election, RoleAssignment
from roles.services import role_archive
from tests.factories import make_facilitator, make_member, make_proposal, make_role

UTC = zoneinfo.ZoneInfo("UTC")
T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_url(name, obj):
    return reverse(name, kwargs={"org": obj.organisation.slug, "pk": obj.pk})


# Proposals -----------------------------------------------------------------------------------------


@pytest.fixture
def late_round(world, time_machine):
    """Steve's consent round in Finance, with Mia's consent, one minute past its deadline and not yet
    closed by the sweep."""
    time_machine.move_to(T0)
    proposal = make_proposal(world.finance, world.member(world.steve))
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="Too costly.")
    time_machine.move_to(proposal.closes_at + timedelta(minutes=1))
    return proposal


def test_the_author_cannot_withdraw_a_round_after_its_deadline_and_the_sweep_records_its_outcome(world, late_round):
    with pytest.raises(Conflict, match="can no longer be withdrawn"):
        proposal_withdraw(proposal=late_round, by=world.member(world.steve))

    late_round.refresh_from_db()
    assert late_round.state == Proposal.State.OPEN and late_round.withdrawn_at is None
    assert not Event.objects.filter(verb="proposal.withdrawn").exists()
    assert proposals_close_due() == 1
    late_round.refresh_from_db()
    assert late_round.state == Proposal.State.CLOSED and late_round.outcome == Proposal.Outcome.REJECTED


def test_nothing_else_changes_a_round_after_its_deadline(world, late_round):
    mia, steve = world.member(world.mia), world.member(world.steve)

    with pytest.raises(Conflict):
        proposal_amend(proposal=late_round, by=steve, title="A cheaper budget", body="Half of it.")
    with pytest.raises(Conflict):
        objection_withdraw(proposal=late_round, member=mia)
    with pytest.raises(Conflict):
        position_record(proposal=late_round, member=mia, kind="consent")

    late_round.refresh_from_db()
    assert late_round.version == 1 and late_round.tally == {"objection": [1, 1]}


def test_the_api_answers_409_to_a_withdrawal_after_the_deadline(world, late_round):
    answer = api(world.steve).post(f"/api/v1/proposals/{late_round.pk}/withdraw/")

    assert answer.status_code == 409 and "can no longer be withdrawn" in answer.json()["detail"]
    late_round.refresh_from_db()
    assert late_round.state == Proposal.State.OPEN


def test_the_page_offers_withdrawing_and_amending_until_the_deadline_only(world, client, time_machine):
    time_machine.move_to(T0)
    proposal = make_proposal(world.finance, world.member(world.steve))
    client.force_login(world.steve)
    before = client.get(page_url("proposal", proposal)).content.decode()
    time_machine.move_to(proposal.closes_at + timedelta(minutes=1))
    client.force_login(world.steve)  # the session expired in the days travelled

    after = client.get(page_url("proposal", proposal)).content.decode()
    answer = client.post(page_url("proposal-withdraw", proposal), follow=True).content.decode()

    assert "Withdraw the proposal" in before and page_url("proposal-amend", proposal) in before
    assert "Withdraw the proposal" not in after and page_url("proposal-amend", proposal) not in after
    assert "can no longer be withdrawn" in answer
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.OPEN


def test_a_draft_and_a_round_before_its_deadline_can_still_be_withdrawn(world, time_machine):
    time_machine.move_to(T0)
    steve = world.member(world.steve)
    draft = make_proposal(world.finance, steve, opened=False)
    running = make_proposal(world.finance, steve)
    time_machine.move_to(running.closes_at - timedelta(minutes=1))

    proposal_withdraw(proposal=draft, by=steve)
    proposal_withdraw(proposal=running, by=steve)

    assert set(Proposal.objects.values_list("state", flat=True)) == {Proposal.State.WITHDRAWN}


# Ballots -------------------------------------------------------------------------------------------


@pytest.fixture
def ballot(world, time_machine):
    """A one-seat ballot in the general circle: Mia stands, voting is open and Steve has voted."""
    time_machine.move_to(T0)
    role = make_role(world.general, "Council", seats=1, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice))
    candidacy = candidacy_add(election=election, member=world.member(world.mia), statement="Me.")
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1))
    elections_advance_due()
    election.refresh_from_db()
    ballot_cast(election=election, member=world.member(world.steve), choices=[candidacy.pk])
    return election


def test_a_steward_cannot_cancel_an_election_after_voting_closed_and_the_sweep_counts_it(world, ballot, time_machine):
    time_machine.move_to(ballot.voting_closes_at + timedelta(minutes=1))

    with pytest.raises(Conflict, match=r"Voting closed on 17 May 2027; .* can no longer be cancelled"):
        election_cancel(election=ballot, by=world.member(world.alice), reason="Start again.")

    ballot.refresh_from_db()
    assert ballot.state == Election.State.VOTING and ballot.cancelled_at is None
    assert elections_advance_due() == 1
    ballot.refresh_from_db()
    assert ballot.state == Election.State.CLOSED and ballot.results["elected"] == [world.member(world.mia).pk]
    assert RoleAssignment.objects.current().get(role=ballot.role).member == world.member(world.mia)


def test_an_election_can_still_be_cancelled_while_voting_is_open(world, ballot, time_machine):
    time_machine.move_to(ballot.voting_closes_at - timedelta(minutes=1))

    election_cancel(election=ballot, by=world.member(world.alice), reason="The role is being redesigned.")

    ballot.refresh_from_db()
    assert ballot.state == Election.State.CANCELLED


def test_the_api_answers_409_to_a_cancellation_after_voting_closed(world, ballot, time_machine):
    time_machine.move_to(ballot.voting_closes_at + timedelta(minutes=1))

    answer = api(world.alice).post(f"/api/v1/elections/{ballot.pk}/cancel/", {"reason": "Again."}, format="json")

    assert answer.status_code == 409 and "can no longer be cancelled" in answer.json()["detail"]
    assert Election.objects.get(pk=ballot.pk).state == Election.State.VOTING


def test_the_page_offers_cancelling_until_voting_closes_only(world, ballot, client, time_machine):
    client.force_login(world.alice)
    before = client.get(page_url("election", ballot)).content.decode()
    time_machine.move_to(ballot.voting_closes_at + timedelta(minutes=1))
    client.force_login(world.alice)

    after = client.get(page_url("election", ballot)).content.decode()
    answer = client.post(page_url("election-cancel", ballot), {"reason": "Again."}, follow=True).content.decode()

    assert "Cancel the election" in before and "Cancel the election" not in after
    assert "Voting has closed; the ballots are being counted" in after
    assert "can no longer be cancelled" in answer
    assert Election.objects.get(pk=ballot.pk).state == Election.State.VOTING


def test_archiving_the_role_cannot_cancel_an_election_whose_voting_has_closed(world, ballot, time_machine):
    time_machine.move_to(ballot.voting_closes_at + timedelta(minutes=1))

    with pytest.raises(Conflict, match="can no longer be cancelled"):
        role_archive(role=ballot.role, by=world.member(world.alice))

    ballot.role.refresh_from_db()
    assert ballot.role.archived_at is None and Election.objects.get(pk=ballot.pk).state == Election.State.VOTING


def test_a_candidacy_cannot_be_withdrawn_once_applications_have_closed(world, time_machine):
    time_machine.move_to(T0)
    role = make_role(world.general, "Council", seats=1, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice))
    candidacy = candidacy_add(election=election, member=world.member(world.mia), statement="Me.")
    time_machine.move_to(election.applications_close_at + timedelta(minutes=1))

    with pytest.raises(Conflict, match="only while applications are open"):
        candidacy_withdraw(candidacy=candidacy, member=world.member(world.mia))

    candidacy.refresh_from_db()
    assert candidacy.withdrawn_at is None
    elections_advance_due()
    assert Election.objects.get(pk=election.pk).state == Election.State.VOTING


# Sociocratic selection -----------------------------------------------------------------------------


@pytest.fixture
def consent_round(world, time_machine):
    """Fran, Finance's facilitator, proposed Mia; the circle consented and the round's deadline passed
    a minute ago, before the sweep."""
    time_machine.move_to(T0)
    fran = make_member(world.organisation)
    make_facilitator(world.finance, fran)
    role = make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")
    election = election_open(role=role, by=world.member(world.steve))
    mia = world.member(world.mia)
    nomination_add(election=election, nominee=mia, by=mia, reason="I keep our books already.")
    election = election_propose(election=election, candidate=mia, by=fran)
    position_record(proposal=election.proposal, member=mia, kind="consent")
    time_machine.move_to(election.proposal.closes_at + timedelta(minutes=1))
    election.fran = fran
    return election


def test_a_selection_cannot_be_cancelled_once_its_consent_round_has_ended(world, consent_round):
    with pytest.raises(Conflict, match=r"consent round closed on \d+ May 2027; .* can no longer be cancelled"):
        election_cancel(election=consent_round, by=world.member(world.steve), reason="Start again.")
    with pytest.raises(Conflict, match="can no longer be withdrawn"):
        proposal_withdraw(proposal=consent_round.proposal, by=consent_round.fran)

    assert proposals_close_due() == 1
    consent_round.refresh_from_db()
    assert consent_round.state == Election.State.CLOSED and consent_round.proposal.state == Proposal.State.CLOSED
    assert RoleAssignment.objects.get(role=consent_round.role).member == world.member(world.mia)


def test_the_selection_page_offers_no_cancel_once_its_consent_round_has_ended(world, consent_round, client):
    client.force_login(world.steve)

    page = client.get(page_url("election", consent_round)).content.decode()

    assert "Cancel the election" not in page
