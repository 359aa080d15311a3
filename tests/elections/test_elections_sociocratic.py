"""Sociocratic selection: circle members nominate (themselves included) with a reason, the facilitator
proposes a nominee, a consent round in the role's circle decides, and a passed round seats the
candidate with the term in the same transaction as the close."""

import zoneinfo
from datetime import datetime, timedelta

import pytest

from elections.services import election_cancel, election_open, election_propose, nomination_add, nomination_answer
from governance.errors import Conflict, Invalid, NotAllowed
from governance.models import Event
from proposals.models import Proposal
from proposals.services import position_record, proposal_close, proposal_withdraw, proposals_close_due
from roles.models import Election, RoleAssignment
from roles.services import role_assign
from tests.factories import make_facilitator, make_member, make_role

UTC = zoneinfo.ZoneInfo("UTC")


@pytest.fixture
def fran(world):
    """Fran facilitates Finance."""
    member = make_member(world.organisation)
    make_facilitator(world.finance, member)
    return member


@pytest.fixture
def election(world, fran, time_machine):
    time_machine.move_to(datetime(2027, 3, 1, 10, 0, tzinfo=UTC))
    role = make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")
    return election_open(role=role, by=world.member(world.steve))


def test_members_nominate_with_a_reason_themselves_included(world, election):
    mia = world.member(world.mia)

    nomination_add(election=election, nominee=mia, by=mia, reason="I keep our books already.")
    nomination_add(election=election, nominee=mia, by=world.member(world.steve), reason="Careful with money.")

    assert election.nominations.filter(nominee=mia).count() == 2
    assert Event.objects.filter(verb="election.nominated").count() == 2


def test_a_nomination_needs_a_reason(world, election):
    with pytest.raises(Invalid, match="Say why"):
        nomination_add(election=election, nominee=world.member(world.mia), by=world.member(world.mia), reason=" ")


def test_only_circle_members_nominate_and_only_circle_members_are_nominated(world, election):
    with pytest.raises(NotAllowed, match="Only members of Finance"):
        nomination_add(election=election, nominee=world.member(world.mia), by=world.member(world.nora), reason="x")
    with pytest.raises(Invalid, match="not on the roster of Finance"):
        nomination_add(election=election, nominee=world.member(world.nora), by=world.member(world.mia), reason="x")


def test_someone_past_the_term_limit_cannot_be_nominated_and_we_say_when_they_can(world, fran, time_machine):
    time_machine.move_to(datetime(2027, 1, 1, 10, 0, tzinfo=UTC))
    role = make_role(world.finance, "Bookkeeper", term_months=6, term_limit=1, selection="elected")
    role_assign(role=role, member=world.member(world.mia), by=None)
    time_machine.move_to(datetime(2027, 6, 20, 10, 0, tzinfo=UTC))
    election = election_open(role=role, by=None)

    with pytest.raises(Invalid, match="may serve again from 1 January 2028"):
        nomination_add(election=election, nominee=world.member(world.mia), by=world.member(world.mia), reason="Again")


def test_nominations_close_at_their_deadline(world, election, time_machine):
    time_machine.move_to(election.nominations_close_at + timedelta(minutes=1))

    with pytest.raises(Conflict, match="Nominations closed on 8 March 2027"):
        nomination_add(election=election, nominee=world.member(world.mia), by=world.member(world.mia), reason="Me")


def test_the_facilitator_proposes_a_nominee_which_opens_a_consent_round_in_the_circle(world, fran, election):
    mia = world.member(world.mia)
    nomination_add(election=election, nominee=mia, by=world.member(world.steve), reason="Careful with money.")
    nomination_answer(election=election, nominee=mia, accepted=True)

    election = election_propose(election=election, candidate=mia, by=fran)

    proposal = election.proposal
    assert election.state == "consent" and election.candidate == mia
    assert proposal.circle == world.finance and proposal.state == "open" and proposal.author == fran
    assert "Mia Member" in proposal.title and "until 1 September 2027" in proposal.body
    assert "Careful with money." in proposal.body


def test_the_facilitator_can_only_propose_a_nominee(world, fran, election):
    with pytest.raises(Invalid, match="has not been nominated"):
        election_propose(election=election, candidate=world.member(world.mia), by=fran)


def test_a_passed_round_creates_the_assignment_with_its_term_in_the_same_close(world, fran, election, time_machine):
    mia, steve = world.member(world.mia), world.member(world.steve)
    nomination_add(election=election, nominee=mia, by=steve, reason="Careful with money.")
    nomination_answer(election=election, nominee=mia, accepted=True)
    election = election_propose(election=election, candidate=mia, by=fran)
    for member in (mia, steve):  # Fran does not respond, so the round runs to its deadline
        position_record(proposal=election.proposal, member=member, kind="consent")

    time_machine.move_to(election.proposal.closes_at + timedelta(minutes=1))
    assert proposals_close_due() == 1
    assert proposals_close_due() == 0

    election.refresh_from_db()
    assignment = RoleAssignment.objects.current().get(role=election.role)
    assert election.state == "closed" and election.results["elected"] == [mia.pk]
    assert election.results["rounds"] == [{"proposal": election.proposal_id, "candidate": mia.pk, "outcome": "passed"}]
    assert assignment.member == mia and assignment.election == election
    assert assignment.planned_end_at == datetime(2027, 9, 8, tzinfo=UTC)  # six months from the close day
    assert RoleAssignment.objects.filter(role=election.role).count() == 1


