"""A steward named by a decision: the receiver of circles.hooks.steward_appoint, through which a
circle created by a proposal's change (circles.changes, circle.create) gets its steward-to-be."""

from __future__ import annotations

from governance.changes import ChangeContext
from governance.models import Member

from .terms import steward_assign


def steward_appoint(*, circle, member: Member, by: Member | None, decision: ChangeContext | None = None):
    return steward_assign(circle=circle, member=member, by=by)
