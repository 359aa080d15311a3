"""Who may do what with roles, terms and elections.

Objects: a Role for role rules, a Circle for `roles.add_role`, a RoleAssignment for the term rules,
an Election for election rules, the Organisation for organisation-wide pages. The state of things
(a closed election, an archived role) is the services' to refuse, with a 409; these rules say who.
"""

import rules

from governance.rules import member_for, stewarded_circle_ids

from .models import Role


def facilitated_circle_ids(user, organisation_id) -> set[int]:
    """Ids of the circles this user currently facilitates in one organisation (cached on the user)."""
    from .models import RoleAssignment

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


def _on_roster(user, circle) -> bool:
    from proposals.rules import on_roster

    return on_roster(user, circle)


def _circle_has_facilitator(circle) -> bool:
    from .models import RoleAssignment

    cache = circle.__dict__.setdefault("_has_facilitator", {})
    if "value" not in cache:
        cache["value"] = (
            RoleAssignment.objects.current()
            .filter(role__circle=circle, role__kind=Role.Kind.FACILITATOR, role__archived_at__isnull=True)
            .exists()
        )
    return cache["value"]


def _admin(user, organisation_id) -> bool:
    member = member_for(user, organisation_id)
    return bool(member and member.is_admin)


# Circles (adding a role) -------------------------------------------------------------------------


@rules.predicate
def stewards_or_admin_of_circle(user, circle):
    return _admin(user, circle.organisation_id) or circle.pk in stewarded_circle_ids(user, circle.organisation_id)


# Roles -------------------------------------------------------------------------------------------


@rules.predicate
def can_see_role(user, role):
    return member_for(user, role.circle.organisation_id) is not None


@rules.predicate
def is_admin_for_role(user, role):
    return _admin(user, role.circle.organisation_id)


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
    return _admin(user, role.circle.organisation_id) or (
        role.kind != Role.Kind.STEWARD and role.circle_id in stewarded_circle_ids(user, role.circle.organisation_id)
    )


@rules.predicate
def holds_assignment(user, assignment):
    member = member_for(user, assignment.role.circle.organisation_id)
    return member is not None and assignment.member_id == member.pk


@rules.predicate
def can_see_assignment(user, assignment):
    return member_for(user, assignment.role.circle.organisation_id) is not None


# Elections ---------------------------------------------------------------------------------------


@rules.predicate
def can_see_election(user, election):
    return member_for(user, election.organisation_id) is not None


@rules.predicate
def in_election_circle(user, election):
    return _on_roster(user, election.role.circle)


@rules.predicate
def runs_election(user, election):
    """The facilitator of the role's circle proposes; without one, its steward; admins always."""
    circle = election.role.circle
    if _admin(user, election.organisation_id):
        return True
    if circle.pk in facilitated_circle_ids(user, election.organisation_id):
        return True
    return circle.pk in stewarded_circle_ids(user, election.organisation_id) and not _circle_has_facilitator(circle)


@rules.predicate
def stewards_election(user, election):
    return _admin(user, election.organisation_id) or election.role.circle_id in stewarded_circle_ids(
        user, election.organisation_id
    )


@rules.predicate
def may_vote(user, election):
    from .models import BallotVoter

    member = member_for(user, election.organisation_id)
    return member is not None and BallotVoter.objects.filter(election=election, member=member).exists()


@rules.predicate
def is_voting(user, election):
    return election.state == "voting"


@rules.predicate
def before_the_deadline(user, election):
    """Under way and short of its decision's deadline (voting closed, or the consent round ended):
    after it, only the close may happen to the election."""
    return election.is_active and not election.deadline_passed()


# Organisation-wide -------------------------------------------------------------------------------


@rules.predicate
def is_member(user, organisation):
    return organisation is not None and member_for(user, organisation.pk) is not None


@rules.predicate
def is_admin(user, organisation):
    return organisation is not None and _admin(user, organisation.pk)


rules.add_rule("roles.view_role", can_see_role)
rules.add_rule("roles.add_role", stewards_or_admin_of_circle)
rules.add_rule("roles.change_role", is_admin_for_role | (stewards_role_circle & ~is_steward_role))
# Who holds the steward role is the admins' call (circles.assign_steward); other roles the steward's too.
rules.add_rule("roles.assign_role", is_admin_for_role | (stewards_role_circle & ~is_steward_role))
rules.add_rule("roles.start_election", is_admin_for_role | stewards_role_circle | facilitates_role_circle)
rules.add_rule("roles.view_assignment", can_see_assignment)
rules.add_rule("roles.end_assignment", manages_assignment | holds_assignment)
rules.add_rule("roles.renew_assignment", manages_assignment)
rules.add_rule("roles.view_election", can_see_election)
rules.add_rule("roles.nominate", can_see_election & in_election_circle)
rules.add_rule("roles.stand", can_see_election & in_election_circle)
rules.add_rule("roles.propose_candidate", can_see_election & runs_election)
# Outside the voting phase the service answers (409: voting is not open) rather than a 403.
rules.add_rule("roles.vote", can_see_election & (may_vote | ~is_voting))
rules.add_rule("roles.cancel_election", can_see_election & stewards_election)
# What the page offers: the API checks who only (cancel_election), and the service refuses the state (409).
rules.add_rule("roles.offer_cancel", can_see_election & stewards_election & before_the_deadline)
rules.add_rule("roles.view_roles", is_member)
rules.add_rule("roles.change_template", is_admin)
