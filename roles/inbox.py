"""What of the roles app waits for a member (governance.inbox): their terms ending soon (within the
longest of ROLE_TERM_REMINDER_DAYS), unless already renewed or re-elected. One prepared query
(governance.prepared)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from governance.inbox import InboxEntry
from governance.models import Member
from governance.prepared import prepared

from .models import RoleAssignment


@prepared
def _terms_ending(member_id: int, now: datetime, until: datetime):
    renewed = RoleAssignment.objects.filter(
        role_id=OuterRef("role_id"),
        member_id=OuterRef("member_id"),
        ended_at__isnull=True,
        started_at__gte=OuterRef("planned_end_at"),
    )
    return (
        RoleAssignment.objects.current(now)
        .filter(member_id=member_id, planned_end_at__gt=now, planned_end_at__lte=until)
        .exclude(Exists(renewed))
        .order_by(F("planned_end_at").asc())
        .values_list("pk", "role_id", "planned_end_at", "role__name", "role__circle__name")
    )


def my_terms_ending(member: Member, now: datetime) -> list[InboxEntry]:
    ahead = timedelta(days=max(settings.ROLE_TERM_REMINDER_DAYS, default=30))
    terms = _terms_ending(member_id=member.pk, now=now, until=now + ahead)
    slug = member.organisation.slug
    return [
        InboxEntry(
            kind="role.term_ending",
            title=role,
            action=_("Your term ends: stand again or hand over"),
            url=reverse("role", kwargs={"org": slug, "pk": role_id}),
            due=planned_end_at,
            circle=circle,
            role=role,
            object_type="roleassignment",
            object_id=pk,
        )
        for pk, role_id, planned_end_at, role, circle in terms
    ]


# The activity feed's links (governance.hooks.event_links) ----------------------------------------


def role_links(organisation, ids) -> dict[int, str]:
    return {pk: reverse("role", kwargs={"org": organisation.slug, "pk": pk}) for pk in ids}


def assignment_links(organisation, ids) -> dict[int, str]:
    """A term links to its role's page: one query for all of them."""
    terms = RoleAssignment.objects.filter(pk__in=ids, role__circle__organisation=organisation)
    return {
        pk: reverse("role", kwargs={"org": organisation.slug, "pk": role_id})
        for pk, role_id in terms.values_list("pk", "role_id")
    }