def test_an_objection_sends_the_election_back_to_nominations(world, fran, election, time_machine):
    mia, steve = world.member(world.mia), world.member(world.steve)
    nomination_add(election=election, nominee=mia, by=mia, reason="I would like to.")
    nomination_add(election=election, nominee=steve, by=mia, reason="He knows the budget.")
    nomination_answer(election=election, nominee=steve, accepted=True)
    election = election_propose(election=election, candidate=mia, by=fran)
    position_record(proposal=election.proposal, member=steve, kind="objection", reason="Mia is overloaded.")
    time_machine.move_to(election.proposal.closes_at)
    proposal_close(proposal_id=election.proposal_id)

    election.refresh_from_db()
    assert election.state == "nominating" and election.candidate is None
    assert not RoleAssignment.objects.filter(role=election.role).exists()

    election = election_propose(election=election, candidate=steve, by=fran)
    assert election.state == "consent" and election.proposal.title.startswith("Select Steve Steward")
    assert election.results["rounds"][0]["outcome"] == "rejected"


def test_a_selection_held_ahead_of_time_seats_the_winner_when_the_term_starts(world, fran, time_machine):
    time_machine.move_to(datetime(2027, 1, 1, 10, 0, tzinfo=UTC))
    role = make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")
    current = role_assign(role=role, member=world.member(world.steve), by=None)
    time_machine.move_to(current.planned_end_at - timedelta(days=21))
    election = election_open(role=role, by=None)
    mia = world.member(world.mia)
    nomination_add(election=election, nominee=mia, by=mia, reason="My turn.")
    election = election_propose(election=election, candidate=mia, by=fran)
    time_machine.move_to(election.proposal.closes_at)
    proposal_close(proposal_id=election.proposal_id)

    upcoming = RoleAssignment.objects.get(role=role, member=mia)
    assert upcoming.is_upcoming and upcoming.started_at == current.planned_end_at
    assert upcoming.planned_end_at == datetime(2028, 1, 1, tzinfo=UTC)


def test_re_selecting_the_holder_gives_them_the_next_term_and_the_sweep_ends_the_first_as_re_elected(
    world, fran, time_machine
):
    from roles.services import assignments_end_due

    time_machine.move_to(datetime(2027, 1, 1, 10, 0, tzinfo=UTC))
    role = make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")
    mia = world.member(world.mia)
    first = role_assign(role=role, member=mia, by=None)
    time_machine.move_to(first.planned_end_at - timedelta(days=20))
    election = election_open(role=role, by=None)
    nomination_add(election=election, nominee=mia, by=world.member(world.steve), reason="Do it again.")
    nomination_answer(election=election, nominee=mia, accepted=True)
    election = election_propose(election=election, candidate=mia, by=fran)
    time_machine.move_to(election.proposal.closes_at)
    proposal_close(proposal_id=election.proposal_id)
    time_machine.move_to(first.planned_end_at + timedelta(hours=1))

    assignments_end_due()

    first.refresh_from_db()
    second = RoleAssignment.objects.current().get(role=role)
    assert first.end_reason == "re_elected" and second.member == mia and second.term_number == 2


def test_a_withdrawn_round_lets_the_facilitator_propose_again(world, fran, election):
    mia = world.member(world.mia)
    nomination_add(election=election, nominee=mia, by=mia, reason="Me.")
    election = election_propose(election=election, candidate=mia, by=fran)
    proposal_withdraw(proposal=election.proposal, by=fran)

    election = election_propose(election=election, candidate=mia, by=fran)

    assert election.proposal.state == "open" and Proposal.objects.filter(circle=world.finance).count() == 2


def test_cancelling_withdraws_the_open_round(world, fran, election):
    mia = world.member(world.mia)
    nomination_add(election=election, nominee=mia, by=mia, reason="Me.")
    election = election_propose(election=election, candidate=mia, by=fran)

    election_cancel(election=election, by=world.member(world.steve), reason="The role is being redesigned.")

    election.refresh_from_db()
    assert election.state == "cancelled" and election.proposal.state == "withdrawn"
    with pytest.raises(Conflict, match="already cancelled"):
        election_cancel(election=election, by=None, reason="Again")


def test_one_election_at_a_time_per_role(world, election):
    with pytest.raises(Conflict, match="already under way"):
        election_open(role=election.role, by=None)
    assert Election.objects.count() == 1
