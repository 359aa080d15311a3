"""What of elections is waiting for a member, for the inbox (governance.inbox, registered in
ElectionsConfig.ready()): nominations asked of them that they have not answered, and ballots they
may cast and have not. One query, however many elections there are."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext

from governance.inbox import InboxEntry
from governance.models import Member
from governance.prepared import prepared
from roles.models import BallotVoter, Election, ElectionMethod, Nomination, NomineeAnswer


@prepared
def _awaiting(member_id: int, organisation_id: int, now: datetime):
    asked = Q(
        method=ElectionMethod.SOCIOCRATIC,
        state=Election.State.NOMINATING,
        asked=True,
        answered=False,
    )
    to_cast = Q(state=Election.State.VOTING, voting_closes_at__gt=now, unvoted=True)
    return (
        Election.objects.filter(organisation_id=organisation_id)
        .filter(Q(state=Election.State.NOMINATING, method=ElectionMethod.SOCIOCRATIC) | Q(state=Election.State.VOTING))
        .annotate(
            asked=Exists(Nomination.objects.filter(election=OuterRef("pk"), nominee_id=member_id)),
            answered=Exists(NomineeAnswer.objects.filter(election=OuterRef("pk"), nominee_id=member_id)),
            unvoted=Exists(BallotVoter.objects.filter(election=OuterRef("pk"), member_id=member_id, has_voted=False)),
        )
        .filter(asked | to_cast)
        .values_list("pk", "state", "nominations_close_at", "voting_closes_at", "role__name", "role__circle__name")
    )


def elections_awaiting_member(member: Member, now: datetime) -> list[InboxEntry]:
    """Nominations the member has not answered and ballots they have not cast: one prepared query
    (governance.prepared) for both, reading only what an entry shows (the organisation is the
    member's own)."""
    rows = _awaiting(member_id=member.pk, organisation_id=member.organisation_id, now=now)
    slug = member.organisation.slug
    entries = []
    for pk, state, nominations_close_at, voting_closes_at, role, circle in rows:
        if state == Election.State.NOMINATING:
            kind, due = "election.nomination", nominations_close_at
            action = gettext("Accept or decline your nomination")
        else:
            kind, due, action = "election.ballot", voting_closes_at, gettext("Cast your ballot")
        entries.append(
            InboxEntry(
                kind=kind,
                title=gettext("Election of %(role)s") % {"role": role},
                action=action,
                url=reverse("election", kwargs={"org": slug, "pk": pk}),
                due=due,
                circle=circle,
                object_type="election",
                object_id=pk,
            )
        )
    # The order of the two queries this replaces: nominations, then ballots, each by deadline.
    entries.sort(key=lambda e: (e.kind != "election.nomination", e.due is None, e.due or now, e.object_id))
    return entries
