"""Celery tasks: thin, idempotent wrappers around services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def notifications_flush():
    """Deliver due outbox rows. Runs after each commit that queues mail and every minute from beat."""
    return services.notifications_flush()


@shared_task(ignore_result=True)
def notification_send(notification_id: int):
    return services.notification_send(notification_id=notification_id)
