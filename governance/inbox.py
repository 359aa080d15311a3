"""One inbox of what needs a member: each app says what of its own is waiting for that member.

The home page and `/api/v1/me/inbox/` list, newest deadline first, everything a member must do:
a position to give, a ballot to cast, a nomination to accept or decline, an agenda or minutes to
publish, an action due, a meeting today with their role in it, a term of theirs ending, a payment to
record. The core knows none of these; each app registers a source in its `AppConfig.ready()`:

    inbox_sources.register(proposals_awaiting_position)

A source is called with the member and the moment, and returns that member's entries. It must run a
constant number of queries however many entries there are (the inbox's query count is pinned), and
it must only return what the member may see and act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import get_language

from governance import response_cache
from governance.registry import Hook, Registry

if TYPE_CHECKING:
    from governance.models import Member


@dataclass(frozen=True)
class InboxEntry:
    kind: str  # stable key, also the API's: "proposal.position", "election.ballot", "meeting.minutes"…
    title: str  # the thing, as the page names it: the proposal's title, "Operations meeting"…
    action: str  # what to do, one translated phrase: "Give your position", "Publish the minutes"
    url: str  # where it is done
    due: datetime | None = None  # the deadline, if there is one
    circle: str = ""  # the circle's name, when the thing belongs to one
    role: str = ""  # the member's part in it, when it matters: "secretary", "facilitator"
    object_type: str = ""
    object_id: int | None = None


inbox_sources: Hook[[Member, datetime], list[InboxEntry]] = Hook(
    "governance.inbox_sources",
    doc="What of an app's is waiting for this member, now: a list of InboxEntry, in constant queries.",
)


# What each kind is called where the inbox counts them ("Positions to give"), registered with the
# source: `inbox_kinds.register("proposal.position", gettext_lazy("Positions to give"))`.
inbox_kinds: Registry = Registry("governance.inbox_kinds")


@dataclass(frozen=True)
class Inbox:
    """A member's inbox at one moment: the entries, most pressing first, and how many of each kind."""

    entries: list[InboxEntry]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.entries)

    def labelled_counts(self) -> list[tuple[str, str, int]]:
        """(kind, its label, how many), in the order the kinds were registered, unknown ones last."""
        order = {kind: n for n, kind in enumerate(inbox_kinds)}
        kinds = sorted(self.counts, key=lambda k: (order.get(k, len(order)), k))
        return [(kind, str(inbox_kinds.get(kind, kind)), self.counts[kind]) for kind in kinds]


def _deadline_order(entry: InboxEntry) -> tuple:
    # The nearest deadline first (an overdue one before one due later), what has none last; then by
    # title so that the order is stable between two reads.
    return (entry.due is None, entry.due.timestamp() if entry.due else 0, entry.kind, entry.title)


def inbox_collect(member: Member, now: datetime | None = None) -> Inbox:
    """Everything waiting for `member`, from every app's source: the inbox the home page, the
    navigation's counts and `/api/v1/me/inbox/` show. Each source runs a constant number of
    queries, so this does too, however many entries there are."""
    from_ = now or timezone.now()
    entries = [entry for found in inbox_sources.collect(member, from_) for entry in found]
    entries.sort(key=_deadline_order)
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.kind] = counts.get(entry.kind, 0) + 1
    return Inbox(entries=entries, counts=counts)


def inbox_of(member: Member, now: datetime | None = None) -> Inbox:
    """The member's inbox as inbox_collect gives it, kept in the response cache for this member
    under their organisation's version and the current minute.

    The navigation asks for the count on every page, so a member browsing reads their inbox many
    times a minute; the sources' queries then run once. The data is never stale (every write to the
    organisation replaces its version); the clock may be, by less than a minute (a round whose
    deadline passed 30 seconds ago, until the next minute or the sweep that closes it). The key
    names the member and the language the entries are written in: nobody else ever reads it."""
    moment = now or timezone.now()
    return response_cache.remember(
        "inbox",
        member.organisation_id,
        (member.pk, get_language(), moment.replace(second=0, microsecond=0).isoformat()),
        lambda: inbox_collect(member, moment),
    )


def inbox_cached(request, member: Member) -> Inbox | None:
    """The member's inbox if this request has collected it already, else None (and no query)."""
    return request.__dict__.get("_inbox_cache", {}).get(member.pk)


def inbox_for_request(request, member: Member) -> Inbox:
    """The member's inbox, read once per request however many times a page asks (the
    navigation's counts and the home page's list are the same read)."""
    cache = request.__dict__.setdefault("_inbox_cache", {})
    if member.pk not in cache:
        cache[member.pk] = inbox_of(member)
    return cache[member.pk]
