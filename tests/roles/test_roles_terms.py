"""Role definitions, terms and the checks that explain a refusal: seats, the roster, term limits (and
when someone may serve again), renewals, term dates in the organisation's time zone, double-linking
of stewards and delegates, and the core roles every circle gets from the organisation's template."""

import zoneinfo
from datetime import datetime, timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from circles.models import CircleMembership
from circles.services import circle_create, roster_add, roster_remove
from governance.errors import Conflict, Invalid
from governance.models import Event
from roles.models import Role, RoleAssignment
from roles.services import (
    assignment_end,
    assignment_renew,
    role_archive,
    role_assign,
    role_create,
    role_template_save,
    role_update,
    steward_assign,
)
from tests.factories import make_circle, make_member, make_role


def _on_roster(circle, member):
    return CircleMembership.objects.current().filter(circle=circle, member=member).exists()


# Definitions -------------------------------------------------------------------------------------


def test_it_defines_a_role_with_everything_the_circle_needs_to_know(world):
    role = role_create(
        circle=world.finance,
        by=world.member(world.steve),
        name="  Bookkeeper ",
        purpose="Keeps the money honest.",
        domains="- The budget",
        accountabilities="- Present the accounts\n\n* Pay the invoices\n",
        time_hours=4,
        time_period="month",
        is_paid=True,
        seats=2,
        term_months=6,
        term_limit=2,
        selection="elected",
        election_method="ballot",
    )

    assert role.name == "Bookkeeper" and role.accountabilities == ["Present the accounts", "Pay the invoices"]
    assert (role.seats, role.term_months, role.term_limit, role.is_paid) == (2, 6, 2, True)
    assert float(role.hours_per_week) == pytest.approx(0.9)
    assert Event.objects.filter(verb="role.created", object_id=role.pk, actor=world.member(world.steve)).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "needs a name"),
        ({"seats": 0}, "seats", "at least one seat"),
        ({"term_months": 0}, "term_months", "between 1 and 60"),
        ({"term_limit": 0}, "term_limit", "at least one term"),
        ({"selection": "elected", "auto_renew": True}, "auto_renew", "not renewed automatically"),
        ({"term_months": None, "auto_renew": True}, "auto_renew", "term length"),
    ],
)
def test_it_refuses_a_definition_that_makes_no_sense(world, fields, field, message):
    fields = {"name": "Bookkeeper", **fields}

    with pytest.raises(Invalid, match=message) as refusal:
        role_create(circle=world.finance, by=None, **fields)

    assert refusal.value.field == field
    assert not Role.objects.filter(circle=world.finance, kind="custom").exists()


def test_it_refuses_two_roles_of_the_same_name_in_a_circle(world):
    make_role(world.finance, "Bookkeeper")

    with pytest.raises(Invalid, match="already has a role called"):
        role_create(circle=world.finance, by=None, name="treasurer")


def test_a_change_to_the_definition_is_logged_with_what_changed(world):
    role = make_role(world.finance, "Bookkeeper")

    role_update(role=role, by=world.member(world.steve), term_months=12, seats=2)

    event = Event.objects.get(verb="role.updated", object_id=role.pk)
    assert event.details["changes"] == {"term_months": [6, 12], "seats": [1, 2]}


def test_it_refuses_fewer_seats_than_people_holding_the_role(world):
    role = make_role(world.finance, "Bookkeeper", seats=2)
    role_assign(role=role, member=world.member(world.mia), by=None)
    role_assign(role=role, member=world.member(world.steve), by=None)

    with pytest.raises(Conflict, match="More people hold this role"):
        role_update(role=role, by=None, seats=1)


def test_archiving_a_role_ends_its_terms_and_keeps_its_history(world):
    role = make_role(world.finance, "Bookkeeper")
    assignment = role_assign(role=role, member=world.member(world.mia), by=None)

    role_archive(role=role, by=world.member(world.steve))

    assignment.refresh_from_db()
    assert Role.objects.get(pk=role.pk).is_archived
    assert assignment.ended_at is not None and assignment.end_reason == "removed"
    with pytest.raises(Conflict, match="archived"):
        role_assign(role=role, member=world.member(world.steve), by=None)


def test_core_roles_cannot_be_archived(world):
    facilitator = Role.objects.get(circle=world.finance, kind=Role.Kind.FACILITATOR)

    with pytest.raises(Conflict, match="core role"):
        role_archive(role=facilitator, by=None)


# The core roles -----------------------------------------------------------------------------------


def test_every_circle_gets_the_core_roles_and_the_general_circle_no_delegate(world):
    kinds = set(Role.objects.filter(circle=world.finance).values_list("kind", flat=True))
    general = set(Role.objects.filter(circle=world.general).values_list("kind", flat=True))

    assert kinds == {"steward", "facilitator", "secretary", "delegate", "treasurer"}
    assert general == {"steward", "facilitator", "secretary", "treasurer"}


