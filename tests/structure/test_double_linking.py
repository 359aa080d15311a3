"""Double-linking follows the tree at once: a move, a steward change, a delegate change; and a
delegate taken off their circle's roster stops being Delegate and leaves the parent circle."""

from circles.models import CircleMembership
from circles.services import circle_update, roster_add, roster_remove
from roles.models import Role, RoleAssignment
from roles.services import role_assign, steward_assign
from tests.factories import make_circle, make_member

from .helpers import decision, enact


def on_roster(circle, member):
    return CircleMembership.objects.current().filter(circle=circle, member=member).exists()


def test_moving_three_circles_seats_their_stewards_in_the_new_parent_at_once(world):
    org = world.organisation
    alice = world.member(world.alice)
    operations = make_circle(org, "Operations", steward=alice)
    stewards = [make_member(org) for _ in range(3)]
    circles = [make_circle(org, f"Team {n}", steward=steward) for n, steward in enumerate(stewards)]
    for circle in circles:
        circle_update(circle=circle, by=alice, parent=operations)
    assert all(on_roster(operations, steward) for steward in stewards)

    # …and moving one on again takes its steward out of Operations and into Finance.
    circle_update(circle=circles[0], by=alice, parent=world.finance)
    assert not on_roster(operations, stewards[0])
    assert on_roster(world.finance, stewards[0])
    term = RoleAssignment.objects.current().get(role__circle=circles[0], role__kind="steward")
    assert term.parent_membership.circle == world.finance


def test_a_move_by_decision_relinks_too(world):
    org = world.organisation
    steward = make_member(org)
    team = make_circle(org, "Team", steward=steward)
    enact(decision(world), "role.create", {"circle": team.pk, "name": "Scribe"})  # unrelated change, same decision
    circle_update(circle=team, by=None, parent=world.outreach)
    assert on_roster(world.outreach, steward)


def test_a_seat_the_member_had_anyway_stays_when_the_circle_moves_away(world):
    org = world.organisation
    steward = make_member(org, circles=[world.finance])
    team = make_circle(org, "Team", parent=world.finance, steward=steward)
    circle_update(circle=team, by=None, parent=world.outreach)
    assert on_roster(world.finance, steward)  # they were on it in their own right
    assert on_roster(world.outreach, steward)


def test_a_steward_change_swaps_the_parent_seat_at_once(world):
    org = world.organisation
    first, second = make_member(org), make_member(org)
    team = make_circle(org, "Team", parent=world.finance, steward=first)
    assert on_roster(world.finance, first)
    steward_assign(circle=team, member=second, by=None)
    assert on_roster(world.finance, second) and not on_roster(world.finance, first)


def test_a_delegate_taken_off_their_circles_roster_stops_being_delegate_and_leaves_the_parent(world):
    org = world.organisation
    steward, delegate = make_member(org), make_member(org)
    team = make_circle(org, "Team", parent=world.finance, steward=steward)
    roster_add(circle=team, member=delegate, by=None)
    role = Role.objects.get(circle=team, kind=Role.Kind.DELEGATE)
    term = role_assign(role=role, member=delegate, by=None)
    assert on_roster(world.finance, delegate)
    membership = CircleMembership.objects.current().get(circle=team, member=delegate)
    roster_remove(membership=membership, by=world.member(world.alice), reason="Moved to another team")
    term.refresh_from_db()
    assert term.ended_at is not None and term.end_reason == RoleAssignment.EndReason.REMOVED
    assert not on_roster(world.finance, delegate)
