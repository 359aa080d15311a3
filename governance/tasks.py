"""Celery tasks: thin, idempotent wrappers around services."""

from celery import shared_task

from . import digests, services
from .integrations import webhooks


@shared_task(ignore_result=True)
def notifications_flush():
    """Deliver due outbox rows. Runs after each commit that queues mail and every minute from beat."""
    return services.notifications_flush()


@shared_task(ignore_result=True)
def digests_send():
    """Queue the daily digests that are due (beat, every quarter of an hour; see governance.digests)."""
    return digests.digests_send()


@shared_task(ignore_result=True)
def notification_send(notification_id: int):
    return services.notification_send(notification_id=notification_id)


@shared_task(ignore_result=True)
def webhooks_flush():
    """Attempt every due webhook delivery: after each commit that queues some, and from beat every
    30 seconds, which is how failed attempts are retried once their backoff has passed."""
    return webhooks.webhooks_flush()


@shared_task(ignore_result=True)
def webhook_deliver(delivery_id: int):
    return webhooks.webhook_deliver(delivery_id=delivery_id)
