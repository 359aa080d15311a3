"""Reads for circle pages and the API: the tree, a circle with its roster, fetch-and-check."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from governance.models import Member, Organisation, Provenance
from governance.prepared import prepared
from governance.queries import object_for
from governance.rules import active_members

from . import hooks
from .models import Circle, CircleMembership


def get_circle_for(user, organisation_slug: str, circle_slug: str, *, action: str = "circles.view_circle") -> Circle:
    """The circle if the user may see it, else 404; 403 if they may see it but not do `action`.
    Pages name a circle by its slugs: the one query finds its pk and loads it (governance.queries.object_for)."""
    circles = Circle.objects.select_related("organisation", "parent")
    named = circles.filter(organisation__slug=organisation_slug, slug=circle_slug).values("pk")[:1]
    return object_for(user, circles, Subquery(named), view="circles.view_circle", action=action, what="circle")


def on_roster(member: Member | None, circle: Circle, *, cache: dict | None = None) -> bool:
    """Whether the member is on the circle's roster now; every active member of the organisation is on
    its general circle's. The one answer for rules and services alike.

    Services ask the database each time. Rules, asked many times per page, pass a `cache` (a dict
    kept on the user, see rules.user_on_roster): the ids of the circles the member is on are then read
    once, in one query."""
    if member is None or member.organisation_id != circle.organisation_id or not member.is_active:
        return False
    if circle.is_general:
        return True
    if cache is None:
        return CircleMembership.objects.current().filter(circle=circle, member=member).exists()
    if member.pk not in cache:
        cache[member.pk] = set(
            CircleMembership.objects.current().filter(member=member).values_list("circle_id", flat=True)
        )
    return circle.pk in cache[member.pk]


def stewards_by_circle(circle_ids) -> dict[int, Member]:
    """The current steward of each circle, in one query (roles answers, through hooks.stewards)."""
    ids = list(circle_ids)
    found: dict[int, Member] = {}
    if ids:
        for answer in hooks.stewards.collect(ids):
            found.update(answer)
    return found


def with_stewards(circles) -> list[Circle]:
    """The circles, each with its current steward (`circle_steward(circle)`), in one query for all."""
    circles = list(circles)
    stewards = stewards_by_circle(c.pk for c in circles)
    for circle in circles:
        circle.current_steward = stewards.get(circle.pk)
    return circles


def circle_steward(circle: Circle) -> Member | None:
    """The steward of a circle loaded by `with_stewards` (or looked up now)."""
    if not hasattr(circle, "current_steward"):
        with_stewards([circle])
    return circle.current_steward


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


def circles_of_member(member: Member) -> list[Circle]:
    """The active circles a member is on now (not counting the general circle, which holds everyone),
    by name: one prepared query (governance.prepared)."""
    return _circles_of(member_id=member.pk)


@prepared
def _circles_of(member_id: int):
    return (
        Circle.objects.active()
        .filter(memberships__member_id=member_id, memberships__left_at__isnull=True)
        .order_by("name")
    )


def size_notice(circle: Circle, size: int) -> str:
    """A gentle word when a circle is outside the organisation's size guidance."""
    organisation = circle.organisation
    if circle.is_general:
        return ""
    lo, hi = organisation.circle_size_min, organisation.circle_size_max
    figures = {"lo": lo, "hi": hi, "size": size}
    if size > hi:
        return (
            gettext("Circles work best at %(lo)s–%(hi)s members; this one has %(size)s. Consider splitting it.")
            % figures
        )
    if size < lo:
        return (
            gettext("Circles work best at %(lo)s–%(hi)s members; this one has %(size)s. Consider inviting more people.")
            % figures
        )
    return ""


# Reads for the API: circles and roster rows across the organisations the user is an active member of.


def circles_visible_to(user):
    """Circles of the user's organisations with `member_count` (the general circle counts every active
    member): one query, whatever the number of circles. The API adds their stewards (with_stewards)."""
    active_in_organisation = (
        Member.objects.people()
        .filter(organisation=OuterRef("organisation"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    on_the_roster = (
        CircleMembership.objects.current()
        .filter(circle=OuterRef("pk"))
        .order_by()
        .values("circle")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Circle.objects.filter(organisation_id__in=list(active_members(user)))
        .annotate(
            member_count=Case(
                When(is_general=True, then=Coalesce(Subquery(active_in_organisation), 0)),
                default=Coalesce(Subquery(on_the_roster), 0),
            )
        )
        .order_by("organisation_id", "name", "pk")
    )


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


def governance_record(circle):
    """Every Provenance row of the circle (what decisions and admin overrides made and changed it, and
    its roles and policies), newest first, with who acted: one query per page however long the record."""
    return Provenance.objects.filter(circle=circle).select_related("actor__user").order_by("-created_at", "-id")
