"""Reads for role pages and the API, with a constant number of queries whatever the number of roles
or terms; the stewards of circles (circles asks through circles.hooks.stewards)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.utils import timezone

from circles.models import CircleMembership
from circles.queries import load_circles
from governance.models import Member, Organisation
from governance.queries import object_for
from governance.rules import active_members

from .models import Election, Role, RoleAssignment

# Fetch and check ---------------------------------------------------------------------------------


def get_role_for(user, pk, *, action: str = "roles.view_role", organisation_slug: str | None = None) -> Role:
    """The role if the user may see it, else 404; 403 if they may see it but not do `action`."""
    return object_for(
        user,
        Role.objects.select_related("circle__organisation", "circle__parent"),
        pk,
        view="roles.view_role",
        action=action,
        organisation_slug=organisation_slug,
        what="role",
    )


def get_assignment_for(user, pk, *, action: str, organisation_slug: str | None = None) -> RoleAssignment:
    return object_for(
        user,
        RoleAssignment.objects.select_related("role__circle__organisation", "member__user", "parent_membership"),
        pk,
        view="roles.view_assignment",
        action=action,
        organisation_slug=organisation_slug,
        what="assignment",
    )


# Stewards ----------------------------------------------------------------------------------------


def stewards_by_circle(circle_ids) -> dict[int, Member]:
    """The current steward of each circle, in one query (the receiver of circles.hooks.stewards)."""
    assignments = (
        RoleAssignment.objects.current()
        .filter(role__circle_id__in=list(circle_ids), role__kind=Role.Kind.STEWARD)
        .select_related("member__user", "role")
    )
    return {a.role.circle_id: a.member for a in assignments}


# Roles -------------------------------------------------------------------------------------------


def _open_terms():
    return Prefetch(
        "assignments",
        queryset=RoleAssignment.objects.open().select_related("member__user").order_by("started_at", "id"),
        to_attr="open_terms",
    )


def _active_elections():
    return Prefetch("elections", queryset=Election.objects.active(), to_attr="active_elections")


def with_terms(roles):
    """Roles with their circle, their open terms (`role.open_terms`) and an election under way
    (`role.active_elections`): three queries whatever the number of roles."""
    return roles.select_related("circle__organisation").prefetch_related(_open_terms(), _active_elections())


def holders(role: Role, now=None) -> list[RoleAssignment]:
    """Current holders of a role loaded by `with_terms`."""
    now = now or timezone.now()
    return [a for a in role.open_terms if a.started_at <= now]


def upcoming(role: Role, now=None) -> list[RoleAssignment]:
    now = now or timezone.now()
    return [a for a in role.open_terms if a.started_at > now]


@dataclass
class RoleRow:
    role: Role
    holders: list[RoleAssignment]
    upcoming: list[RoleAssignment]
    election: Election | None
    free_seats: int
    ending_soon: list[RoleAssignment] = field(default_factory=list)

    @property
    def is_vacant(self):
        return self.free_seats > 0


def role_rows(roles, now=None) -> list[RoleRow]:
    now = now or timezone.now()
    soon = now + timedelta(days=settings.ROLE_ENDING_SOON_DAYS)
    rows = []
    for role in roles:
        held = holders(role, now)
        rows.append(
            RoleRow(
                role=role,
                holders=held,
                upcoming=upcoming(role, now),
                election=role.active_elections[0] if role.active_elections else None,
                free_seats=max(role.seats - len(held), 0),
                ending_soon=[a for a in held if a.planned_end_at and a.planned_end_at <= soon],
            )
        )
    return rows


def role_directory(organisation: Organisation, *, circle=None, vacancies=False, ending_soon=False, now=None):
    """Who does what: the organisation's active roles in active circles, circle by circle."""
    roles = Role.objects.active().filter(circle__organisation=organisation, circle__archived_at__isnull=True)
    if circle is not None:
        roles = roles.filter(circle=circle)
    rows = role_rows(with_terms(roles.order_by("circle__name", core_first(), "name")), now)
    if vacancies:
        rows = [r for r in rows if r.is_vacant]
    if ending_soon:
        rows = [r for r in rows if r.ending_soon]
    return rows


