"""roster_add, roster_remove and steward_assign: who is on a circle, with the history of who was."""

import pytest

from circles.models import CircleMembership
from circles.services import roster_add, roster_remove
from governance.errors import Conflict, Invalid
from governance.models import Event
from roles.models import Role, RoleAssignment
from roles.services import steward_assign


def current_steward(circle):
    return RoleAssignment.objects.current().get(role__circle=circle, role__kind=Role.Kind.STEWARD).member


def test_it_adds_a_member_to_a_roster_and_logs_who_added_them(world):
    steve, nora = world.member(world.steve), world.member(world.nora)

    membership = roster_add(circle=world.finance, member=nora, by=steve)

    assert membership.is_current and membership.added_by == steve
    event = Event.objects.get(verb="roster.added", object_id=membership.pk)
    assert event.actor == steve and event.circle == world.finance


def test_it_refuses_to_add_someone_already_on_the_roster_as_a_conflict(world):
    with pytest.raises(Conflict, match="already on the roster") as refused:
        roster_add(circle=world.finance, member=world.member(world.mia), by=None)

    assert refused.value.status_code == 409
    assert CircleMembership.objects.current().filter(circle=world.finance, member__user=world.mia).count() == 1


def test_it_refuses_to_add_a_member_of_another_organisation(world):
    olga = world.other.members.get(user=world.olga)

    with pytest.raises(Invalid, match="Only active members"):
        roster_add(circle=world.finance, member=olga, by=None)


def test_it_refuses_to_add_anyone_to_the_general_circle_which_holds_everyone(world):
    with pytest.raises(Conflict, match="general circle"):
        roster_add(circle=world.general, member=world.member(world.nora), by=None)


def test_it_removes_a_member_with_a_reason_and_keeps_the_row(world):
    steve = world.member(world.steve)
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)

    roster_remove(membership=membership, by=steve, reason="Moved to Outreach")

    membership.refresh_from_db()
    assert membership.left_at is not None
    assert membership.removed_by == steve and membership.removal_reason == "Moved to Outreach"
    assert Event.objects.get(verb="roster.removed").details == {"member": "Mia Member", "reason": "Moved to Outreach"}


def test_it_refuses_to_remove_a_member_without_a_reason(world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)

    with pytest.raises(Invalid, match="Say why") as refused:
        roster_remove(membership=membership, by=None, reason="  ")

    assert refused.value.field == "reason"
    membership.refresh_from_db()
    assert membership.is_current


def test_it_refuses_to_remove_the_circles_steward(world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.steve)

    with pytest.raises(Conflict, match="assign another steward first"):
        roster_remove(membership=membership, by=None, reason="Stepping back")


def test_it_refuses_to_remove_someone_twice(world):
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.mia)
    roster_remove(membership=membership, by=None, reason="Moved on")

    with pytest.raises(Conflict, match="no longer on this roster"):
        roster_remove(membership=membership, by=None, reason="Again")


def test_it_keeps_each_stay_on_a_roster_as_its_own_row(world):
    mia = world.member(world.mia)
    first = CircleMembership.objects.current().get(circle=world.finance, member=mia)
    roster_remove(membership=first, by=None, reason="Sabbatical")

    roster_add(circle=world.finance, member=mia, by=None)

    stays = CircleMembership.objects.filter(circle=world.finance, member=mia).order_by("joined_at", "id")
    assert [s.is_current for s in stays] == [False, True]
    assert stays[0].removal_reason == "Sabbatical"


def test_it_replaces_the_steward_and_ends_the_previous_assignment_as_replaced(world):
    steve, mia, alice = world.member(world.steve), world.member(world.mia), world.member(world.alice)
    previous = RoleAssignment.objects.current().get(role__circle=world.finance, role__kind=Role.Kind.STEWARD)

    steward_assign(circle=world.finance, member=mia, by=alice)

    previous.refresh_from_db()
    assert previous.ended_at is not None and previous.end_reason == RoleAssignment.EndReason.REPLACED
    assert current_steward(world.finance) == mia
    assert CircleMembership.objects.current().filter(circle=world.finance, member=steve).exists()


def test_it_puts_a_new_steward_who_was_not_on_the_roster_onto_it(world):
    nora = world.member(world.nora)

    steward_assign(circle=world.finance, member=nora, by=world.member(world.alice))

    assert CircleMembership.objects.current().filter(circle=world.finance, member=nora).exists()
    assert current_steward(world.finance) == nora


def test_it_refuses_to_make_the_steward_steward_again(world):
    with pytest.raises(Conflict, match="already the steward"):
        steward_assign(circle=world.finance, member=world.member(world.steve), by=None)


def test_it_lets_a_former_steward_leave_the_roster_once_replaced(world):
    steward_assign(circle=world.finance, member=world.member(world.mia), by=None)
    membership = CircleMembership.objects.current().get(circle=world.finance, member__user=world.steve)

    roster_remove(membership=membership, by=None, reason="Handed over")

    membership.refresh_from_db()
    assert not membership.is_current


def test_it_keeps_the_history_of_stewards(world):
    steward_assign(circle=world.finance, member=world.member(world.mia), by=None)
    steward_assign(circle=world.finance, member=world.member(world.nora), by=None)

    holders = RoleAssignment.objects.filter(role__circle=world.finance, role__kind=Role.Kind.STEWARD).order_by("id")
    assert [a.member.user for a in holders] == [world.steve, world.mia, world.nora]
    assert [a.end_reason for a in holders] == ["replaced", "replaced", ""]
