"""Real concurrency on PostgreSQL: many connections at the same moment, no lost or doubled rows."""

from datetime import timedelta

import pytest
from django.db import connection

from governance.models import Event
from proposals.models import Position, Proposal
from proposals.queries import tally_recount
from proposals.services import position_record, proposal_close
from tests.concurrency import run_together
from tests.factories import make_circle, make_member, make_proposal

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"),
]


def test_fifty_members_posting_at_once_give_fifty_current_positions(world):
    circle = make_circle(world.organisation, "Assembly", steward=world.member(world.alice))
    members = [make_member(world.organisation, circles=[circle]) for _ in range(49)]
    members.append(world.member(world.alice))
    proposal = make_proposal(circle, world.member(world.alice))
    run_together(50, lambda i: position_record(proposal=proposal, member=members[i], kind="consent"))
    assert Position.objects.filter(proposal=proposal, is_current=True).count() == 50
    proposal.refresh_from_db()
    assert proposal.tally == tally_recount(proposal) == {"consent": [50, 50]}


def test_one_member_sending_the_same_position_twenty_times_gives_one_row(world):
    proposal = make_proposal(world.finance, world.member(world.steve))
    mia = world.member(world.mia)
    run_together(20, lambda i: position_record(proposal=proposal, member=mia, kind="objection", reason="Too much"))
    assert Position.objects.filter(proposal=proposal, member=mia).count() == 1
    proposal.refresh_from_db()
    assert proposal.tally == {"objection": [1, 1]}


def test_ten_concurrent_closes_give_one_outcome(world, time_machine):
    proposal = make_proposal(world.finance, world.member(world.steve))
    position_record(proposal=proposal, member=world.member(world.mia), kind="consent")
    time_machine.move_to(proposal.closes_at + timedelta(seconds=1), tick=True)
    results = run_together(10, lambda i: proposal_close(proposal_id=proposal.pk))
    assert results.count(True) == 1
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.CLOSED and proposal.outcome == Proposal.Outcome.PASSED
    assert Event.objects.filter(verb="proposal.closed", object_id=proposal.pk).count() == 1
