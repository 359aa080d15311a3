"""A sweep works through every organisation's items however badly one of them fails: each item in its
own savepoint, the failure recorded, held back for a growing delay, retried, and reported once to
the site admins; the others go through. The failures here are real ones: a database trigger that
refuses one row, as a constraint or a broken row would."""

import logging
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from governance.models import Event, Member, Notification, SweepFailure, User
from meetings.models import ActionItem
from meetings.services import action_item_create, meeting_create, meetings_remind
from meetings.services import action_items_remind as action_items_sweep
from proposals.models import EligibleVoter, Proposal
from proposals.services import outcome_of, proposals_close_due
from roles.models import RoleAssignment
from roles.services import role_assign, roles_rotation_sweep, terms_remind_ending
from tests.factories import make_member, make_proposal, make_role

UTC = ZoneInfo("UTC")


@contextmanager
def refusing(table: str, condition: str):
    """A trigger that makes the database refuse any insert or update of `table` where `condition`
    (SQL about NEW) holds. Yields a function that lifts it: the cause, fixed."""
    if connection.vendor == "postgresql":
        create = [
            "CREATE FUNCTION hardening_refuse() RETURNS trigger AS $$ BEGIN "
            f"IF {condition} THEN RAISE EXCEPTION 'refused by the database'; END IF; RETURN NEW; END $$ "
            "LANGUAGE plpgsql",
            f"CREATE TRIGGER hardening_refuse BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION hardening_refuse()",
        ]
        drop = [f"DROP TRIGGER IF EXISTS hardening_refuse ON {table}", "DROP FUNCTION IF EXISTS hardening_refuse()"]
    else:
        create = [
            f"CREATE TRIGGER hardening_refuse_{event} BEFORE {event} ON {table} WHEN {condition} "
            "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"
            for event in ("INSERT", "UPDATE")
        ]
        drop = [f"DROP TRIGGER IF EXISTS hardening_refuse_{event}" for event in ("INSERT", "UPDATE")]

    def lift():
        with connection.cursor() as cursor:
            for sql in drop:
                cursor.execute(sql)

    with connection.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)
    try:
        yield lift
    finally:
        lift()


@pytest.fixture
def site_admin(db):
    return User.objects.create_superuser(email="root@site.test", password=None, name="Site Admin")


def told(site_admin):
    return Notification.objects.filter(kind="sweep_failed", recipient=site_admin)


# Closing due rounds ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="500 rounds with real transactions: PostgreSQL (CI)")
def test_a_round_that_cannot_close_holds_up_none_of_500_others_in_two_organisations(
    world, site_admin, time_machine, caplog
):
    steve, olga = world.member(world.steve), Member.objects.get(organisation=world.other, user=world.olga)
    other_general = world.other.circles.get(is_general=True)
    poisoned = make_proposal(world.finance, steve, title="The round that cannot close")  # the oldest: first batch
    good = [
        make_proposal(world.finance, steve, title=f"Acme round {n}")
        if n % 2
        else make_proposal(other_general, olga, title=f"Other round {n}")
        for n in range(500)
    ]
    due = good[-1].closes_at + timedelta(minutes=1)
    time_machine.move_to(due)

    with refusing(Proposal._meta.db_table, f"NEW.id = {int(poisoned.pk)} AND NEW.state = 'closed'") as fix:
        with caplog.at_level(logging.INFO, logger="governance.sweeps"):
            assert proposals_close_due() == 500
        assert "Sweep proposals_close_due: 500 done, 1 failed, 0 held back." in caplog.text

        ids = [p.pk for p in good]
        rounds = Proposal.objects.filter(pk__in=ids)
        assert all(p.state == Proposal.State.CLOSED and p.outcome == outcome_of(p) for p in rounds)
        events = dict(
            Event.objects.filter(verb="proposal.closed", object_id__in=ids)
            .values_list("object_id")
            .annotate(n=Count("id"))
        )
        assert len(events) == 500 and set(events.values()) == {1}
        expected = {p.pk: {p.author.user_id} for p in rounds.select_related("author")}
        for pk, user in EligibleVoter.objects.filter(proposal__in=ids).values_list("proposal_id", "member__user_id"):
            expected[pk].add(user)
        messages = dict(Notification.objects.filter(kind="proposal_closed").values_list("key").annotate(n=Count("id")))
        assert messages == {f"proposal:{pk}": len(users) for pk, users in expected.items()}
        assert {p.organisation_id for p in rounds} == {world.organisation.pk, world.other.pk}

        poisoned.refresh_from_db()
        assert poisoned.state == Proposal.State.OPEN
        assert not Event.objects.filter(verb="proposal.closed", object_id=poisoned.pk).exists()
        failure = SweepFailure.objects.get()
        assert (failure.sweep, failure.object_type, failure.object_id) == (
            "proposals_close_due",
            "proposal",
            poisoned.pk,
        )
        assert failure.organisation == world.organisation and failure.attempts == 1
        assert "refused by the database" in failure.error and failure.traceback
        assert failure.reported_at is not None and failure.resolved_at is None
        (email,) = told(site_admin)
        assert "proposals_close_due" in email.subject and "The round that cannot close" in email.body

        # While it waits for its retry it is left alone: not even claimed, and nobody is told again.
        time_machine.move_to(due + timedelta(minutes=1))
        assert proposals_close_due() == 0
        # Its retry fails too: held back longer, still one email.
        time_machine.move_to(due + timedelta(minutes=6))
        assert proposals_close_due() == 0
        failure.refresh_from_db()
        assert failure.attempts == 2 and failure.next_attempt_at == due + timedelta(minutes=6 + 15)
        assert told(site_admin).count() == 1

        fix()
        time_machine.move_to(due + timedelta(minutes=7))
        assert proposals_close_due() == 0  # fixed, but still waiting for its retry
        time_machine.move_to(due + timedelta(minutes=22))
        assert proposals_close_due() == 1

    poisoned.refresh_from_db()
    assert poisoned.state == Proposal.State.CLOSED
    assert Event.objects.filter(verb="proposal.closed", object_id=poisoned.pk).count() == 1
    failure.refresh_from_db()
    assert failure.resolved_at == due + timedelta(minutes=22) and failure.attempts == 2
    assert told(site_admin).count() == 1


