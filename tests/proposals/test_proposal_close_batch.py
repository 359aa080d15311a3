"""The closing sweep closes due rounds in batches; a batch and a single close come out the same."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from governance.models import Event, Notification
from proposals.models import Proposal
from proposals.services import position_record, proposal_close, proposals_close_due
from tests.factories import make_proposal


def _event(proposal):
    event = Event.objects.get(verb="proposal.closed", object_id=proposal.pk)
    return (event.organisation_id, event.actor_id, event.circle_id, event.object_type, event.object_repr, event.details)


def _messages(proposal):
    """The proposal_closed messages of a round, with its own id taken out of the link."""
    return sorted(
        (n.email, n.recipient_id, n.organisation_id, n.subject, n.body.replace(f"/p/{proposal.pk}/", "/p/ID/"))
        for n in Notification.objects.filter(kind="proposal_closed", key=f"proposal:{proposal.pk}")
    )


def test_a_round_closed_by_the_sweep_gets_the_same_event_and_messages_as_one_closed_alone(world, time_machine):
    steve, mia = world.member(world.steve), world.member(world.mia)
    alone = make_proposal(world.finance, steve, title="Adopt a shared budget")
    swept = make_proposal(world.finance, steve, title="Adopt a shared budget")
    others = [make_proposal(world.finance, steve, title=f"Another round {n}") for n in range(3)]
    for proposal in (alone, swept):
        position_record(proposal=proposal, member=mia, kind="objection", reason="Too soon for us.")
        position_record(proposal=proposal, member=steve, kind="consent")
    time_machine.move_to(swept.closes_at + timedelta(minutes=1))

    assert proposal_close(proposal_id=alone.pk)
    assert proposals_close_due() == 1 + len(others)

    assert _event(alone) == _event(swept)
    assert _event(swept)[-1] == {"outcome": "rejected", "tally": {"objection": [1, 1], "consent": [1, 1]}}
    assert _messages(alone) == _messages(swept)
    assert [(email, subject) for email, _, _, subject, _ in _messages(swept)] == [
        ("mia@acme.test", "[Finance] Rejected: Adopt a shared budget"),
        ("steve@acme.test", "[Finance] Rejected: Adopt a shared budget"),
    ]
    body = _messages(swept)[0][-1]
    assert "has closed: rejected." in body and "2 of 2 responded." in body and body.endswith("/o/acme/p/ID/\n")
    for proposal in [alone, swept, *others]:
        proposal.refresh_from_db()
        assert proposal.state == Proposal.State.CLOSED
        assert Event.objects.filter(verb="proposal.closed", object_id=proposal.pk).count() == 1


def test_the_proposer_hears_of_the_outcome_even_when_not_eligible(world, time_machine):
    proposal = make_proposal(world.outreach, world.member(world.steve), title="Print flyers")
    time_machine.move_to(proposal.closes_at)
    assert proposals_close_due() == 1
    assert [email for email, *_ in _messages(proposal)] == ["otto@acme.test", "steve@acme.test"]


def _sweep_queries(world, time_machine, rounds: int) -> int:
    proposals = [make_proposal(world.finance, world.member(world.steve), title=f"Round {n}") for n in range(rounds)]
    time_machine.move_to(proposals[-1].closes_at + timedelta(minutes=1))
    with CaptureQueriesContext(connection) as captured:
        assert proposals_close_due() == rounds
    return len(captured.captured_queries)


def test_a_batch_of_rounds_closes_in_as_many_queries_as_a_single_round(world, time_machine):
    one = _sweep_queries(world, time_machine, 1)
    assert _sweep_queries(world, time_machine, 8) == one


def test_the_sweep_works_through_a_backlog_in_batches(world, time_machine):
    proposals = [make_proposal(world.finance, world.member(world.steve), title=f"Round {n}") for n in range(5)]
    time_machine.move_to(proposals[-1].closes_at)
    assert proposals_close_due(batch_size=2) == 5
    assert proposals_close_due(batch_size=2) == 0
    assert Event.objects.filter(verb="proposal.closed").count() == 5


def test_the_sweep_stops_at_its_limit_and_the_next_run_closes_the_rest(world, time_machine):
    proposals = [make_proposal(world.finance, world.member(world.steve), title=f"Round {n}") for n in range(3)]
    time_machine.move_to(proposals[-1].closes_at)
    assert proposals_close_due(limit=2, batch_size=5) == 2
    assert proposals_close_due(limit=2, batch_size=5) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
def test_a_round_locked_by_another_transaction_is_left_for_the_next_sweep(world):
    busy, free = (make_proposal(world.finance, world.member(world.steve), title=t) for t in ("Busy", "Free"))
    later = busy.closes_at + timedelta(minutes=1)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                Proposal.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        assert proposals_close_due(now=later) == 1  # the free one, without waiting for the lock
    finally:
        release.set()
        holder.join()
    assert Proposal.objects.get(pk=free.pk).state == Proposal.State.CLOSED
    assert Proposal.objects.get(pk=busy.pk).state == Proposal.State.OPEN
    assert proposals_close_due(now=later) == 1
    assert Proposal.objects.get(pk=busy.pk).state == Proposal.State.CLOSED
