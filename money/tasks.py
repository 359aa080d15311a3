"""Celery beat sweeps for money. A round's deadline holds without them (the service refuses late
allocations); the sweep only finalises, once, however often it runs."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def money_rounds_finalise():
    return services.rounds_finalise_due()
