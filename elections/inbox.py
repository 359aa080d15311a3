"""What of elections is waiting for a member, for the inbox (governance.inbox, registered in
ElectionsConfig.ready()): nominations asked of them that they have not answered, and ballots they
may cast and have not. Two queries, however many elections there are."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext

from governance.inbox import InboxEntry
from governance.models import Member
from roles.models import BallotVoter, Election, ElectionMethod, Nomination, NomineeAnswer


def elections_awaiting_member(member: Member, now: datetime) -> list[InboxEntry]:
    entries = []
    asked = (
        Election.objects.filter(
            organisation_id=member.organisation_id,
            method=ElectionMethod.SOCIOCRATIC,
            state=Election.State.NOMINATING,
        )
        .filter(Exists(Nomination.objects.filter(election=OuterRef("pk"), nominee=member)))
        .exclude(Exists(NomineeAnswer.objects.filter(election=OuterRef("pk"), nominee=member)))
        .select_related("role__circle__organisation")
        .order_by("nominations_close_at", "pk")
    )
    for election in asked:
        entries.append(
            _entry(
                election,
                "election.nomination",
                gettext("Accept or decline your nomination"),
                election.nominations_close_at,
            )
        )
    to_cast = (
        Election.objects.filter(
            organisation_id=member.organisation_id, state=Election.State.VOTING, voting_closes_at__gt=now
        )
        .filter(Exists(BallotVoter.objects.filter(election=OuterRef("pk"), member=member, has_voted=False)))
        .select_related("role__circle__organisation")
        .order_by("voting_closes_at", "pk")
    )
    for election in to_cast:
        entries.append(_entry(election, "election.ballot", gettext("Cast your ballot"), election.voting_closes_at))
    return entries


def _entry(election: Election, kind: str, action: str, due) -> InboxEntry:
    role = election.role
    return InboxEntry(
        kind=kind,
        title=gettext("Election of %(role)s") % {"role": role.name},
        action=action,
        url=reverse("election", kwargs={"org": role.circle.organisation.slug, "pk": election.pk}),
        due=due,
        circle=role.circle.name,
        object_type="election",
        object_id=election.pk,
    )
