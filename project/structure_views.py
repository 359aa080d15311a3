"""One click from a working group's page (where its end reminder leads) to a draft proposal, in its
parent circle, carrying the change "extend it" or "close it". The draft is the member's own: they
review it, edit its change and open the round. (A role's "Propose a change" is proposals'
`propose-change` page, pre-filled from the kind's `initial`.)"""

from __future__ import annotations

from datetime import timedelta

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from circles.queries import get_circle_for
from governance.errors import DomainError, NotAllowed
from governance.models import Member
from proposals.services import change_add, proposal_create

WORKING_GROUP_KINDS = {"extend": "working_group.extend", "close": "circle.archive"}


@transaction.atomic
def proposal_draft_with_change(*, circle, author: Member, title: str, body: str, kind: str, data: dict):
    """A draft proposal in `circle` carrying one change: made and checked in one transaction, so a
    change that does not check leaves no empty draft behind."""
    proposal = proposal_create(circle=circle, author=author, title=title, body=body)
    change_add(proposal=proposal, by=author, kind=kind, data=data)
    return proposal


def _author(request, circle) -> Member:
    """The member drafting in `circle`, if the proposals' rules let them propose there."""
    if not rules.test_rule("proposals.add_proposal", request.user, circle):
        raise NotAllowed(gettext("Only the members of “%(circle)s” can propose there.") % {"circle": circle.name})
    return Member.objects.get(organisation_id=circle.organisation_id, user=request.user)


def _drafted(request, proposal):
    messages.success(request, gettext("A draft proposal carries the change. Review it, then open the round."))
    return redirect("proposal", org=proposal.organisation.slug, pk=proposal.pk)


@login_required
@require_POST
def working_group_propose(request, org, circle, action):
    """Draft, in the working group's parent circle, a proposal to extend it (by default as long again
    as a month) or to close it."""
    group = get_circle_for(request.user, org, circle)
    kind = WORKING_GROUP_KINDS.get(action)
    if kind is None or not group.is_working_group or group.parent is None:
        return redirect("working_group_end", org=org, circle=group.slug)
    if action == "extend":
        data = {"circle": group.pk, "ends_on": (group.ends_on + timedelta(days=30)).isoformat()}
        title = gettext("Extend the working group “%(circle)s”") % {"circle": group.name}
    else:
        data = {"circle": group.pk, "reason": gettext("Its work is done.")}
        title = gettext("Close the working group “%(circle)s”") % {"circle": group.name}
    try:
        proposal = proposal_draft_with_change(
            circle=group.parent,
            author=_author(request, group.parent),
            title=title,
            body=gettext("Where the working group stands, and why: …"),
            kind=kind,
            data=data,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("working_group_end", org=org, circle=group.slug)
    return _drafted(request, proposal)
