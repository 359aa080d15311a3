"""The hooks through which the core lets higher apps take part (see governance.registry).

The core knows organisations, members and invitations, not circles or roles. Where one of its rules
or writes depends on them, it calls a hook here, and the app that owns the data registers its
function in its `AppConfig.ready()`. Every hook is called inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .registry import Hook, Registry

if TYPE_CHECKING:
    from .models import Invitation, Member

stewardship: Hook[..., Iterable[int]] = Hook(
    "governance.stewardship",
    doc="The ids of the circles this member (a member, or a member's id) stewards now, or at the "
    "moment given as a second argument (a steward may invite people into their circle). A receiver "
    "may answer with a lazy queryset of ids: a list then filters by it inside its "
    "own query (invitations_visible_to), and the rules read it once per request (stewarded_circle_ids).",
)

invitation_accepted: Hook[[Invitation, Member], None] = Hook(
    "governance.invitation_accepted",
    doc="An invitation was accepted and its invitee is an active member: put them where the invitation "
    "says (its circle's roster). Called once the invitation is claimed, before `invitation.accepted` is "
    "recorded.",
)

member_left: Hook[[Member, Member | None, str], None] = Hook(
    "governance.member_left",
    doc="A member left the organisation (member, by, reason): end what they hold in the higher apps "
    "(rosters, role terms) with that reason, through the services that own them. Called once the "
    "member's status is `left`, before `member.left` is recorded.",
)

# Where the activity feed links what an event names: an object type (an event's `object_type`, the
# model's name) to a function of (organisation, ids) giving {id: the object's page}, in one query at
# most, so that a feed of any length links every object in a constant number of queries. Each app
# registers its own types in its `ready()`; the core's (members, invitations…) are in governance.activity.
event_links: Registry = Registry("governance.event_links")
