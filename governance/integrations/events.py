"""Which events of the log are sent to webhooks, under which public event type. The one place.

A service records an event with `governance.services.event_record(verb=…)`; when its verb is a key
of VERB_EVENT_TYPES, every enabled webhook endpoint of the organisation that chose that event type
gets one delivery. An app plugs its events in by recording the verb listed here (or by adding its
verb here); nothing else is needed. The public type is a stable name integrators subscribe to, so
two verbs may share one type (a member who rejoins has "joined" as far as a receiver cares).
"""

# Public event types, as integrators choose them, with the label the pages show.
EVENT_TYPES: dict[str, str] = {
    "proposal.opened": "Proposal opened",
    "position.recorded": "Position recorded",
    "proposal.closed": "Proposal closed",
    "role.assigned": "Role assigned",
    "role.term_ending": "Role term ending",
    "election.opened": "Election opened",
    "election.closed": "Election closed",
    "meeting.scheduled": "Meeting scheduled",
    "agenda.published": "Agenda published",
    "minutes.published": "Minutes published",
    "member.joined": "Member joined",
    "tension.raised": "Tension raised",
}

# Event-log verb -> public event type.
VERB_EVENT_TYPES: dict[str, str] = {
    # proposals
    "proposal.opened": "proposal.opened",
    "position.recorded": "position.recorded",
    "proposal.closed": "proposal.closed",
    # roles and elections
    "role.assigned": "role.assigned",
    "role.term_ending": "role.term_ending",
    "election.opened": "election.opened",
    "election.closed": "election.closed",
    # meetings
    "meeting.scheduled": "meeting.scheduled",
    "agenda.published": "agenda.published",
    "minutes.published": "minutes.published",
    "tension.raised": "tension.raised",
    # members
    "member.joined": "member.joined",
    "member.rejoined": "member.joined",
}

EVENT_TYPE_CHOICES = list(EVENT_TYPES.items())


def event_type_of(verb: str) -> str | None:
    return VERB_EVENT_TYPES.get(verb)


def verbs_of(event_type: str) -> list[str]:
    return [verb for verb, type_ in VERB_EVENT_TYPES.items() if type_ == event_type]
