"""Celery beat sweeps for meetings. Periodic sweeps, never one-shot ETA tasks: a restart or a missed
tick loses nothing, the next run catches up, and each sweep is safe to run twice (the outbox keys
make each reminder go to each person once; occurrence rows are unique per series and start)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def meetings_materialise():
    return services.meetings_materialise()


@shared_task(ignore_result=True)
def meetings_remind():
    """Meeting reminders (24 h and 1 h before), agenda due, minutes not published a day after."""
    return services.meetings_remind()


@shared_task(ignore_result=True)
def action_items_remind():
    return services.action_items_remind()
