"""role_assign, assignment_end and the core roles every circle has."""

import pytest
from django.utils import timezone

from circles.services import roster_add
from governance.errors import Conflict, Invalid
from governance.models import Event
from roles.models import Role, RoleAssignment
from roles.services import assignment_end, core_roles_ensure, role_assign


@pytest.fixture
def facilitator(world):
    return Role.objects.get(circle=world.finance, kind=Role.Kind.FACILITATOR)


def test_it_gives_every_circle_exactly_one_steward_role_however_often_it_is_ensured(world):
    core_roles_ensure(circle=world.finance)
    core_roles_ensure(circle=world.finance)

    assert Role.objects.filter(circle=world.finance, kind=Role.Kind.STEWARD).count() == 1


def test_it_assigns_a_role_with_a_term_and_logs_it(world, facilitator):
    mia, steve = world.member(world.mia), world.member(world.steve)
    term_end = timezone.now() + timezone.timedelta(days=180)

    assignment = role_assign(role=facilitator, member=mia, by=steve, planned_end_at=term_end)

    assert assignment.is_current and assignment.planned_end_at == term_end and assignment.assigned_by == steve
    assert Event.objects.get(verb="role.assigned", object_id=assignment.pk).details == {
        "role": "Facilitator",
        "member": "Mia Member",
    }


def test_it_refuses_a_role_when_all_its_seats_are_taken(world, facilitator):
    role_assign(role=facilitator, member=world.member(world.mia), by=None)

    with pytest.raises(Conflict, match="All 1 seat"):
        role_assign(role=facilitator, member=world.member(world.nora), by=None)


def test_it_refuses_to_give_someone_a_role_they_already_hold(world, facilitator):
    facilitator.seats = 2
    facilitator.save()
    role_assign(role=facilitator, member=world.member(world.mia), by=None)

    with pytest.raises(Conflict, match="already holds this role"):
        role_assign(role=facilitator, member=world.member(world.mia), by=None)


def test_it_refuses_a_role_to_someone_from_another_organisation(world, facilitator):
    with pytest.raises(Invalid, match="Only active members"):
        role_assign(role=facilitator, member=world.other.members.get(user=world.olga), by=None)


def test_it_refuses_to_assign_an_archived_role(world, facilitator):
    facilitator.archived_at = timezone.now()
    facilitator.save()

    with pytest.raises(Conflict, match="archived"):
        role_assign(role=facilitator, member=world.member(world.mia), by=None)


def test_it_ends_an_assignment_with_its_reason_and_frees_the_seat(world, facilitator):
    assignment = role_assign(role=facilitator, member=world.member(world.mia), by=None)

    assignment_end(assignment=assignment, by=None, reason=RoleAssignment.EndReason.TERM_ENDED)

    assignment.refresh_from_db()
    assert assignment.ended_at is not None and assignment.end_reason == "term_ended"
    roster_add(circle=world.finance, member=world.member(world.nora), by=None)
    role_assign(role=facilitator, member=world.member(world.nora), by=None)


def test_it_refuses_to_end_an_assignment_twice(world, facilitator):
    assignment = role_assign(role=facilitator, member=world.member(world.mia), by=None)
    assignment_end(assignment=assignment, by=None, reason=RoleAssignment.EndReason.RESIGNED)

    with pytest.raises(Conflict, match="already ended"):
        assignment_end(assignment=assignment, by=None, reason=RoleAssignment.EndReason.RESIGNED)


def test_it_refuses_to_end_an_assignment_without_a_known_reason(world, facilitator):
    assignment = role_assign(role=facilitator, member=world.member(world.mia), by=None)

    with pytest.raises(Invalid, match="Choose why"):
        assignment_end(assignment=assignment, by=None, reason="bored")
