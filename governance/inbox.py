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

from governance.registry import Hook

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
