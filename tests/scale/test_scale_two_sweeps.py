"""Two closing sweeps at the same moment, as two workers fed by two beat schedulers run them: each
due round is closed exactly once, with one outcome, one event and one set of messages, and a round
that cannot close holds up neither sweep. Real threads, each with its own PostgreSQL connection."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count

from governance.models import Event, Notification, SweepFailure
from proposals.models import EligibleVoter, Proposal
from proposals.services import outcome_of, position_record, proposals_close_due
from tests.concurrency import run_together
from tests.factories import make_proposal
from tests.governance.test_hardening_sweeps import refusing

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"),
]


def _rounds(world, n):
    steve, mia = world.member(world.steve), world.member(world.mia)
    rounds = [make_proposal(world.finance, steve, title=f"Round {i}") for i in range(n)]
    for proposal in rounds[::3]:
        position_record(proposal=proposal, member=mia, kind="objection", reason="Not yet.")
    return rounds


def _each_closed_once(rounds):
    ids = [p.pk for p in rounds]
    closed = Proposal.objects.filter(pk__in=ids)
    assert all(p.state == Proposal.State.CLOSED and p.outcome == outcome_of(p) for p in closed)
    events = dict(
        Event.objects.filter(verb="proposal.closed", object_id__in=ids).values_list("object_id").annotate(n=Count("id"))
    )
    assert events == dict.fromkeys(ids, 1)
    for proposal in closed.select_related("author"):
        expected = {proposal.author.user.email} | set(
            EligibleVoter.objects.filter(proposal=proposal).values_list("member__user__email", flat=True)
        )
        messages = Notification.objects.filter(kind="proposal_closed", key=f"proposal:{proposal.pk}")
        assert sorted(messages.values_list("email", flat=True)) == sorted(expected)


def test_two_sweeps_at_once_close_each_due_round_exactly_once(world):
    rounds = _rounds(world, 40)
    due = rounds[-1].closes_at + timedelta(minutes=1)

    closed = run_together(2, lambda i: proposals_close_due(now=due, batch_size=3))

    assert sum(closed) == 40
    _each_closed_once(rounds)
    assert run_together(2, lambda i: proposals_close_due(now=due, batch_size=3)) == [0, 0]
    assert Event.objects.filter(verb="proposal.closed").count() == 40


def test_one_sweep_closes_batches_on_two_connections_each_due_round_exactly_once(world):
    """Outside a transaction the sweep is CLOSE_WORKERS sweepers at once (threads with their own
    connections), sharing the limit: each round is still closed once, and the count is exact."""
    rounds = _rounds(world, 40)
    due = rounds[-1].closes_at + timedelta(minutes=1)

    assert proposals_close_due(now=due, batch_size=3, limit=10, workers=2) == 10
    assert proposals_close_due(now=due, batch_size=3, workers=2) == 30
    assert proposals_close_due(now=due, batch_size=3, workers=2) == 0

    _each_closed_once(rounds)
    assert Event.objects.filter(verb="proposal.closed").count() == 40


def test_a_round_that_cannot_close_holds_up_neither_of_two_sweeps(world, caplog):
    poisoned, *rounds = _rounds(world, 31)
    due = rounds[-1].closes_at + timedelta(minutes=1)

    refused = f"NEW.id = {int(poisoned.pk)} AND NEW.state = 'closed'"
    with refusing(Proposal._meta.db_table, refused), caplog.at_level(logging.WARNING, logger="governance.sweeps"):
        closed = run_together(2, lambda i: proposals_close_due(now=due, batch_size=4))

    assert sum(closed) == 30
    _each_closed_once(rounds)
    assert Proposal.objects.get(pk=poisoned.pk).state == Proposal.State.OPEN
    failure = SweepFailure.objects.get(sweep="proposals_close_due", resolved_at__isnull=True)
    assert (failure.object_type, failure.object_id) == ("proposal", poisoned.pk)
    assert f"proposal {poisoned.pk} failed" in caplog.text