def test_a_failing_batch_is_closed_one_round_at_a_time_in_the_same_run(world, site_admin, time_machine):
    steve = world.member(world.steve)
    rounds = [make_proposal(world.finance, steve, title=f"Round {n}") for n in range(5)]
    time_machine.move_to(rounds[-1].closes_at)

    with refusing(Proposal._meta.db_table, f"NEW.id = {int(rounds[2].pk)} AND NEW.state = 'closed'"):
        assert proposals_close_due(batch_size=2) == 4

    states = dict(Proposal.objects.values_list("pk", "state"))
    assert [states[p.pk] for p in rounds] == ["closed", "closed", "open", "closed", "closed"]
    assert SweepFailure.objects.get().object_id == rounds[2].pk


def test_the_site_admins_in_settings_are_told_too(world, site_admin, settings, time_machine):
    settings.ADMINS = [("Operations", "ops@site.test")]
    proposal = make_proposal(world.finance, world.member(world.steve))
    time_machine.move_to(proposal.closes_at)

    with refusing(Proposal._meta.db_table, f"NEW.id = {int(proposal.pk)} AND NEW.state = 'closed'"):
        assert proposals_close_due() == 0

    assert sorted(Notification.objects.filter(kind="sweep_failed").values_list("email", flat=True)) == [
        "ops@site.test",
        "root@site.test",
    ]


# Meeting reminders -------------------------------------------------------------------------------


def test_a_meeting_whose_reminders_fail_holds_up_no_other_meetings_reminders(world, site_admin, time_machine):
    # A week from now: the personas' roles (the stewards who lead without a facilitator) have begun.
    start = (timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    steve, olga = world.member(world.steve), Member.objects.get(organisation=world.other, user=world.olga)
    other_general = world.other.circles.get(is_general=True)

    def meeting(circle, by, title):
        return meeting_create(circle=circle, by=by, title=title, starts_at=start, ends_at=start + timedelta(hours=1))

    poisoned = meeting(world.finance, steve, "Cannot be announced")
    finance = meeting(world.finance, steve, "Finance circle")
    other = meeting(other_general, olga, "Other assembly")
    time_machine.move_to(start - timedelta(hours=20))  # the day-before reminder and the agenda are due

    with refusing(Notification._meta.db_table, f"NEW.key LIKE 'meeting:{int(poisoned.pk)}:%'"):
        assert meetings_remind() == 2 + 1 + 1 + 1  # reminders to Mia, Steve and Olga; agendas due to both leads

    reminded = set(Notification.objects.filter(kind="meeting_reminder").values_list("key", flat=True))
    assert {key.split(":")[1] for key in reminded} == {str(finance.pk), str(other.pk)}
    assert set(Notification.objects.filter(kind="agenda_due").values_list("key", flat=True)) == {
        f"meeting:{finance.pk}:{start:%Y%m%dT%H%M%SZ}",
        f"meeting:{other.pk}:{start:%Y%m%dT%H%M%SZ}",
    }
    failures = SweepFailure.objects.filter(object_type="meeting", object_id=poisoned.pk)
    assert set(failures.values_list("sweep", flat=True)) == {"meeting_reminders_send", "agenda_due_remind"}
    assert told(site_admin).count() == 2  # once per failing item of each sweep

    time_machine.move_to(start - timedelta(hours=19, minutes=59))
    assert meetings_remind() == 0  # held back, the others already reminded
    time_machine.move_to(start - timedelta(hours=19))
    assert meetings_remind() == 3  # retried after the cause is gone: the day-before reminder and the agenda
    assert not SweepFailure.objects.filter(resolved_at__isnull=True).exists()


# Action items ------------------------------------------------------------------------------------


def test_an_action_whose_reminder_fails_holds_up_no_other_owners_reminder(world, site_admin, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, tzinfo=UTC))
    steve, mia = world.member(world.steve), world.member(world.mia)
    olga = Member.objects.get(organisation=world.other, user=world.olga)
    due = date(2026, 6, 3)
    items = [
        action_item_create(circle=world.finance, by=steve, title=f"Action {n}", owner=mia, due=due) for n in range(3)
    ]
    elsewhere = action_item_create(
        circle=world.other.circles.get(is_general=True), by=olga, title="Other", owner=olga, due=due
    )
    time_machine.move_to(datetime(2026, 6, 2, 8, tzinfo=UTC))

    with refusing(Notification._meta.db_table, f"NEW.key LIKE 'action:{int(items[1].pk)}:%'"):
        assert action_items_sweep() == 3

    reminded = set(Notification.objects.filter(kind="action_due_soon").values_list("key", flat=True))
    assert reminded == {f"action:{item.pk}:2026-06-03" for item in (items[0], items[2], elsewhere)}
    failure = SweepFailure.objects.get()
    assert (failure.sweep, failure.object_id, failure.organisation) == (
        "action_items_remind",
        items[1].pk,
        world.organisation,
    )
    assert ActionItem.objects.count() == 4 and told(site_admin).count() == 1