def test_new_circles_take_their_core_roles_from_the_organisation_template(world):
    role_template_save(
        organisation=world.organisation,
        by=world.member(world.alice),
        kind="facilitator",
        name="Host",
        term_months=6,
        term_limit=3,
        accountabilities=["Hosts meetings"],
    )

    circle = make_circle(world.organisation, "Events")

    host = Role.objects.get(circle=circle, kind="facilitator")
    assert (host.name, host.term_months, host.term_limit, host.accountabilities) == ("Host", 6, 3, ["Hosts meetings"])
    assert (
        Role.objects.get(circle=world.finance, kind="facilitator").name == "Facilitator"
    )  # existing circles keep theirs


def test_the_data_migration_gives_existing_circles_their_core_roles(world):
    Role.objects.filter(circle=world.finance).exclude(kind="steward").delete()
    migration = import_module("roles.migrations.0003_core_roles_for_existing_circles")

    migration.add_core_roles(django_apps, None)
    migration.add_core_roles(django_apps, None)  # twice: nothing more

    kinds = sorted(Role.objects.filter(circle=world.finance).values_list("kind", flat=True))
    assert kinds == ["delegate", "facilitator", "secretary", "steward"]


# Assigning, with explanations ---------------------------------------------------------------------


def test_a_term_ends_at_local_midnight_in_the_organisations_time_zone(world, time_machine):
    world.organisation.time_zone = "Pacific/Auckland"
    world.organisation.save()
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    # 20:00 UTC on 14 March is already 15 March, 09:00, in Auckland.
    time_machine.move_to(datetime(2027, 3, 14, 20, 0, tzinfo=zoneinfo.ZoneInfo("UTC")))
    role = make_role(world.finance, "Bookkeeper", term_months=6)

    assignment = role_assign(role=role, member=world.member(world.mia), by=None)

    assert assignment.planned_end_at == datetime(2027, 9, 15, 0, 0, tzinfo=auckland)
    assert (
        timezone.localtime(assignment.planned_end_at, auckland).strftime("%d %B %Y %H:%M") == "15 September 2027 00:00"
    )


def test_it_refuses_when_the_seats_are_full_and_says_until_when(world, time_machine):
    time_machine.move_to(datetime(2027, 1, 10, 12, 0, tzinfo=zoneinfo.ZoneInfo("UTC")))
    role = make_role(world.finance, "Bookkeeper", term_months=6)
    role_assign(role=role, member=world.member(world.mia), by=None)

    with pytest.raises(Conflict, match="All 1 seat\\(s\\) of Bookkeeper are taken until 10 July 2027") as refusal:
        role_assign(role=role, member=world.member(world.steve), by=None)

    assert refusal.value.field == "member"


def test_it_refuses_someone_who_is_not_on_the_circles_roster(world):
    role = make_role(world.finance, "Bookkeeper")

    with pytest.raises(Invalid, match="Nora Nocircle is not on the roster of Finance; add them to the circle first"):
        role_assign(role=role, member=world.member(world.nora), by=None)


def test_anyone_in_the_organisation_can_hold_a_role_of_the_general_circle(world):
    role = make_role(world.general, "Bookkeeper")

    assert role_assign(role=role, member=world.member(world.nora), by=None).is_current


