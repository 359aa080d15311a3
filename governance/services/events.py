"""The event log: one line per change, appended by the service that makes it, in its transaction.

Every line whose verb is sent to webhooks queues its deliveries here (governance.integrations
.deliveries), so that no service can record an event and forget its webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.functional import Promise

from governance.integrations.deliveries import webhook_deliveries_queue
from governance.integrations.events import event_type_of
from governance.models import Event, Member, Organisation, WebhookEndpoint
from governance.response_cache import organisations_changed


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


# Who is acting in the Django admin, when the site admin is not a member of the organisation: the
# event's actor is a membership, which they have not, so the event names them in its details instead
# (set around each admin save and action by governance.admin_tools.ServiceAdmin).
_site_admin: ContextVar[str | None] = ContextVar("site_admin", default=None)


@contextmanager
def site_admin_acting(user) -> Iterator[None]:
    """Events recorded inside without an actor name this site admin (`details["site_admin"]`)."""
    name = (getattr(user, "name", "") or getattr(user, "email", "") or str(user))[:150]
    token = _site_admin.set(name)
    try:
        yield
    finally:
        _site_admin.reset(token)


def event_new(*, organisation: Organisation, actor: Member | None, verb: str, obj, circle=None, details=None) -> Event:
    """An unsaved line of the event log, to pass to events_record."""
    site_admin = _site_admin.get()
    if actor is None and site_admin:
        details = {**(details or {}), "site_admin": site_admin}
    return Event(
        organisation=organisation,
        actor=actor,
        verb=verb,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        circle=circle,
        details=_written(details or {}),
    )


def _written(value):
    """Details with every lazily translated text (a date written for its reader) written out, in the
    language active now: what is stored and sent to webhooks is the words, not the promise of them."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {key: _written(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_written(item) for item in value]
    return value


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
    follow every event (its webhook deliveries, and the new version of what the response cache keeps
    for the organisation) is done here, for one event or a thousand alike."""
    if not events:
        return []
    Event.objects.bulk_create(events, batch_size=1000)
    organisations_changed({event.organisation_id for event in events})
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
