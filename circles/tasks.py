"""Celery beat sweeps for circles: thin wrappers around services, safe to run twice."""

from celery import shared_task

from .working_groups import working_groups_remind as remind


@shared_task(ignore_result=True)
def working_groups_remind():
    """Remind working groups' stewards before their end date, offering to extend or close."""
    return remind()
