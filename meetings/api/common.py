"""What the meetings API's serializers share: the list errors, and the fields that name a meeting,
a tension or a proposal the caller may see."""

from __future__ import annotations

from governance.api.base import ScopeField, VisibleRelatedField
from proposals.models import Proposal
from proposals.queries import visible_proposals

from .. import queries
from ..models import Meeting, Tension

LIST = (400, 401)


def meeting_scope(**kwargs):
    return ScopeField(model=Meeting, visible=queries.meetings_visible_to, **kwargs)


def tension_reference(**kwargs):
    return VisibleRelatedField(model=Tension, visible=queries.tensions_visible_to, **kwargs)


def proposal_reference(**kwargs):
    return VisibleRelatedField(model=Proposal, visible=visible_proposals, **kwargs)


def meeting_reference(**kwargs):
    return VisibleRelatedField(model=Meeting, visible=queries.meetings_visible_to, **kwargs)
