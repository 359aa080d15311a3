"""The pages of a circle's written agreements (its policy document, with every section's history)
and of a working group's end (extend or close it, by proposal)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from governance.rules import member_for

from .models import Policy
from .policies import policy_sections, version_history
from .queries import get_circle_for


@login_required
def circle_policy(request, org, circle):
    """The policy in force, section by section, each with the decision behind its newest version and,
    on demand, its versions with what each changed; repealed sections below."""
    circle = get_circle_for(request.user, org, circle)
    sections = list(policy_sections(circle, repealed=True))
    context = {
        "organisation": circle.organisation,
        "me": member_for(request.user, circle.organisation_id),
        "circle": circle,
        "policy": Policy.objects.filter(circle=circle).first(),
        "sections": [(s, version_history(s)) for s in sections if not s.is_repealed],
        "repealed": [(s, version_history(s)) for s in sections if s.is_repealed],
        "nav": "circles",
    }
    return render(request, "circles/policy.html", context)


@login_required
def working_group_end(request, org, circle):
    """Where the reminder before a working group's end leads: its goal and date, and the two
    proposals its steward may draft in one click (extend or close)."""
    circle = get_circle_for(request.user, org, circle)
    context = {
        "organisation": circle.organisation,
        "me": member_for(request.user, circle.organisation_id),
        "circle": circle,
        "nav": "circles",
    }
    return render(request, "circles/working_group_end.html", context)
