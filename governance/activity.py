"""The activity feed: events as sentences, repeated ones grouped ("Alice added 4 items to the agenda
of …"), and every object an event names linked to its page.

Events are grouped when they follow one another in the feed with the same actor, verb and object
(the meeting whose agenda grew, the proposal that got comments…), or, for a verb whose object is
one of many (people added to a circle), the same actor, verb and circle. The links come from
`governance.hooks.event_links`, one query per object type, so the feed's query count is flat.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .hooks import event_links
from .models import Event, Organisation

# Verbs whose events name one of many objects in a circle: grouped by actor, verb and circle.
BY_CIRCLE = {"roster.added", "roster.removed", "role.assigned", "invitation.created", "tension.raised"}
# Verbs whose actor is each time the person it is about (who joined): grouped by verb alone.
BY_VERB = {"member.joined", "member.rejoined", "invitation.accepted"}

# How a group of n reads (the single events' phrases are governance_tags.EVENT_PHRASES); {count} is
# how many, the other names as there. Lazy: each reader gets the sentence in their language.
GROUP_PHRASES = {
    "agenda.item_added": _("{actor} added {count} items to the agenda of {object}"),
    "agenda.item_removed": _("{actor} took {count} items off the agenda of {object}"),
    "roster.added": _("{actor} added {count} people to {circle}"),
    "roster.removed": _("{actor} took {count} people off {circle}"),
    "role.assigned": _("{actor} filled {count} roles in {circle}"),
    "member.joined": _("{count} people joined the organisation"),
    "member.rejoined": _("{count} people rejoined the organisation"),
    "invitation.accepted": _("{count} people accepted an invitation and joined"),
    "invitation.created": _("{actor} invited {count} people"),
    "tension.raised": _("{actor} raised {count} tensions in {circle}"),
    "proposal.commented": _("{actor} commented {count} times on {object}"),
    "proposal.question_asked": _("{actor} asked {count} questions about {object}"),
    "position.recorded": _("{actor} changed their position on {object} {count} times"),
    "action_item.updated": _("{actor} updated the action {object} {count} times"),
    "meeting.updated": _("{actor} changed the meeting {object} {count} times"),
    "attendance.recorded": _("{actor} recorded attendance at {object} {count} times"),
}


@dataclass
class ActivityLine:
    events: list[Event] = field(default_factory=list)

    @property
    def first(self) -> Event:
        return self.events[0]  # the newest: the feed is newest first

    @property
    def count(self) -> int:
        return len(self.events)

    @property
    def created_at(self) -> datetime:
        return self.first.created_at

    @property
    def since(self) -> datetime:
        return self.events[-1].created_at


def _group_key(event: Event) -> tuple:
    if event.verb in BY_VERB:
        return (event.verb,)
    if event.verb in BY_CIRCLE:
        return (event.actor_id, event.verb, "circle", event.circle_id)
    return (event.actor_id, event.verb, event.object_type, event.object_id)


def events_grouped(events, *, limit: int | None = None) -> list[ActivityLine]:
    """Consecutive events with the same group key, as one line each; at most `limit` lines."""
    lines: list[ActivityLine] = []
    for event in events:
        if lines and _group_key(lines[-1].first) == _group_key(event):
            lines[-1].events.append(event)
        else:
            if limit is not None and len(lines) == limit:
                break
            lines.append(ActivityLine(events=[event]))
    return lines


def _core_links(organisation: Organisation, object_type: str, ids: set[int]) -> dict[int, str]:
    slug = organisation.slug
    if object_type == "member":
        return {pk: reverse("member", kwargs={"org": slug, "pk": pk}) for pk in ids}
    if object_type == "invitation":
        return dict.fromkeys(ids, reverse("invitations", kwargs={"org": slug}))
    if object_type in ("organisation", "membershipclass"):
        return dict.fromkeys(ids, reverse("organisation_settings", kwargs={"org": slug}))
    return {}


def object_links(organisation: Organisation, events) -> dict[tuple[str, int], str]:
    """{(object type, id): page} for every object the events name: one call per type."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_id is not None:
            wanted[event.object_type].add(event.object_id)
    links = {}
    for object_type, ids in wanted.items():
        resolve = event_links.get(object_type)
        found = resolve(organisation, ids) if resolve else _core_links(organisation, object_type, ids)
        links.update({(object_type, pk): url for pk, url in found.items()})
    return links
