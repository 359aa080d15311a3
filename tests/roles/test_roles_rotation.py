"""The rotation sweep, with frozen time: reminders 30 and 7 days ahead (each once), terms ending on
their day, renewals within the term limit, vacancies, elections opened ahead of time, upcoming terms
linked when they start; all safe to run twice or after missed days."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.test import override_settings

from circles.models import CircleMembership
from circles.services import circle_create, roster_add
from governance.models import Event, Notification
from roles.models import Election, RoleAssignment
from roles.services import (
    assignments_end_due,
    parent_links_sync,
    role_assign,
    roles_rotation_sweep,
    terms_remind_ending,
)
from roles.tasks import roles_rotation_sweep as rotation_task
from tests.factories import make_role

UTC = zoneinfo.ZoneInfo("UTC")
START = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def term(world, time_machine):
    """Mia holds Finance's Bookkeeper (six-month appointed role) from 1 January to 1 July 2027."""
    time_machine.move_to(START)
    role = make_role(world.finance, "Bookkeeper", term_months=6)
    return role_assign(role=role, member=world.member(world.mia), by=world.member(world.steve))


def _reminders(assignment):
    return Notification.objects.filter(kind="role_term_ending", key__startswith=f"assignment:{assignment.pk}:")


def test_it_reminds_the_holder_and_the_circle_30_and_7_days_before_each_once(world, term, time_machine):
    time_machine.move_to(term.planned_end_at - timedelta(days=31))
    assert terms_remind_ending() == 0

    time_machine.move_to(term.planned_end_at - timedelta(days=29))
    assert terms_remind_ending() == 2  # mia and steve (the roster)
    assert terms_remind_ending() == 0

    time_machine.move_to(term.planned_end_at - timedelta(days=6))
    assert terms_remind_ending() == 2
    assert terms_remind_ending() == 0
    keys = sorted(set(_reminders(term).values_list("key", flat=True)))
    assert keys == [f"assignment:{term.pk}:30d", f"assignment:{term.pk}:7d"]
    assert {n.recipient for n in _reminders(term)} == {world.mia, world.steve}
    assert "ends on 1 July 2027" in _reminders(term).first().body


def test_a_sweep_that_missed_the_30_day_mark_sends_only_the_7_day_reminder(term, time_machine):
    time_machine.move_to(term.planned_end_at - timedelta(days=3))

    terms_remind_ending()

    assert set(_reminders(term).values_list("key", flat=True)) == {f"assignment:{term.pk}:7d"}


@override_settings(ROLE_TERM_REMINDER_DAYS=[14])
def test_the_reminder_days_are_a_setting(term, time_machine):
    time_machine.move_to(term.planned_end_at - timedelta(days=20))
    assert terms_remind_ending() == 0
    time_machine.move_to(term.planned_end_at - timedelta(days=13))
    assert terms_remind_ending() == 2
    assert set(_reminders(term).values_list("key", flat=True)) == {f"assignment:{term.pk}:14d"}


def test_it_ends_a_term_on_its_day_and_marks_the_role_vacant_once_even_when_run_twice(world, term, time_machine):
    time_machine.move_to(term.planned_end_at - timedelta(hours=1))
    assert assignments_end_due() == 0

    time_machine.move_to(term.planned_end_at + timedelta(days=3, hours=5))  # beat was down for three days
    assert assignments_end_due() == 1
    assert assignments_end_due() == 0

    term.refresh_from_db()
    assert term.ended_at == term.planned_end_at and term.end_reason == "term_ended"
    assert Event.objects.filter(verb="role.vacant", object_id=term.role_id).count() == 1
    assert Notification.objects.filter(kind="role_vacant").count() == 2


