"""A role never has more current holders than seats, however many assignments arrive at once: the
role row is locked before the clock is read and the seats counted, and each term holds a numbered
seat, the lowest free for its whole length, which PostgreSQL keeps from being held twice at the same
time by an exclusion constraint."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from governance.errors import Conflict
from roles.models import RoleAssignment
from roles.services import assignment_end, assignment_renew, role_assign, steward_assign
from tests.concurrency import run_together
from tests.factories import make_member, make_role

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and exclusion constraints need PostgreSQL (CI runs it)"
)


# Under concurrency (PostgreSQL) ---------------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_assignments_to_a_one_seat_role_give_one_holder_every_time(world):
    members = [make_member(world.organisation, circles=[world.finance]) for _ in range(10)]
    for iteration in range(20):
        role = make_role(world.finance, f"Scribe {iteration}", seats=1)

        results = run_together(10, lambda i, role=role: role_assign(role=role, member=members[i], by=None))

        assert RoleAssignment.objects.current().filter(role=role).count() == 1, iteration
        assert sum(isinstance(r, RoleAssignment) for r in results) == 1, iteration
        assert all(isinstance(r, Conflict) for r in results if not isinstance(r, RoleAssignment)), iteration


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_assignments_to_a_two_seat_role_fill_seats_one_and_two(world):
    members = [make_member(world.organisation, circles=[world.finance]) for _ in range(8)]
    for iteration in range(5):
        role = make_role(world.finance, f"Buddy {iteration}", seats=2)

        run_together(8, lambda i, role=role: role_assign(role=role, member=members[i], by=None))

        seats = sorted(RoleAssignment.objects.current().filter(role=role).values_list("seat", flat=True))
        assert seats == [1, 2], iteration


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_steward_appointments_leave_one_steward(world):
    members = [make_member(world.organisation, circles=[world.finance]) for _ in range(6)]

    run_together(6, lambda i: steward_assign(circle=world.finance, member=members[i], by=None))

    assert RoleAssignment.objects.current().filter(role__circle=world.finance, role__kind="steward").count() == 1


@on_postgresql
def test_the_database_refuses_two_open_terms_in_one_seat_at_the_same_time(world):
    role = make_role(world.finance, "Scribe", seats=2)
    held = role_assign(role=role, member=world.member(world.mia), by=None)

    with pytest.raises(IntegrityError, match="role_assignment_seat_held_once"), transaction.atomic():
        RoleAssignment.objects.create(
            role=role, member=world.member(world.steve), started_at=held.started_at + timedelta(days=1), seat=1
        )
    # The same seat after the term, or another seat now, is fine.
    RoleAssignment.objects.create(
        role=role, member=world.member(world.steve), started_at=held.planned_end_at, seat=held.seat
    )
    RoleAssignment.objects.create(role=role, member=world.member(world.otto), started_at=held.started_at, seat=2)


# Seats, on any database ----------------------------------------------------------------------------


def test_an_open_term_always_holds_a_seat(world):
    held = role_assign(role=make_role(world.finance, "Scribe"), member=world.member(world.mia), by=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.filter(pk=held.pk).update(seat=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.filter(pk=held.pk).update(seat=0)


def test_a_term_takes_the_lowest_free_seat_and_an_ended_term_frees_its_seat(world):
    role = make_role(world.finance, "Buddy", seats=3)
    first, second = (role_assign(role=role, member=world.member(u), by=None) for u in (world.mia, world.steve))
    assert (first.seat, second.seat) == (1, 2)

    assignment_end(assignment=first, by=None, reason=RoleAssignment.EndReason.RESIGNED)
    third = role_assign(role=role, member=make_member(world.organisation, circles=[world.finance]), by=None)

    assert third.seat == 1
    assert RoleAssignment.objects.get(pk=first.pk).seat == 1  # the history keeps the seat it held


def test_a_renewal_chosen_ahead_takes_the_seat_its_holder_leaves(world, time_machine):
    time_machine.move_to(timezone.now())
    role = make_role(world.finance, "Scribe", seats=1)
    current = role_assign(role=role, member=world.member(world.mia), by=None)

    renewal = assignment_renew(assignment=current, by=None)

    assert renewal.seat == current.seat == 1 and renewal.started_at == current.planned_end_at


def test_a_term_whose_end_has_passed_does_not_hold_its_seat_before_the_sweep_ends_it(world, time_machine):
    role = make_role(world.finance, "Scribe", seats=1, term_months=1)
    old = role_assign(role=role, member=world.member(world.mia), by=None)
    time_machine.move_to(old.planned_end_at + timedelta(hours=1))

    new = role_assign(role=role, member=world.member(world.steve), by=None)

    assert new.seat == 1 and RoleAssignment.objects.get(pk=old.pk).ended_at is None


def test_it_refuses_a_term_that_would_overlap_a_term_already_chosen_for_the_last_seat(world, time_machine):
    time_machine.move_to(timezone.now())
    role = make_role(world.finance, "Scribe", seats=1)
    current = role_assign(role=role, member=world.member(world.mia), by=None)
    chosen = role_assign(role=role, member=world.member(world.steve), by=None, started_at=current.planned_end_at)
    assignment_end(assignment=current, by=None, reason=RoleAssignment.EndReason.RESIGNED)
    otto = make_member(world.organisation, circles=[world.finance])

    with pytest.raises(Conflict, match="taken during this term"):
        role_assign(role=role, member=otto, by=None, planned_end_at=chosen.started_at + timedelta(days=30))
    interim = role_assign(role=role, member=otto, by=None, planned_end_at=chosen.started_at)

    assert interim.seat == chosen.seat == 1


def test_a_later_term_takes_the_seat_that_frees_up_leaving_the_other_for_now(world, time_machine):
    """Seat 1 is held until its term ends; a term chosen for a month later takes seat 1 then, so
    seat 2 stays free for someone now."""
    time_machine.move_to(timezone.now())
    role = make_role(world.finance, "Buddy", seats=2)
    current = role_assign(role=role, member=world.member(world.mia), by=None)
    later = role_assign(
        role=role, member=world.member(world.steve), by=None, started_at=current.planned_end_at + timedelta(days=30)
    )

    now = role_assign(role=role, member=make_member(world.organisation, circles=[world.finance]), by=None)

    assert (current.seat, later.seat, now.seat) == (1, 1, 2)


def test_the_data_migration_numbers_the_open_terms_of_each_role(world, time_machine):
    time_machine.move_to(timezone.now())
    role = make_role(world.finance, "Buddy", seats=2)
    members = [make_member(world.organisation, circles=[world.finance]) for _ in range(3)]
    first = role_assign(role=role, member=members[0], by=None)
    second = role_assign(role=role, member=members[1], by=None)
    after = role_assign(role=role, member=members[2], by=None, started_at=first.planned_end_at)
    ended = role_assign(role=make_role(world.finance, "Scribe"), member=members[0], by=None)
    assignment_end(assignment=ended, by=None, reason=RoleAssignment.EndReason.RESIGNED)
    for n, term in enumerate((first, second, after), start=1):  # seats out of order, as if never numbered
        RoleAssignment.objects.filter(pk=term.pk).update(seat=100 + n)
    migration = import_module("roles.migrations.0004_numbered_seats")

    migration.number_open_terms(django_apps, None)

    seat = dict(RoleAssignment.objects.filter(role=role).values_list("pk", "seat"))
    assert (seat[first.pk], seat[second.pk], seat[after.pk]) == (1, 2, 1)
    assert RoleAssignment.objects.get(pk=ended.pk).seat == 1  # ended terms are left as they are