# Role terms --------------------------------------------------------------------------------------


@pytest.fixture
def terms(world, time_machine):
    """Three six-month terms in Finance from 1 January 2027, each in its own role."""
    time_machine.move_to(datetime(2027, 1, 1, 9, tzinfo=UTC))
    steve = world.member(world.steve)
    members = [world.member(world.mia), steve, make_member(world.organisation, circles=[world.finance])]
    return [
        role_assign(role=make_role(world.finance, f"Role {n}", term_months=6), member=member, by=steve)
        for n, member in enumerate(members)
    ]


def test_a_term_whose_reminder_fails_holds_up_no_other_terms_reminder(world, terms, site_admin, time_machine):
    time_machine.move_to(terms[0].planned_end_at - timedelta(days=6))

    with refusing(Notification._meta.db_table, f"NEW.key LIKE 'assignment:{int(terms[0].pk)}:%'"):
        assert terms_remind_ending() == 2 * 3  # each of the two others: its holder and the roster of three

    keys = set(Notification.objects.filter(kind="role_term_ending").values_list("key", flat=True))
    assert keys == {f"assignment:{terms[1].pk}:7d", f"assignment:{terms[2].pk}:7d"}
    failure = SweepFailure.objects.get()
    assert (failure.sweep, failure.object_id, failure.organisation) == (
        "terms_remind_ending",
        terms[0].pk,
        world.organisation,
    )
    assert not Event.objects.filter(verb="role.term_ending", object_id=terms[0].pk).exists()


def test_a_term_that_cannot_end_holds_up_no_other_term_ending(world, terms, site_admin, time_machine):
    time_machine.move_to(terms[0].planned_end_at + timedelta(hours=2))

    table = RoleAssignment._meta.db_table
    with refusing(table, f"NEW.id = {int(terms[1].pk)} AND NEW.ended_at IS NOT NULL") as fix:
        assert roles_rotation_sweep()["ended"] == 2
        fix()
        assert roles_rotation_sweep()["ended"] == 0  # held back until its retry

    ended = dict(RoleAssignment.objects.filter(pk__in=[t.pk for t in terms]).values_list("pk", "ended_at"))
    assert ended[terms[0].pk] and ended[terms[2].pk] and ended[terms[1].pk] is None
    failure = SweepFailure.objects.get()
    assert (failure.sweep, failure.object_id) == ("assignments_end_due", terms[1].pk)
    time_machine.move_to(terms[0].planned_end_at + timedelta(hours=3))
    assert roles_rotation_sweep()["ended"] == 1
    assert RoleAssignment.objects.get(pk=terms[1].pk).ended_at is not None
    failure.refresh_from_db()
    assert failure.resolved_at is not None and told(site_admin).count() == 1


def test_a_failure_is_shown_read_only_in_the_admin(world, site_admin, client, time_machine):
    proposal = make_proposal(world.finance, world.member(world.steve))
    time_machine.move_to(proposal.closes_at)
    with refusing(Proposal._meta.db_table, f"NEW.id = {int(proposal.pk)} AND NEW.state = 'closed'"):
        proposals_close_due()
    failure = SweepFailure.objects.get()
    client.force_login(site_admin)

    page = client.get(f"/admin/governance/sweepfailure/{failure.pk}/change/")

    assert page.status_code == 200 and "refused by the database" in page.content.decode()
    assert client.get("/admin/governance/sweepfailure/add/").status_code == 403
    assert client.post(f"/admin/governance/sweepfailure/{failure.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SweepFailure.objects.filter(pk=failure.pk).exists()
    # The admins' email links to it.
    assert f"/admin/governance/sweepfailure/{failure.pk}/change/" in told(site_admin).get().body
