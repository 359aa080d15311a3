"""Reads for circle pages and the API: the tree, a circle with its roster, fetch-and-check."""

from __future__ import annotations

from dataclasses import dataclass, field

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404

from governance.models import Member, Organisation
from governance.rules import active_members, member_for
from roles.models import Role, RoleAssignment

from .models import Circle, CircleMembership


def get_circle_for(user, organisation_slug: str, circle_slug: str, *, action: str = "circles.view_circle") -> Circle:
    """The circle if the user may see it, else 404; 403 if they may see it but not do `action`."""
    circle = (
        Circle.objects.select_related("organisation", "parent")
        .filter(organisation__slug=organisation_slug, slug=circle_slug)
        .first()
    )
    return check_circle(user, circle, action=action)


def get_circle_by_pk_for(user, pk, *, action: str = "circles.view_circle") -> Circle:
    circle = Circle.objects.select_related("organisation", "parent").filter(pk=pk).first()
    return check_circle(user, circle, action=action)


def check_circle(user, circle: Circle | None, *, action: str) -> Circle:
    if circle is None or member_for(user, circle.organisation_id) is None:
        raise Http404("No such circle.")
    if not rules.test_rule(action, user, circle):
        raise PermissionDenied("You are not allowed to do that in this circle.")
    return circle


def stewards_by_circle(circle_ids) -> dict[int, Member]:
    """The current steward of each circle, in one query."""
    assignments = (
        RoleAssignment.objects.current()
        .filter(role__circle_id__in=list(circle_ids), role__kind=Role.Kind.STEWARD)
        .select_related("member__user", "role")
    )
    return {a.role.circle_id: a.member for a in assignments}


def roster(circle: Circle):
    """The circle's current members. The general circle's roster is every active member."""
    if circle.is_general:
        return (
            Member.objects.people()
            .filter(organisation_id=circle.organisation_id)
            .select_related("user", "membership_class")
            .order_by("user__name", "user__email")
        )
    return (
        Member.objects.filter(circle_memberships__circle=circle, circle_memberships__left_at__isnull=True)
        .select_related("user", "membership_class")
        .order_by("user__name", "user__email")
    )


def roster_memberships(circle: Circle):
    """Current roster rows (for removing someone), with who added them."""
    return (
        CircleMembership.objects.current()
        .filter(circle=circle)
        .select_related("member__user", "member__membership_class", "added_by__user")
        .order_by("member__user__name", "member__user__email")
    )


def roster_history(circle: Circle, *, limit: int = 50):
    return (
        CircleMembership.objects.filter(circle=circle, left_at__isnull=False)
        .select_related("member__user", "removed_by__user", "added_by__user")
        .order_by("-left_at")[:limit]
    )


def _annotated_circles(organisation: Organisation, *, include_archived=False):
    circles = Circle.objects.filter(organisation=organisation).annotate(
        member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True), distinct=True)
    )
    if not include_archived:
        circles = circles.active()
    return circles


@dataclass
class TreeNode:
    circle: Circle
    steward: Member | None
    depth: int
    children: list[TreeNode] = field(default_factory=list)


def circle_tree(organisation: Organisation, *, include_archived=False) -> list[TreeNode]:
    """The organisation's circles as a tree (root first), in three queries whatever its size."""
    circles = list(_annotated_circles(organisation, include_archived=include_archived).order_by("name"))
    active_members = Member.objects.people().filter(organisation=organisation).count()
    stewards = stewards_by_circle(c.pk for c in circles)
    nodes = {}
    for circle in circles:
        if circle.is_general:
            circle.member_count = active_members
        nodes[circle.pk] = TreeNode(circle=circle, steward=stewards.get(circle.pk), depth=0)
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.circle.parent_id)
        (parent.children if parent else roots).append(node)
    roots.sort(key=lambda n: (not n.circle.is_general, n.circle.name))

    def set_depth(node, depth):
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
    return roots


def flatten(tree: list[TreeNode]) -> list[TreeNode]:
    out = []
    for node in tree:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def sub_circles(circle: Circle):
    return _annotated_circles(circle.organisation).filter(parent=circle).order_by("name")


def circles_of_member(member: Member):
    """The active circles a member is on now (not counting the general circle, which holds everyone)."""
    return (
        Circle.objects.active().filter(memberships__member=member, memberships__left_at__isnull=True).order_by("name")
    )


def size_notice(circle: Circle, size: int) -> str:
    """A gentle word when a circle is outside the organisation's size guidance."""
    organisation = circle.organisation
    if circle.is_general:
        return ""
    lo, hi = organisation.circle_size_min, organisation.circle_size_max
    if size > hi:
        return f"Circles work best at {lo}–{hi} members; this one has {size}. Consider splitting it."
    if size < lo:
        return f"Circles work best at {lo}–{hi} members; this one has {size}. Consider inviting more people."
    return ""


# Reads for the API: circles and roster rows across the organisations the user is an active member of.


def circles_visible_to(user):
    """Circles of the user's organisations with `member_count` (the general circle counts every active
    member) and their current steward prefetched (`circle_steward(circle)`): three queries, whatever
    the number of circles."""
    active_in_organisation = (
        Member.objects.people()
        .filter(organisation=OuterRef("organisation"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    on_roster = (
        CircleMembership.objects.current()
        .filter(circle=OuterRef("pk"))
        .order_by()
        .values("circle")
        .annotate(n=Count("pk"))
        .values("n")
    )
    stewards = Prefetch(
        "roles",
        queryset=Role.objects.filter(kind=Role.Kind.STEWARD, archived_at__isnull=True).prefetch_related(
            Prefetch(
                "assignments",
                queryset=RoleAssignment.objects.current().select_related("member__user"),
                to_attr="current_assignments",
            )
        ),
        to_attr="steward_roles",
    )
    return (
        Circle.objects.filter(organisation_id__in=list(active_members(user)))
        .annotate(
            member_count=Case(
                When(is_general=True, then=Coalesce(Subquery(active_in_organisation), 0)),
                default=Coalesce(Subquery(on_roster), 0),
            )
        )
        .prefetch_related(stewards)
        .order_by("organisation_id", "name", "pk")
    )


def circle_steward(circle: Circle) -> Member | None:
    """The steward of a circle loaded by `circles_visible_to`."""
    return next((a.member for role in circle.steward_roles for a in role.current_assignments), None)


def circle_memberships_visible_to(user):
    """Roster rows, current and past, of the circles of the user's organisations, with the people on
    them and who added or removed them: one query, whatever the size of the rosters."""
    return (
        CircleMembership.objects.filter(circle__organisation_id__in=list(active_members(user)))
        .select_related("circle", "member__user", "added_by__user", "removed_by__user")
        .order_by("-joined_at", "-pk")
    )


def load_circles() -> Q:
    """Filter of Member rows for the circle memberships that count towards a member's load: current,
    active circles other than the general circle."""
    return Q(
        circle_memberships__left_at__isnull=True,
        circle_memberships__circle__archived_at__isnull=True,
        circle_memberships__circle__is_general=False,
    )
