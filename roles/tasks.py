"""Celery beat sweeps for roles: thin wrappers around services. Periodic sweeps, never one-shot ETA
tasks, so a restart or a missed tick loses nothing and each run is safe to repeat."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def roles_rotation_sweep():
    """Remind before terms end, end or renew them on the day, link stewards; then the steps other apps
    add (elections open ahead of time and advance)."""
    return services.roles_rotation_sweep()
