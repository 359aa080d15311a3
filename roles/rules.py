"""Who may do what with roles and terms.

Objects: a Role for role rules, a Circle for `roles.add_role`, a RoleAssignment for the term rules,
the Organisation for organisation-wide pages. The state of things (an archived role) is the
services' to refuse, with a 409; these rules say who. Election rules are elections'."""

import rules

from governance.rules import member_for, stewarded_circle_ids

from .models import Role, RoleAssignment


def facilitated_circle_ids(user, organisation_id) -> set[int]:
    """Ids of the circles this user currently facilitates in one organisation (cached on the user)."""
    member = member_for(user, organisation_id)
    if member is None:
        return set()
    cache = user.__dict__.setdefault("_facilitated", {})
    if organisation_id not in cache:
        cache[organisation_id] = set(
            RoleAssignment.objects.current()
            .filter(member=member, role__kind=Role.Kind.FACILITATOR, role__archived_at__isnull=True)
            .values_list("role__circle_id", flat=True)
        )
    return cache[organisation_id]


def is_admin_of(user, organisation_id) -> bool:
    member = member_for(user, organisation_id)
    return bool(member and member.is_admin)


# Circles (adding a role) -------------------------------------------------------------------------


@rules.predicate
def stewards_or_admin_of_circle(user, circle):
    return is_admin_of(user, circle.organisation_id) or circle.pk in stewarded_circle_ids(user, circle.organisation_id)


# Roles -------------------------------------------------------------------------------------------


@rules.predicate
def can_see_role(user, role):
    return member_for(user, role.circle.organisation_id) is not None


@rules.predicate
def is_admin_for_role(user, role):
    return is_admin_of(user, role.circle.organisation_id)


@rules.predicate
def stewards_role_circle(user, role):
    return role.circle_id in stewarded_circle_ids(user, role.circle.organisation_id)


@rules.predicate
def facilitates_role_circle(user, role):
    return role.circle_id in facilitated_circle_ids(user, role.circle.organisation_id)


@rules.predicate
def is_steward_role(user, role):
    return role.kind == Role.Kind.STEWARD


# Terms -------------------------------------------------------------------------------------------


@rules.predicate
def manages_assignment(user, assignment):
    role = assignment.role
    return is_admin_of(user, role.circle.organisation_id) or (
        role.kind != Role.Kind.STEWARD and role.circle_id in stewarded_circle_ids(user, role.circle.organisation_id)
    )


@rules.predicate
def holds_assignment(user, assignment):
    member = member_for(user, assignment.role.circle.organisation_id)
    return member is not None and assignment.member_id == member.pk


@rules.predicate
def can_see_assignment(user, assignment):
    return member_for(user, assignment.role.circle.organisation_id) is not None


# Organisation-wide -------------------------------------------------------------------------------


@rules.predicate
def is_member(user, organisation):
    return organisation is not None and member_for(user, organisation.pk) is not None


@rules.predicate
def is_admin(user, organisation):
    return organisation is not None and is_admin_of(user, organisation.pk)


rules.add_rule("roles.view_role", can_see_role)
rules.add_rule("roles.add_role", stewards_or_admin_of_circle)
rules.add_rule("roles.change_role", is_admin_for_role | (stewards_role_circle & ~is_steward_role))
# Who holds the steward role is the admins' call (circles.assign_steward); other roles the steward's too.
rules.add_rule("roles.assign_role", is_admin_for_role | (stewards_role_circle & ~is_steward_role))
# Who may start an election for a role (elections.views.election_new, the API): a rule on the role.
rules.add_rule("roles.start_election", is_admin_for_role | stewards_role_circle | facilitates_role_circle)
rules.add_rule("roles.view_assignment", can_see_assignment)
rules.add_rule("roles.end_assignment", manages_assignment | holds_assignment)
rules.add_rule("roles.renew_assignment", manages_assignment)
rules.add_rule("roles.view_roles", is_member)
rules.add_rule("roles.change_template", is_admin)
