from django import template

from proposals.why import why_decided

register = template.Library()


@register.filter
def why(proposal):
    """The rule that decided a closed round (proposals.why), for pages and emails."""
    return why_decided(proposal)
