"""Services schedule background work here, by task name, once their transaction commits.

A service never imports a tasks module (tasks import the services they wrap, not the reverse), and
never sends anything for a transaction that rolls back. A broker outage is logged, not raised: the
work is already in the database (an outbox row, a webhook delivery) and the periodic sweep that
Celery beat runs picks it up.
"""

import logging
from dataclasses import dataclass, field
from functools import cache

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Enqueue:
    """The after-commit callback that enqueues one task: equal to another for the same task and
    arguments, so that a test can tell what a transaction will enqueue."""

    task_name: str
    kwargs: dict = field(default_factory=dict)

    def __call__(self) -> None:
        _send(self.task_name, self.kwargs)


def enqueue_after_commit(task_name: str, **kwargs) -> None:
    """Run the Celery task `task_name` (e.g. "governance.tasks.notifications_flush") with these
    keyword arguments after the current transaction commits (at once outside one)."""
    transaction.on_commit(Enqueue(task_name, kwargs))


@cache
def _import_tasks() -> None:
    # What a worker does when it starts: import every installed app's tasks module, so that the tasks
    # are known here by name and `.delay()` honours CELERY_TASK_ALWAYS_EAGER.
    current_app.loader.import_default_modules()


def _task(task_name: str):
    # Only where the task is not known yet (a web process, once): in a worker's pool process the
    # tasks are known already, and importing again would run django.setup() again, whose logging
    # configuration drops the handlers Celery gave that process (its log lines would be lost).
    if task_name not in current_app.tasks:
        _import_tasks()
    return current_app.tasks[task_name]


def _send(task_name: str, kwargs: dict) -> None:
    try:
        _task(task_name).delay(**kwargs)
    except Exception as exc:  # the broker is down: the periodic sweep does the work later
        log.warning("Could not enqueue %s (%s); the periodic sweep will do it.", task_name, exc)