def test_the_term_limit_counts_consecutive_terms_and_says_when_they_may_serve_again(world, time_machine):
    time_machine.move_to(datetime(2027, 1, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC")))
    role = make_role(world.finance, "Bookkeeper", term_months=6, term_limit=2, auto_renew=True)
    mia = world.member(world.mia)
    first = role_assign(role=role, member=mia, by=None)
    second = assignment_renew(assignment=first, by=None)
    assert second.term_number == 2 and second.started_at == first.planned_end_at

    with pytest.raises(Conflict, match="served 2 consecutive terms as Bookkeeper, the limit") as refusal:
        assignment_renew(assignment=second, by=None)

    # Two terms end on 1 January 2028; sitting out one six-month term makes her eligible again.
    assert "they may serve again from 1 July 2028" in refusal.value.message


def test_after_sitting_out_a_full_term_the_count_starts_again(world, time_machine):
    time_machine.move_to(datetime(2027, 1, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC")))
    role = make_role(world.finance, "Bookkeeper", term_months=6, term_limit=1)
    mia = world.member(world.mia)
    assignment_end(assignment=role_assign(role=role, member=mia, by=None), by=None, reason="resigned")
    with pytest.raises(Conflict, match="may serve again from 1 July 2027"):
        role_assign(role=role, member=mia, by=None)

    time_machine.move_to(datetime(2027, 7, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC")))

    assert role_assign(role=role, member=mia, by=None).term_number == 1


def test_renewing_is_refused_for_elected_roles_and_done_once(world):
    elected = make_role(world.finance, "Bookkeeper", selection="elected")
    appointed = make_role(world.finance, "Scribe")
    mia = world.member(world.mia)

    with pytest.raises(Conflict, match="is elected"):
        assignment_renew(assignment=role_assign(role=elected, member=mia, by=None), by=None)
    term = role_assign(role=appointed, member=mia, by=None)
    assignment_renew(assignment=term, by=None)
    with pytest.raises(Conflict, match="already has the next term"):
        assignment_renew(assignment=term, by=None)
    assert RoleAssignment.objects.open().filter(role=appointed, member=mia).count() == 2
    assert RoleAssignment.objects.current().filter(role=appointed, member=mia).count() == 1


# Double-linking -----------------------------------------------------------------------------------


@pytest.fixture
def budget(world):
    """A sub-circle of Finance (whose parent is not the general circle)."""
    return circle_create(organisation=world.organisation, by=None, name="Budget", parent=world.finance)


def test_a_sub_circles_steward_joins_the_parent_roster_and_leaves_it_when_the_term_ends(world, budget):
    nora = world.member(world.nora)

    steward = steward_assign(circle=budget, member=nora, by=world.member(world.alice))

    assert _on_roster(world.finance, nora) and steward.parent_membership.circle == world.finance
    assignment_end(assignment=steward, by=None, reason="term_ended")
    assert not _on_roster(world.finance, nora)
    left = CircleMembership.objects.get(circle=world.finance, member=nora)
    assert left.removal_reason == "Their term as Steward of Budget ended."


def test_the_delegate_is_double_linked_too(world, budget):
    nora = world.member(world.nora)
    roster_add(circle=budget, member=nora, by=None)
    delegate = Role.objects.get(circle=budget, kind="delegate")

    assignment = role_assign(role=delegate, member=nora, by=None)

    assert _on_roster(world.finance, nora)
    assignment_end(assignment=assignment, by=None, reason="resigned")
    assert not _on_roster(world.finance, nora)


def test_someone_already_on_the_parent_roster_stays_on_it_after_the_term(world, budget):
    mia = world.member(world.mia)  # on Finance in her own right

    steward = steward_assign(circle=budget, member=mia, by=None)
    assignment_end(assignment=steward, by=None, reason="resigned")

    assert steward.parent_membership is None and _on_roster(world.finance, mia)


def test_the_parent_roster_row_a_role_brought_cannot_be_removed_by_hand(world, budget):
    nora = world.member(world.nora)
    steward = steward_assign(circle=budget, member=nora, by=None)

    with pytest.raises(Conflict, match="sits here as Steward of Budget; they leave when that term ends"):
        roster_remove(membership=steward.parent_membership, by=world.member(world.steve), reason="Tidying up")


def test_the_link_passes_to_the_other_role_when_one_of_two_ends(world, budget):
    nora = world.member(world.nora)
    steward = steward_assign(circle=budget, member=nora, by=None)
    delegate = role_assign(role=Role.objects.get(circle=budget, kind="delegate"), member=nora, by=None)

    assignment_end(assignment=steward, by=None, reason="resigned")

    assert _on_roster(world.finance, nora)
    delegate.refresh_from_db()
    assert delegate.parent_membership_id is not None
    assignment_end(assignment=delegate, by=None, reason="resigned")
    assert not _on_roster(world.finance, nora)


def test_a_sub_circle_of_the_general_circle_needs_no_link(world):
    steward = RoleAssignment.objects.current().get(role__circle=world.finance, role__kind="steward")

    assert steward.parent_membership is None


def test_a_new_steward_replacing_the_old_one_moves_the_parent_seat(world, budget):
    nora, mia = world.member(world.nora), world.member(world.mia)
    steward_assign(circle=budget, member=nora, by=None)

    steward_assign(circle=budget, member=make_member(world.organisation, user=None), by=None)

    assert not _on_roster(world.finance, nora) and _on_roster(world.finance, mia)
    assert CircleMembership.objects.current().filter(circle=world.finance).count() == 3  # steve, mia, new steward


def test_an_upcoming_term_does_not_count_as_holding_the_role(world):
    role = make_role(world.finance, "Bookkeeper")
    later = timezone.now() + timedelta(days=10)

    upcoming = role_assign(role=role, member=world.member(world.mia), by=None, started_at=later)

    assert upcoming.is_upcoming and not RoleAssignment.objects.current().filter(role=role).exists()
