"""Tasks go to the queue of their kind, so that a slow webhook receiver or a mail outage fills only
its own queue and rounds still close: routed through kombu for real (its in-memory transport), and
every queue consumed by `make run`'s worker."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection

from project.celery import EMAIL, QUEUES, SWEEPS, WEBHOOKS, app, queue_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker():
    """An in-memory broker with the project's queues declared on it."""
    app.loader.import_default_modules()
    with Connection("memory://") as connection:
        channel = connection.default_channel
        for queue in app.amqp.queues.values():
            queue(channel).declare()
        yield connection


def _published(broker, task_name):
    """Send the task by name through the project's router; the queue it lands in."""
    app.send_task(task_name, connection=broker)
    found = []
    for name in QUEUES:
        message = broker.SimpleQueue(name, no_ack=True).get_nowait() if _size(broker, name) else None
        if message is not None:
            found.append((name, message.headers["task"]))
    return found


def _size(broker, name):
    return broker.default_channel.queue_declare(queue=name, passive=True).message_count


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("proposals.tasks.proposals_close_due", SWEEPS),
        ("roles.tasks.roles_rotation_sweep", SWEEPS),
        ("governance.tasks.notifications_flush", EMAIL),
        ("governance.tasks.notification_send", EMAIL),
        ("governance.tasks.digests_send", EMAIL),
        ("governance.tasks.webhooks_flush", WEBHOOKS),
        ("governance.tasks.webhook_deliver", WEBHOOKS),
    ],
)
def test_a_task_is_published_to_the_queue_of_its_kind(broker, task, queue):
    assert _published(broker, task) == [(queue, task)]


def test_every_task_beat_sends_is_routed_and_the_sweeps_keep_a_queue_of_their_own():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    by_queue = {name: {task for task in scheduled if queue_of(task) == name} for name in QUEUES}
    assert by_queue[EMAIL] == {"governance.tasks.notifications_flush", "governance.tasks.digests_send"}
    assert by_queue[WEBHOOKS] == {"governance.tasks.webhooks_flush"}
    assert "proposals.tasks.proposals_close_due" in by_queue[SWEEPS]
    assert set().union(*by_queue.values()) == scheduled


def test_make_runs_worker_consumes_every_queue():
    worker = next(line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.startswith("worker:"))
    consumed = re.search(r"celery -A project worker .*-Q (\S+)", worker)[1].split(",")
    assert sorted(consumed) == sorted(QUEUES) == sorted(settings.CELERY_TASK_QUEUES)
    assert settings.CELERY_TASK_DEFAULT_QUEUE == SWEEPS
