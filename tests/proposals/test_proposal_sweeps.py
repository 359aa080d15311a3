"""The beat sweeps: closing due rounds, reminding before the close, and agreement reviews."""

from datetime import date, timedelta

from governance.models import Event, Notification
from proposals.models import Proposal
from proposals.services import (
    outcome_write,
    position_record,
    proposal_close,
    proposals_close_due,
    proposals_remind_closing_soon,
    proposals_remind_review,
)
from tests.factories import make_proposal


def test_the_sweep_closes_each_due_round_once_even_when_run_twice(world, time_machine):
    proposals = [make_proposal(world.finance, world.member(world.steve), title=f"P{i}") for i in range(3)]
    not_due = make_proposal(world.general, world.member(world.alice), round_length=timedelta(days=30))
    time_machine.move_to(proposals[0].closes_at + timedelta(hours=5))  # beat was down for hours
    assert proposals_close_due() == 3
    assert proposals_close_due() == 0
    assert not proposal_close(proposal_id=proposals[0].pk)
    for proposal in proposals:
        proposal.refresh_from_db()
        assert proposal.state == Proposal.State.CLOSED and proposal.outcome == Proposal.Outcome.PASSED
        assert Event.objects.filter(verb="proposal.closed", object_id=proposal.pk).count() == 1
        assert Notification.objects.filter(kind="proposal_closed", key=f"proposal:{proposal.pk}").count() == 2
    not_due.refresh_from_db()
    assert not_due.state == Proposal.State.OPEN


def test_closing_soon_reminds_only_those_who_have_not_responded_and_only_once(world, time_machine):
    proposal = make_proposal(world.finance, world.member(world.steve))
    position_record(proposal=proposal, member=world.member(world.steve), kind="consent")
    time_machine.move_to(proposal.closes_at - timedelta(hours=30))
    assert proposals_remind_closing_soon() == 0
    time_machine.move_to(proposal.closes_at - timedelta(hours=20))
    assert proposals_remind_closing_soon() == 1
    time_machine.move_to(proposal.closes_at - timedelta(hours=2))
    assert proposals_remind_closing_soon() == 0
    reminder = Notification.objects.get(kind="proposal_closing_soon")
    assert reminder.recipient == world.mia


def test_a_review_date_reminds_the_proposer_and_the_steward_once(world, time_machine):
    proposal = make_proposal(world.finance, world.member(world.mia))
    time_machine.move_to(proposal.closes_at)
    proposals_close_due()
    outcome_write(
        proposal=proposal,
        by=world.member(world.mia),
        statement="Agreed.",
        review_date=date.today() + timedelta(days=90),
    )
    assert proposals_remind_review() == 0
    time_machine.move_to(proposal.closes_at + timedelta(days=91))
    assert proposals_remind_review() == 2
    assert proposals_remind_review() == 0
    assert set(Notification.objects.filter(kind="agreement_review").values_list("recipient__email", flat=True)) == {
        "mia@acme.test",
        "steve@acme.test",
    }
