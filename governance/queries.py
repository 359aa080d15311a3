"""Reads for organisation-level pages and the API, with the joins that keep query counts flat."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from .models import Event, Member, Organisation
from .rules import member_for


def get_organisation_for(
    user, slug: str, *, action: str = "governance.view_organisation"
) -> tuple[Organisation, Member]:
    """The organisation and the user's membership of it. 404 for anyone who is not an active member
    (an outsider learns nothing, not even that it exists); 403 for a member who may not do `action`."""
    organisation = Organisation.objects.filter(slug=slug).first()
    member = organisation and member_for(user, organisation.pk)
    if not member:
        raise Http404("No such organisation.")
    if not rules.test_rule(action, user, organisation):
        raise PermissionDenied("You are not allowed to do that in this organisation.")
    return organisation, member


def visible_organisations(user):
    return Organisation.objects.filter(members__user=user, members__status=Member.Status.ACTIVE)


def circle_counts(organisation: Organisation) -> Q:
    """Filter for the circle memberships that count towards a member's load: current, active circles."""
    return Q(
        circle_memberships__left_at__isnull=True,
        circle_memberships__circle__archived_at__isnull=True,
        circle_memberships__circle__is_general=False,
    )


def member_directory(organisation: Organisation, *, circle=None, membership_class=None, status=None, search=""):
    """Members with their class, user and the circles they are in now (one query plus one prefetch)."""
    from circles.models import CircleMembership

    members = (
        Member.objects.filter(organisation=organisation)
        .select_related("user", "membership_class")
        .annotate(circle_count=Count("circle_memberships", filter=circle_counts(organisation), distinct=True))
        .prefetch_related(
            Prefetch(
                "circle_memberships",
                queryset=CircleMembership.objects.current()
                .filter(circle__archived_at__isnull=True)
                .select_related("circle")
                .order_by("circle__name"),
                to_attr="current_circle_memberships",
            )
        )
        .order_by("user__name", "user__email")
    )
    if status:
        members = members.filter(status=status)
    if membership_class:
        members = members.filter(membership_class=membership_class)
    if circle is not None and not circle.is_general:
        members = members.filter(circle_memberships__circle=circle, circle_memberships__left_at__isnull=True)
    if search:
        members = members.filter(Q(user__name__icontains=search) | Q(user__email__icontains=search))
    return members


def member_with_load(organisation: Organisation, pk: int) -> Member:
    member = member_directory(organisation).filter(pk=pk).first()
    if member is None:
        raise Http404("No such member.")
    return member


def recent_events(organisation: Organisation, *, circle=None, limit: int = 15):
    events = Event.objects.filter(organisation=organisation).select_related("actor__user", "circle")
    if circle is not None:
        events = events.filter(circle=circle)
    return events.order_by("-created_at", "-id")[:limit]
