"""Celery beat sweeps for roles: thin wrappers around services. Periodic sweeps, never one-shot ETA
tasks, so a restart or a missed tick loses nothing and each run is safe to repeat."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def roles_rotation_sweep():
    """Remind before terms end, end or renew them on the day, open elections ahead, link stewards."""
    return services.roles_rotation_sweep()


@shared_task(ignore_result=True)
def elections_advance_due():
    """Move ballots from applications to voting and from voting to the count at their deadlines."""
    return services.elections_advance_due()
