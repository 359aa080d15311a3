from django import template

from proposals.models import Proposal
from proposals.why import why_decided

register = template.Library()


@register.filter
def why(proposal):
    """The rule that decided a closed round (proposals.why), for pages and emails; None for anything
    that is not a closed proposal (a template rendered without one, a round still open)."""
    if not isinstance(proposal, Proposal) or proposal.state != Proposal.State.CLOSED:
        return None
    return why_decided(proposal)
