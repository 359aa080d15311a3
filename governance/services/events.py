"""The event log: one line per change, appended by the service that makes it, in its transaction.

Every line whose verb is sent to webhooks queues its deliveries here (governance.integrations
.deliveries), so that no service can record an event and forget its webhooks."""

from __future__ import annotations

from governance.integrations.deliveries import webhook_deliveries_queue
from governance.integrations.events import event_type_of
from governance.models import Event, Member, Organisation, WebhookEndpoint


def event_record(
    *, organisation: Organisation, actor: Member | None, verb: str, obj, circle=None, details=None
) -> Event:
    """Append one line to the organisation's event log. Called by services inside their transaction.

    It also queues the webhook deliveries of the event, in the same transaction (see
    governance.integrations.events for which verbs are sent)."""
    (event,) = events_record(
        events=[event_new(organisation=organisation, actor=actor, verb=verb, obj=obj, circle=circle, details=details)]
    )
    return event


def event_new(*, organisation: Organisation, actor: Member | None, verb: str, obj, circle=None, details=None) -> Event:
    """An unsaved line of the event log, to pass to events_record."""
    return Event(
        organisation=organisation,
        actor=actor,
        verb=verb,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        circle=circle,
        details=details or {},
    )


def plain(value):
    """A value as an event's details hold it: JSON's own types as they are, anything else (a circle,
    a moment, a date, a decimal) as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def changes_apply(obj, values: dict) -> dict[str, list]:
    """Set `values` on `obj` (unsaved) and say what changed, the way every `*.updated` event records
    it: `{field: [before, after]}` with plain values, only for the fields whose value differs. An event
    puts it under `details["changes"]`, so that every app's events and webhooks have one shape."""
    changed = {}
    for field, value in values.items():
        before = getattr(obj, field)
        if before != value:
            changed[field] = [plain(before), plain(value)]
            setattr(obj, field, value)
    return changed


def events_record(*, events: list[Event]) -> list[Event]:
    """Append many lines in one INSERT (the closing sweep records a batch of rounds at once).

    The one writer of the event log: event_record is a call of it with one line, so whatever must
    follow every event (its webhook deliveries) is done here, for one event or a thousand alike."""
    if not events:
        return []
    Event.objects.bulk_create(events, batch_size=1000)
    sent = [event for event in events if event_type_of(event.verb)]
    if len(sent) > 1:
        # One query tells which organisations have a webhook at all, so that a batch whose
        # organisations have none costs no query per event.
        hooked = set(
            WebhookEndpoint.objects.filter(
                organisation_id__in={event.organisation_id for event in sent}, is_active=True
            ).values_list("organisation_id", flat=True)
        )
        sent = [event for event in sent if event.organisation_id in hooked]
    for event in sent:
        webhook_deliveries_queue(event=event)
    return events
