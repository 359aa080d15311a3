"""Queueing webhook deliveries, inside the transaction of the change that recorded the event.

The event log (governance.services.events) calls `webhook_deliveries_queue` for every event it
records whose verb is sent; this module writes one WebhookDelivery per enabled endpoint that chose
the event's type and asks Celery to send them after commit. It reads the event log's rows but never
writes them, so the event log depends on it and not the other way round (registering endpoints and
sending, which do record events, are governance.integrations.webhooks)."""

from __future__ import annotations

from django.conf import settings

from governance.dispatch import enqueue_after_commit
from governance.models import Event, WebhookDelivery, WebhookEndpoint

from .events import event_type_of


def payload_of(event: Event, event_type: str) -> dict:
    """What a receiver gets: the event's id, type and time, its organisation, and the event's data."""
    organisation, actor, circle = event.organisation, event.actor, event.circle
    return {
        "id": event.pk,
        "type": event_type,
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
        "organisation": {"id": organisation.pk, "slug": organisation.slug, "name": organisation.name},
        "data": {
            "verb": event.verb,
            "object": {"type": event.object_type, "id": event.object_id, "name": event.object_repr},
            "circle": {"id": circle.pk, "name": circle.name} if circle else None,
            "actor": {"id": actor.pk, "name": actor.user.display_name} if actor else None,
            "details": event.details,
            "event_url": f"{settings.SITE_URL}/api/v1/events/{event.pk}/",
        },
    }


def webhook_deliveries_queue(*, event: Event) -> int:
    """Write one delivery per enabled endpoint of the event's organisation that chose its type.
    Called by events_record in the transaction of the change; sending starts after commit."""
    event_type = event_type_of(event.verb)
    if event_type is None:
        return 0
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(organisation_id=event.organisation_id, is_active=True).only(
            "pk", "event_types"
        )
        if event_type in endpoint.event_types
    ]
    if not endpoints:
        return 0
    payload = payload_of(event, event_type)
    rows = [
        WebhookDelivery(endpoint=endpoint, event=event, event_type=event_type, payload=payload)
        for endpoint in endpoints
    ]
    # ignore_conflicts: the (endpoint, event) constraint already holds a row queued a moment ago.
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    webhooks_flush_after_commit()
    return len(rows)


def webhooks_flush_after_commit() -> None:
    """Send the due deliveries once the transaction commits (the beat sweep does, if the broker is down)."""
    enqueue_after_commit("governance.tasks.webhooks_flush")
