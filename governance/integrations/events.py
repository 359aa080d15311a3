"""Which events of the log are sent to webhooks, under which public event type.

A service records an event with `governance.services.event_record(verb=…)`; when its verb is one of
a registered event type's verbs, every enabled webhook endpoint of the organisation that chose that
type gets one delivery. Each app registers the types of the events it records, in its
`AppConfig.ready()`:

    event_types.add("proposal.opened", "Proposal opened")

The public type is a stable name integrators subscribe to, so two verbs may share one type (a member
who rejoins has "joined" as far as a receiver cares). Types are listed in the order they were
registered, that is of INSTALLED_APPS.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from governance.registry import Registry


@dataclass(frozen=True)
class EventType:
    label: str  # as the pages show it
    verbs: tuple[str, ...]  # the event-log verbs sent as this type


class EventTypes(Registry[EventType]):
    """Public event types by name, and the verb each event-log verb is sent as."""

    def __init__(self, name: str):
        super().__init__(name)
        self._type_of_verb: dict[str, str] = {}

    def register(self, key: str, value: EventType) -> EventType:
        for verb in value.verbs:
            if self._type_of_verb.get(verb, key) != key:
                raise ImproperlyConfigured(f"{self.name}: the verb {verb!r} is sent as {self._type_of_verb[verb]!r}.")
        super().register(key, value)
        self._type_of_verb.update(dict.fromkeys(value.verbs, key))
        return value

    def add(self, key: str, label: str, *verbs: str) -> EventType:
        """Register the type `key`, sent for the events whose verb is one of `verbs` (by default, `key`)."""
        return self.register(key, EventType(label=label, verbs=verbs or (key,)))

    def of_verb(self, verb: str) -> str | None:
        return self._type_of_verb.get(verb)


event_types = EventTypes("governance.event_types")


def event_type_of(verb: str) -> str | None:
    """The public type an event with this verb is sent as; None if it is not sent."""
    return event_types.of_verb(verb)


def verbs_of(event_type: str) -> list[str]:
    return list(event_types[event_type].verbs)


def event_type_label(event_type: str) -> str:
    found = event_types.get(event_type)
    return found.label if found else event_type


def event_type_choices() -> list[tuple[str, str]]:
    """(type, label) for every registered type. The apps register theirs in `ready()`, so the list
    is whole only once they all have: a form or serializer built earlier would miss some."""
    if not apps.ready:
        raise ImproperlyConfigured("The event types are known once every app is ready; read them later.")
    return [(key, value.label) for key, value in event_types.items()]