def core_first():
    """Order the core roles first, in their usual order, then the circle's own roles."""
    order = [Role.Kind.STEWARD, Role.Kind.FACILITATOR, Role.Kind.SECRETARY, Role.Kind.DELEGATE, Role.Kind.TREASURER]
    return Case(*(When(kind=kind, then=Value(i)) for i, kind in enumerate(order)), default=Value(len(order)))


def role_history(role: Role, *, limit: int = 100):
    return (
        RoleAssignment.objects.filter(role=role, ended_at__isnull=False)
        .select_related("member__user", "assigned_by__user")
        .order_by("-ended_at", "-id")[:limit]
    )


def role_elections(role: Role, *, limit: int = 20):
    return Election.objects.filter(role=role).order_by("-opened_at", "-id")[:limit]


def circle_roles(circle):
    return role_rows(with_terms(Role.objects.active().filter(circle=circle).order_by(core_first(), "name")))


def my_terms(member: Member):
    """The member's running and upcoming terms, soonest end first."""
    return (
        RoleAssignment.objects.open()
        .filter(member=member, role__archived_at__isnull=True)
        .select_related("role__circle__organisation")
        .order_by("planned_end_at", "started_at")
    )


def my_past_terms(member: Member, *, limit: int = 20):
    return (
        RoleAssignment.objects.filter(member=member, ended_at__isnull=False)
        .select_related("role__circle")
        .order_by("-ended_at")[:limit]
    )


def my_open_elections(member: Member):
    """Elections under way in circles the member is on (everyone, for the general circle)."""
    on = CircleMembership.objects.current().filter(member=member).values("circle_id")
    return (
        Election.objects.active()
        .filter(organisation_id=member.organisation_id)
        .filter(Q(role__circle__is_general=True) | Q(role__circle_id__in=on))
        .select_related("role__circle")
        .order_by("opened_at")
    )


@dataclass
class LoadRow:
    member: Member
    terms: list[RoleAssignment]
    circle_count: int
    hours_per_week: Decimal
    flagged: bool


def role_load(organisation: Organisation, now=None) -> list[LoadRow]:
    """Per active member: the roles they hold, the circles they are on and the hours per week their
    roles expect; flagged above the organisation's guidance (load_max_circles). Two queries."""
    now = now or timezone.now()
    members = (
        Member.objects.people()
        .filter(organisation=organisation)
        .select_related("user")
        .annotate(circle_count=Count("circle_memberships", filter=load_circles(), distinct=True))
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.current()
                .filter(role__archived_at__isnull=True, role__circle__archived_at__isnull=True)
                .select_related("role__circle")
                .order_by("role__circle__name", "role__name"),
                to_attr="current_terms",
            )
        )
        .order_by("user__name", "user__email")
    )
    rows = []
    for member in members:
        hours = sum((a.role.hours_per_week for a in member.current_terms), Decimal(0))
        rows.append(
            LoadRow(
                member=member,
                terms=member.current_terms,
                circle_count=member.circle_count,
                hours_per_week=hours,
                flagged=member.circle_count > organisation.load_max_circles,
            )
        )
    rows.sort(key=lambda r: (-len(r.terms), -r.hours_per_week, r.member.user.name))
    return rows


# Reads for the API -------------------------------------------------------------------------------


def roles_visible_to(user):
    return with_terms(
        Role.objects.filter(circle__organisation_id__in=list(active_members(user))).order_by("circle_id", "name", "pk")
    )


def assignments_visible_to(user):
    return (
        RoleAssignment.objects.filter(role__circle__organisation_id__in=list(active_members(user)))
        .select_related("role__circle", "member__user", "assigned_by__user")
        .order_by("-started_at", "-pk")
    )


def circles_stewarded_by(member: Member | int, now=None):
    """Ids of the circles this member (or member id) stewards now, or at `now`, as a lazy queryset
    (the core's `stewardship` hook, see roles/apps.py)."""
    return (
        RoleAssignment.objects.current(now)
        .filter(member=member, role__kind=Role.Kind.STEWARD, role__archived_at__isnull=True)
        .values_list("role__circle_id", flat=True)
    )
