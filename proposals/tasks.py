"""Celery beat sweeps for proposals. Periodic sweeps, never one-shot ETA tasks: a restart or a missed
tick loses nothing, the next run catches up, and each sweep is safe to run twice."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(bind=True, ignore_result=True)
def proposals_close_due(self, share: bool = True):
    """Close every due round. A backlog of more than one batch is shared with the worker's other
    processes: this sweep first queues as many more sweeps (`share=False`, so they queue none) as
    SWEEP_PROCESSES allows and the backlog needs, on the queue it came from, and all of them claim
    batches with SKIP LOCKED, each round closed once whoever claims it. A worker's processes then
    close rounds side by side on its cores, where one process's threads would wait for each other's
    turn at the interpreter."""
    if share:
        queue = (self.request.delivery_info or {}).get("routing_key")
        for _ in range(services.sweeps_to_share(processes=settings.SWEEP_PROCESSES)):
            proposals_close_due.apply_async(kwargs={"share": False}, **({"queue": queue} if queue else {}))
    return services.proposals_close_due()


@shared_task(ignore_result=True)
def proposals_remind_closing_soon():
    return services.proposals_remind_closing_soon()


@shared_task(ignore_result=True)
def proposals_remind_review():
    return services.proposals_remind_review()
