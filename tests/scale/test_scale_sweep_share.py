"""A backlog of due rounds is shared between a sweeps worker's processes: the closing sweep beat
sends queues more sweeps on its own queue, one per batch beyond the first and at most one per other
process (SWEEP_PROCESSES), and each due round is still closed exactly once, with one outcome, one
event and one set of messages. A real Celery worker with two processes, on PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from proposals.models import Proposal
from proposals.services import sweeps_to_share
from proposals.tasks import proposals_close_due
from tests.scale.test_scale_two_sweeps import _each_closed_once, _rounds
from tests.worker import celery_worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"),
]


def test_a_backlog_asks_for_one_more_sweep_per_batch_beyond_the_first_up_to_the_processes(world):
    rounds = _rounds(world, 7)
    due = rounds[-1].closes_at + timedelta(minutes=1)
    assert sweeps_to_share(processes=2, now=due, batch_size=3) == 1
    assert sweeps_to_share(processes=4, now=due, batch_size=3) == 2  # three batches: two more sweeps
    assert sweeps_to_share(processes=4, now=due, batch_size=7) == 0  # one batch: this sweep alone
    assert sweeps_to_share(processes=1, now=due, batch_size=1) == 0  # one process: nobody to share with
    assert sweeps_to_share(processes=2, now=rounds[0].closes_at - timedelta(minutes=1), batch_size=1) == 0


@pytest.mark.worker
def test_a_workers_two_processes_close_a_backlog_together_each_round_once(world, tmp_path):
    rounds = _rounds(world, 40)
    ids = [p.pk for p in rounds]
    Proposal.objects.filter(pk__in=ids).update(closes_at=timezone.now() - timedelta(minutes=1))
    log = tmp_path / "worker.log"
    with celery_worker(log_path=log, env={"SWEEP_BATCH": "5", "SWEEP_PROCESSES": "2"}, processes=2) as worker:
        proposals_close_due.delay()
        closed = wait_for(
            lambda: not Proposal.objects.filter(pk__in=ids, state=Proposal.State.OPEN).exists(),
            timeout=60,
            process=worker,
        )
        # The sweep beat sent, and the one it queued for the other process, both ran to the end.
        finished = wait_for(lambda: log.read_text().count("succeeded in") >= 2, timeout=30, process=worker)
    text = log.read_text()
    assert closed and finished, text
    assert text.count("Task proposals.tasks.proposals_close_due[") - text.count("succeeded in") == 2  # received
    done = [int(line.rsplit(": ", 1)[1]) for line in text.splitlines() if "succeeded in" in line]
    assert sum(done) == 40
    _each_closed_once(rounds)
