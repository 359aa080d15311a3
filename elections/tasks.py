"""Celery beat sweeps for elections: thin wrappers around services. Periodic sweeps, never one-shot
ETA tasks, so a restart or a missed tick loses nothing and each run is safe to repeat. (Elections
are also opened ahead of time by the hourly rotation sweep, roles.tasks.roles_rotation_sweep.)"""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def elections_advance_due():
    """Move ballots from applications to voting and from voting to the count at their deadlines."""
    return services.elections_advance_due()