def test_it_renews_a_term_when_the_role_renews_and_the_limit_allows(world, time_machine):
    time_machine.move_to(START)
    role = make_role(world.finance, "Scribe", term_months=6, term_limit=2, auto_renew=True)
    first = role_assign(role=role, member=world.member(world.mia), by=None)

    time_machine.move_to(first.planned_end_at + timedelta(hours=2))
    roles_rotation_sweep()
    roles_rotation_sweep()

    first.refresh_from_db()
    second = RoleAssignment.objects.current().get(role=role)
    assert first.end_reason == "renewed" and first.ended_at == first.planned_end_at
    assert second.started_at == first.planned_end_at and second.term_number == 2
    assert second.planned_end_at == datetime(2028, 1, 1, tzinfo=UTC)

    time_machine.move_to(second.planned_end_at + timedelta(hours=2))
    roles_rotation_sweep()

    second.refresh_from_db()
    assert second.end_reason == "term_ended" and "the limit" in second.end_note
    assert not RoleAssignment.objects.open().filter(role=role).exists()
    assert Event.objects.filter(verb="role.vacant", object_id=role.pk).exists()


def test_a_holder_who_left_the_circle_is_not_renewed(world, time_machine):
    time_machine.move_to(START)
    role = make_role(world.finance, "Scribe", term_months=6, auto_renew=True)
    first = role_assign(role=role, member=world.member(world.mia), by=None)
    membership = CircleMembership.objects.current().get(circle=world.finance, member=world.member(world.mia))
    CircleMembership.objects.filter(pk=membership.pk).update(left_at=START, removal_reason="Moved on")

    time_machine.move_to(first.planned_end_at + timedelta(hours=1))
    assignments_end_due()

    first.refresh_from_db()
    assert first.end_reason == "term_ended" and "not on the roster" in first.end_note


def test_it_opens_an_election_ahead_of_time_once(world, time_machine):
    time_machine.move_to(START)
    role = make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")
    term = role_assign(role=role, member=world.member(world.mia), by=None)

    time_machine.move_to(term.planned_end_at - timedelta(days=22))
    roles_rotation_sweep()
    assert not Election.objects.exists()

    time_machine.move_to(term.planned_end_at - timedelta(days=20))
    roles_rotation_sweep()
    roles_rotation_sweep()

    election = Election.objects.get()
    assert election.role == role and election.state == "nominating" and election.method == "sociocratic"
    assert election.term_starts_at == term.planned_end_at and election.seats == 1
    assert Notification.objects.filter(kind="election_opened", key=f"election:{election.pk}").count() == 2


@override_settings(ROLE_ELECTION_LEAD_DAYS=45)
def test_the_election_lead_is_a_setting(world, time_machine):
    time_machine.move_to(START)
    role = make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")
    term = role_assign(role=role, member=world.member(world.mia), by=None)

    time_machine.move_to(term.planned_end_at - timedelta(days=44))
    roles_rotation_sweep()

    assert Election.objects.filter(role=role).exists()


def test_an_election_already_held_for_the_term_is_not_opened_again(world, time_machine):
    time_machine.move_to(START)
    role = make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")
    term = role_assign(role=role, member=world.member(world.mia), by=None)
    time_machine.move_to(term.planned_end_at - timedelta(days=20))
    roles_rotation_sweep()
    Election.objects.update(state="cancelled")

    time_machine.move_to(term.planned_end_at - timedelta(days=10))
    roles_rotation_sweep()

    assert Election.objects.count() == 1


def test_an_upcoming_steward_term_joins_the_parent_roster_when_it_starts(world, time_machine):
    time_machine.move_to(START)
    budget = circle_create(organisation=world.organisation, by=None, name="Budget", parent=world.finance)
    nora = world.member(world.nora)
    roster_add(circle=budget, member=nora, by=None)
    delegate = budget.roles.get(kind="delegate")
    upcoming = role_assign(role=delegate, member=nora, by=None, started_at=START + timedelta(days=10))
    assert parent_links_sync() == 0

    time_machine.move_to(START + timedelta(days=10, hours=1))
    rotation_task()
    assert parent_links_sync() == 0

    upcoming.refresh_from_db()
    assert upcoming.parent_membership.circle == world.finance
    assert CircleMembership.objects.current().filter(circle=world.finance, member=nora).exists()


def test_the_sweep_as_a_task_reports_what_it_did(world, term, time_machine):
    time_machine.move_to(term.planned_end_at + timedelta(hours=1))

    done = roles_rotation_sweep()

    assert done["ended"] == 1 and done["elections_opened"] == 0
