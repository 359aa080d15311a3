"""Where the apps above circles take part in what circles do, without circles naming them
(governance.registry). Each hook is called inside the caller's transaction; roles fills them in
RolesConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from governance.registry import Hook

if TYPE_CHECKING:
    from governance.models import Member

circle_founded: Hook[..., object] = Hook(
    "circles.circle_founded",
    doc="A circle was just created (circle=): give it what every circle has (its core roles), before "
    "circle.created is recorded.",
)

roster_removing: Hook[..., None] = Hook(
    "circles.roster_removing",
    doc="A member is about to be taken off a roster (membership=): a receiver refuses by raising a "
    "DomainError (the circle's steward keeps it; a term that brought the seat holds it).",
)

stewards: Hook[[Iterable[int]], dict[int, Member]] = Hook(
    "circles.stewards",
    doc="The current steward of each of these circles (ids), as {circle id: member}, in one query.",
)

roster_ended: Hook[..., None] = Hook(
    "circles.roster_ended",
    doc="A stay on a roster just ended (membership=), by removal or by leaving the organisation: end "
    "what the member held through that roster (proxies in the circle), before roster.removed is recorded.",
)

circle_moved: Hook[..., None] = Hook(
    "circles.circle_moved",
    doc="A circle was just moved under another parent (circle=, old_parent=, by=): what follows the tree "
    "follows it at once (the double-linking of its steward and delegate), before circle.moved is recorded.",
)

roster_removed: Hook[..., None] = Hook(
    "circles.roster_removed",
    doc="A member was just taken off a circle's roster (membership=, by=): what needed the seat ends with it "
    "(their terms in the circle's roles, and the parent seat a delegate's term brought).",
)

steward_appoint: Hook[..., object] = Hook(
    "circles.steward_appoint",
    doc="A circle a decision created is to have this steward (circle=, member=, by=, decision=): make "
    "them its steward, recording the decision in the event (roles fills it with steward_assign).",
)
