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

steward_appoint: Hook[..., object] = Hook(
    "circles.steward_appoint",
    doc="A circle a decision created is to have this steward (circle=, member=, by=, decision=): make "
    "them its steward, recording the decision in the event (roles fills it with steward_assign).",
)
