"""Property: whatever sequence of opens, positions, changes, withdrawals, amendments and closes, the
stored tally always equals a recount of the current position rows."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.errors import DomainError
from proposals.models import Proposal
from proposals.queries import tally_recount
from proposals.services import objection_withdraw, position_record, proposal_amend, proposal_close
from tests.factories import make_member, make_proposal

KINDS = ["consent", "concern", "objection", "abstain", "agree"]  # "agree" is refused in consent rounds

step = st.one_of(
    st.tuples(st.just("position"), st.integers(0, 4), st.sampled_from(KINDS)),
    st.tuples(st.just("withdraw"), st.integers(0, 4), st.none()),
    st.tuples(st.just("amend"), st.integers(0, 1000), st.none()),
    st.tuples(st.just("close"), st.none(), st.none()),
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=25))
def test_the_stored_tally_always_equals_a_recount(world, steps):
    members = [world.member(world.steve), world.member(world.mia)]
    members += [make_member(world.organisation, circles=[world.finance]) for _ in range(3)]
    proposal = make_proposal(world.finance, members[0], round_length=timedelta(days=1))
    for action, n, kind in steps:
        try:
            if action == "position":
                position_record(proposal=proposal, member=members[n], kind=kind, reason="because")
            elif action == "withdraw":
                objection_withdraw(proposal=proposal, member=members[n])
            elif action == "amend":
                proposal_amend(proposal=proposal, by=members[0], title=proposal.title, body=f"Text {n}")
                proposal.refresh_from_db()
            else:
                proposal_close(proposal_id=proposal.pk, now=timezone.now() + timedelta(days=2))
        except DomainError:
            pass
        proposal.refresh_from_db()
        assert proposal.tally == tally_recount(proposal)
        assert proposal.responded_count == sum(h for h, _ in tally_recount(proposal).values())
    assert proposal.state in (Proposal.State.OPEN, Proposal.State.CLOSED)
