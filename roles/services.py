"""Writes to roles and role assignments. The foundation needs the steward role; the role catalogue,
terms and elections build on the same functions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from governance.errors import Conflict, Invalid
from governance.models import Member
from governance.services import event_record

from .models import Role, RoleAssignment

CORE_ROLES = {
    Role.Kind.STEWARD: "Leads the circle, keeps its roster, and holds it to its purpose and domains.",
}


def core_roles_ensure(*, circle) -> list[Role]:
    """Give a circle its core roles (today: the steward role) if it lacks them."""
    roles = []
    for kind, purpose in CORE_ROLES.items():
        role, _ = Role.objects.get_or_create(
            circle=circle,
            kind=kind,
            archived_at=None,
            defaults={"name": Role.Kind(kind).label, "purpose": purpose, "seats": 1},
        )
        roles.append(role)
    return roles


def steward_role(circle) -> Role:
    return core_roles_ensure(circle=circle)[0]


@transaction.atomic
def role_assign(*, role: Role, member: Member, by: Member | None, planned_end_at=None) -> RoleAssignment:
    """Give a member a seat in a role, explaining a refusal (not a member, already holding it, seats full)."""
    role = Role.objects.select_for_update().select_related("circle").get(pk=role.pk)
    if role.archived_at:
        raise Conflict("This role is archived.")
    if member.organisation_id != role.circle.organisation_id or not member.is_active:
        raise Invalid("Only active members of this organisation can hold its roles.", field="member")
    current = list(role.assignments.current().select_related("member__user"))
    if any(a.member_id == member.pk for a in current):
        raise Conflict(f"{member.user} already holds this role.", field="member")
    if len(current) >= role.seats:
        raise Conflict(f"All {role.seats} seat(s) of {role.name} are taken; end an assignment first.")
    assignment = RoleAssignment.objects.create(role=role, member=member, assigned_by=by, planned_end_at=planned_end_at)
    event_record(
        organisation=role.circle.organisation,
        actor=by,
        verb="role.assigned",
        obj=assignment,
        circle=role.circle,
        details={"role": role.name, "member": str(member.user)},
    )
    return assignment


@transaction.atomic
def assignment_end(*, assignment: RoleAssignment, by: Member | None, reason: str) -> RoleAssignment:
    if reason not in RoleAssignment.EndReason.values:
        raise Invalid("Choose why the assignment ends.", field="reason")
    ended = RoleAssignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )
    if not ended:
        raise Conflict("This assignment has already ended.")
    assignment.refresh_from_db()
    role = assignment.role
    event_record(
        organisation=role.circle.organisation,
        actor=by,
        verb="role.ended",
        obj=assignment,
        circle=role.circle,
        details={"role": role.name, "member": str(assignment.member.user), "reason": reason},
    )
    return assignment


@transaction.atomic
def steward_assign(*, circle, member: Member, by: Member | None) -> RoleAssignment:
    """Make a member the circle's steward, replacing the current one. A steward who is not yet on the
    circle's roster joins it, since the steward keeps the roster."""
    from circles.models import CircleMembership
    from circles.services import roster_add

    if circle.is_archived:
        raise Conflict("This circle is archived.")
    role = steward_role(circle)
    for current in role.assignments.current():
        if current.member_id == member.pk:
            raise Conflict(f"{member.user} is already the steward of {circle}.", field="member")
        assignment_end(assignment=current, by=by, reason=RoleAssignment.EndReason.REPLACED)
    if not circle.is_general and not CircleMembership.objects.current().filter(circle=circle, member=member).exists():
        roster_add(circle=circle, member=member, by=by)
    return role_assign(role=role, member=member, by=by)
