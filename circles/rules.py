"""Who may see and change circles and rosters. The object is always a Circle."""

import rules

from governance.rules import is_organisation_admin, member_for, stewarded_circle_ids

from .queries import on_roster


def user_on_roster(user, circle) -> bool:
    """queries.on_roster for the user's membership of the circle's organisation, with the circles they
    are on read once per user object (as memberships are, in governance.rules.active_members)."""
    cache = user.__dict__.setdefault("_roster_circle_ids", {})
    return on_roster(member_for(user, circle.organisation_id), circle, cache=cache)


@rules.predicate
def is_member_of_circle_organisation(user, circle):
    return member_for(user, circle.organisation_id) is not None


@rules.predicate
def is_admin_of_circle_organisation(user, circle):
    member = member_for(user, circle.organisation_id)
    return bool(member and member.is_admin)


@rules.predicate
def is_steward_of_circle(user, circle):
    return circle.pk in stewarded_circle_ids(user, circle.organisation_id)


@rules.predicate
def is_archived(user, circle):
    return circle.archived_at is not None


# Circles are transparent inside an organisation: every member sees every circle.
rules.add_rule("circles.view_circle", is_member_of_circle_organisation)
rules.add_rule("circles.change_circle", is_admin_of_circle_organisation)
rules.add_rule("circles.manage_roster", (is_admin_of_circle_organisation | is_steward_of_circle) & ~is_archived)
rules.add_rule("circles.assign_steward", is_admin_of_circle_organisation & ~is_archived)

# Creating a circle is an organisation-level act; the object is the Organisation.
rules.add_rule("circles.add_circle", is_organisation_admin)
