"""The Celery app, and which queue each kind of task goes to.

Three queues, so that one kind of work cannot hold up another: `sweeps` (the beat sweeps that close
rounds, remind, rotate terms: the default), `email` (the outbox and the digests) and `webhooks`
(deliveries, which wait on other people's servers for up to WEBHOOK_TIMEOUT_SECONDS each). A slow
webhook receiver then fills the webhooks queue and its workers only; rounds still close on time.
`make run` starts one worker that consumes all three; docs/deploy.md says how to give each its own.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

SWEEPS, EMAIL, WEBHOOKS = "sweeps", "email", "webhooks"
QUEUES = (SWEEPS, EMAIL, WEBHOOKS)

# Every task not named here is a sweep (the default queue).
QUEUE_OF_TASK = {
    "governance.tasks.notifications_flush": EMAIL,
    "governance.tasks.notification_send": EMAIL,
    "governance.tasks.digests_send": EMAIL,
    "governance.tasks.webhooks_flush": WEBHOOKS,
    "governance.tasks.webhook_deliver": WEBHOOKS,
}


def queue_of(task_name: str) -> str:
    return QUEUE_OF_TASK.get(task_name, SWEEPS)


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery's task router (CELERY_TASK_ROUTES): the queue of the task's kind."""
    return {"queue": queue_of(name)}


app = Celery("project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
