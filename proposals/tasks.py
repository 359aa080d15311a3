"""Celery beat sweeps for proposals. Periodic sweeps, never one-shot ETA tasks: a restart or a missed
tick loses nothing, the next run catches up, and each sweep is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def proposals_close_due():
    return services.proposals_close_due()


@shared_task(ignore_result=True)
def proposals_remind_closing_soon():
    return services.proposals_remind_closing_soon()


@shared_task(ignore_result=True)
def proposals_remind_review():
    return services.proposals_remind_review()
