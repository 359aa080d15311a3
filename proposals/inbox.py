"""What of the proposals app waits for a member (governance.inbox): a position to give in an open
round they are eligible in, and the objections and concerns standing against a round they opened."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.inbox import InboxEntry
from governance.models import Member
from governance.prepared import prepared

from .models import Kind, Proposal
from .queries import waiting_for_ids


@prepared
def _awaiting_position(member_id: int, organisation_id: int, now: datetime):
    return waiting_for_ids(member_id, organisation_id, now).values_list("pk", "title", "closes_at", "circle__name")


@prepared
def _standing_against(member_id: int, now: datetime):
    standing = Q(positions__is_current=True)
    return (
        Proposal.objects.filter(
            author_id=member_id, state=Proposal.State.OPEN, anonymous=False, hidden_results=False, closes_at__gt=now
        )
        .annotate(
            objections=Count("positions", filter=standing & Q(positions__kind=Kind.OBJECTION)),
            concerns=Count("positions", filter=standing & Q(positions__kind=Kind.CONCERN)),
        )
        .filter(Q(objections__gt=0) | Q(concerns__gt=0))
        .values_list("pk", "title", "closes_at", "circle__name", "objections", "concerns")
    )


def proposals_awaiting_position(member: Member, now: datetime) -> list[InboxEntry]:
    """Open rounds in which the member is eligible and has not taken a position: one prepared query
    (governance.prepared), of only what an entry shows (the rows of `waiting_for`)."""
    slug = member.organisation.slug
    rows = _awaiting_position(member_id=member.pk, organisation_id=member.organisation_id, now=now)
    return [
        InboxEntry(
            kind="proposal.position",
            title=title,
            action=_("Give your position"),
            url=reverse("proposal", kwargs={"org": slug, "pk": pk}),
            due=closes_at,
            circle=circle,
            object_type="proposal",
            object_id=pk,
        )
        for pk, title, closes_at, circle in rows
    ]


def objections_to_my_proposals(member: Member, now: datetime) -> list[InboxEntry]:
    """The member's open rounds with standing objections or concerns to answer: one entry per round,
    counted in one prepared query. A round whose results are hidden (every anonymous round is one)
    is left out: its author may not learn the counts by kind before the close (what the round shows
    everyone is "n of m responded")."""
    slug = member.organisation.slug
    rounds = _standing_against(member_id=member.pk, now=now)
    entries = []
    for pk, title, closes_at, circle, objections, concerns in rounds:
        parts = []
        if objections:
            parts.append(ngettext("%d objection", "%d objections", objections) % objections)
        if concerns:
            parts.append(ngettext("%d concern", "%d concerns", concerns) % concerns)
        entries.append(
            InboxEntry(
                kind="proposal.objection",
                title=title,
                action=_("Answer %(what)s") % {"what": _(" and ").join(parts)},
                url=reverse("proposal", kwargs={"org": slug, "pk": pk}),
                due=closes_at,
                circle=circle,
                role=_("author"),
                object_type="proposal",
                object_id=pk,
            )
        )
    return entries


def proposal_links(organisation, ids) -> dict[int, str]:
    """The activity feed's links to proposals (governance.hooks.event_links): no query needed."""
    return {pk: reverse("proposal", kwargs={"org": organisation.slug, "pk": pk}) for pk in ids}
