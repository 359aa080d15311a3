"""Reads that show members with the circles they are on (their load): the member directory, a member's
page and the members API. One query plus one prefetch, whatever the number of members."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from circles.models import CircleMembership
from circles.queries import load_circles
from governance.models import Member, Organisation
from governance.queries import visible_organisation_ids


def _with_circles(members):
    """Members with their class, user, `circle_count` (their load) and `current_circle_memberships`."""
    return (
        members.select_related("user", "membership_class")
        .annotate(circle_count=Count("circle_memberships", filter=load_circles(), distinct=True))
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
    )


def member_directory(organisation: Organisation, *, circle=None, membership_class=None, status=None, search=""):
    """Members with their class, user and the circles they are in now (one query plus one prefetch)."""
    members = _with_circles(Member.objects.filter(organisation=organisation, is_bot=False)).order_by(
        "user__name", "user__email"
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
        raise Http404(_("No such member."))
    return member


def members_visible_to(user):
    """Members of the user's organisations, with user, class, load and current circles, in one
    query plus one prefetch whatever their number."""
    return _with_circles(Member.objects.filter(organisation_id__in=visible_organisation_ids(user))).order_by(
        "user__name", "user__email", "pk"
    )
