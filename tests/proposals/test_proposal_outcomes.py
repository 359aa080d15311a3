"""The decision rules: consent is the absence of objection; a majority counts weighted votes."""

import pytest

from governance.services import membership_class_save
from proposals.models import Proposal
from proposals.services import outcome_of, position_record, proposal_close
from tests.factories import make_member, make_proposal


@pytest.fixture
def finance(world):
    """Finance with steve and mia (class weight 1) plus two heavier worker members (weight 3)."""
    workers = membership_class_save(
        organisation=world.organisation, by=None, name="Workers", voting_weight=3, may_vote=True
    )
    world.w1 = make_member(world.organisation, membership_class=workers, circles=[world.finance])
    world.w2 = make_member(world.organisation, membership_class=workers, circles=[world.finance])
    return world


def close_now(proposal, time_machine):
    time_machine.move_to(proposal.closes_at)
    assert proposal_close(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return proposal


def test_consent_passes_without_objection_even_if_few_respond(finance, time_machine):
    proposal = make_proposal(finance.finance, finance.member(finance.steve))
    position_record(proposal=proposal, member=finance.member(finance.mia), kind="consent")
    position_record(proposal=proposal, member=finance.w1, kind="concern", reason="Watch the costs.")
    assert close_now(proposal, time_machine).outcome == Proposal.Outcome.PASSED


def test_a_standing_objection_rejects_a_consent_round(finance, time_machine):
    proposal = make_proposal(finance.finance, finance.member(finance.steve))
    for member in (finance.member(finance.mia), finance.w1):
        position_record(proposal=proposal, member=member, kind="consent")
    position_record(proposal=proposal, member=finance.w2, kind="objection", reason="It harms the reserve.")
    assert close_now(proposal, time_machine).outcome == Proposal.Outcome.REJECTED


def test_a_missed_quorum_closes_without_a_decision(finance, time_machine):
    # Eligible weight: steve 1 + mia 1 + w1 3 + w2 3 = 8; 50 % quorum needs 4.
    proposal = make_proposal(finance.finance, finance.member(finance.steve), quorum_percent=50)
    assert proposal.eligible_weight == 8
    position_record(proposal=proposal, member=finance.w1, kind="consent")
    assert close_now(proposal, time_machine).outcome == Proposal.Outcome.NO_QUORUM


def test_abstentions_count_towards_quorum(finance, time_machine):
    proposal = make_proposal(finance.finance, finance.member(finance.steve), quorum_percent=50)
    position_record(proposal=proposal, member=finance.w1, kind="abstain")
    position_record(proposal=proposal, member=finance.member(finance.mia), kind="consent")
    assert close_now(proposal, time_machine).outcome == Proposal.Outcome.PASSED


def test_a_majority_is_weighted_by_membership_class(finance, time_machine):
    proposal = make_proposal(finance.finance, finance.member(finance.steve), method="majority")
    position_record(proposal=proposal, member=finance.w1, kind="agree")  # 3
    position_record(proposal=proposal, member=finance.member(finance.mia), kind="disagree")  # 1
    position_record(proposal=proposal, member=finance.member(finance.steve), kind="disagree")  # 1
    # Two heads against one, but three weight against two.
    assert close_now(proposal, time_machine).outcome == Proposal.Outcome.PASSED


def test_a_tie_is_not_a_simple_majority(finance, time_machine):
    proposal = make_proposal(finance.finance, finance.member(finance.steve), method="majority")
    position_record(proposal=proposal, member=finance.w1, kind="agree")
    position_record(proposal=proposal, member=finance.w2, kind="disagree")
    assert close_now(proposal, time_machine).outcome == Proposal.Outcome.REJECTED


def test_two_thirds_needs_two_thirds_of_the_cast_weight(finance, time_machine):
    proposal = make_proposal(finance.finance, finance.member(finance.steve), method="majority", threshold="two_thirds")
    position_record(proposal=proposal, member=finance.w1, kind="agree")  # 3
    position_record(proposal=proposal, member=finance.member(finance.mia), kind="agree")  # 1
    position_record(proposal=proposal, member=finance.member(finance.steve), kind="disagree")  # 1
    position_record(proposal=proposal, member=finance.w2, kind="abstain")  # not cast
    assert outcome_of(proposal.__class__.objects.get(pk=proposal.pk)) == Proposal.Outcome.PASSED  # 4 of 5
    position_record(proposal=proposal, member=finance.member(finance.mia), kind="disagree")
    assert close_now(proposal, time_machine).outcome == Proposal.Outcome.REJECTED  # 3 of 5


def test_a_majority_with_no_votes_cast_is_rejected(finance, time_machine):
    proposal = make_proposal(finance.finance, finance.member(finance.steve), method="majority")
    position_record(proposal=proposal, member=finance.w1, kind="abstain")
    assert close_now(proposal, time_machine).outcome == Proposal.Outcome.REJECTED
