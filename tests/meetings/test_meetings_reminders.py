"""Reminders by sweeps, with frozen time: each goes to each person exactly once, even when the sweep
runs twice or late; the agenda reminder to the facilitator, the minutes reminder to the secretary,
and the action reminders to their owners."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from governance.models import Notification
from meetings.models import ActionItem
from meetings.services import (
    action_item_create,
    action_item_update,
    action_items_remind,
    agenda_due_remind,
    agenda_item_add,
    agenda_publish,
    meeting_cancel,
    meeting_create,
    meeting_reminders_send,
    meeting_settings_update,
    meeting_update,
    meetings_remind,
    minutes_due_remind,
    minutes_publish,
    minutes_save_draft,
)
from tests.factories import make_member

UTC = ZoneInfo("UTC")
START = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def a_week_before(time_machine):
    """Everything (the personas, their roles) is set up a week before the meeting."""
    time_machine.move_to(START - timedelta(days=7))


@pytest.fixture
def meeting(world, time_machine):
    return meeting_create(
        circle=world.finance,
        by=world.member(world.steve),
        title="Finance circle",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
    )


def sent(kind, **filters):
    return sorted(Notification.objects.filter(kind=kind, **filters).values_list("email", flat=True))


def test_each_member_is_reminded_a_day_and_an_hour_before_once_however_often_the_sweep_runs(
    world, meeting, time_machine
):
    time_machine.move_to(START - timedelta(hours=30))
    assert meeting_reminders_send() == 0

    time_machine.move_to(START - timedelta(hours=23, minutes=55))
    assert meeting_reminders_send() == 2
    assert meeting_reminders_send() == 0
    time_machine.move_to(START - timedelta(hours=12))
    assert meeting_reminders_send() == 0

    time_machine.move_to(START - timedelta(minutes=58))
    assert meeting_reminders_send() == 2
    assert meeting_reminders_send() == 0

    time_machine.move_to(START + timedelta(minutes=5))
    assert meeting_reminders_send() == 0
    assert sent("meeting_reminder") == ["mia@acme.test", "mia@acme.test", "steve@acme.test", "steve@acme.test"]
    keys = set(Notification.objects.filter(kind="meeting_reminder").values_list("key", flat=True))
    assert keys == {f"meeting:{meeting.pk}:20260520T100000Z:24h", f"meeting:{meeting.pk}:20260520T100000Z:1h"}
    assert "Tomorrow: Finance circle" in Notification.objects.filter(key__endswith=":24h").first().subject


def test_a_sweep_that_was_down_sends_only_the_nearest_reminder(world, meeting, time_machine):
    time_machine.move_to(START - timedelta(minutes=30))

    meeting_reminders_send()
    meeting_reminders_send()

    assert set(Notification.objects.filter(kind="meeting_reminder").values_list("key", flat=True)) == {
        f"meeting:{meeting.pk}:20260520T100000Z:1h"
    }
    assert Notification.objects.filter(kind="meeting_reminder").count() == 2  # Mia and Steve, once each


def test_a_moved_meeting_is_announced_again_and_a_cancelled_one_not_at_all(world, meeting, time_machine):
    time_machine.move_to(START - timedelta(hours=20))
    meeting_reminders_send()
    meeting_update(
        meeting=meeting,
        by=world.member(world.steve),
        starts_at=START + timedelta(hours=2),
        ends_at=START + timedelta(hours=3),
    )
    meeting_reminders_send()

    assert Notification.objects.filter(kind="meeting_reminder").count() == 4
    assert Notification.objects.filter(kind="meeting_moved").count() == 2

    meeting_cancel(meeting=meeting, by=world.member(world.steve), reason="Nothing to discuss")
    time_machine.move_to(START + timedelta(hours=1, minutes=30))
    meeting_reminders_send()
    assert Notification.objects.filter(kind="meeting_reminder").count() == 4
    assert sent("meeting_cancelled") == ["mia@acme.test", "steve@acme.test"]


def test_reminder_hours_are_a_setting(world, meeting, time_machine, settings):
    settings.MEETING_REMINDER_HOURS = [48]
    time_machine.move_to(START - timedelta(hours=47))

    assert meeting_reminders_send() == 2
    time_machine.move_to(START - timedelta(minutes=30))
    assert meeting_reminders_send() == 0


# The agenda is due -----------------------------------------------------------------------------


def test_the_facilitator_is_reminded_once_when_the_agenda_is_due_and_unpublished(world, meeting, time_machine):
    time_machine.move_to(START - timedelta(days=2, hours=1))
    assert agenda_due_remind() == 0

    time_machine.move_to(START - timedelta(days=2) + timedelta(minutes=5))
    assert agenda_due_remind() == 1
    assert agenda_due_remind() == 0
    time_machine.move_to(START - timedelta(hours=3))
    assert agenda_due_remind() == 0

    # The steward facilitates when nobody holds the facilitator role.
    assert sent("agenda_due") == ["steve@acme.test"]
    assert "Publish the agenda of Finance circle" in Notification.objects.get(kind="agenda_due").subject


def test_a_published_agenda_needs_no_reminder(world, meeting, time_machine):
    agenda_item_add(meeting=meeting, by=world.member(world.mia), title="Budget")
    agenda_publish(meeting=meeting, by=world.member(world.steve))
    time_machine.move_to(START - timedelta(days=1))

    assert agenda_due_remind() == 0
    assert sent("agenda_published") == ["mia@acme.test", "steve@acme.test"]


def test_the_organisation_sets_how_many_days_ahead_the_agenda_is_due(world, meeting, time_machine):
    meeting_settings_update(organisation=world.organisation, by=None, agenda_due_days=4, quorum_percent=50)
    time_machine.move_to(START - timedelta(days=3, hours=23))

    assert agenda_due_remind() == 1


def test_the_named_facilitator_gets_the_agenda_reminder(world, time_machine):
    time_machine.move_to(START - timedelta(days=7))
    mia = world.member(world.mia)
    meeting_create(
        circle=world.finance,
        by=None,
        title="Finance circle",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        facilitator=mia,
    )
    time_machine.move_to(START - timedelta(days=1))

    meetings_remind()

    assert sent("agenda_due") == ["mia@acme.test"]


# Minutes not published -------------------------------------------------------------------------


def test_the_secretary_is_reminded_once_a_day_after_a_meeting_without_published_minutes(world, time_machine):
    time_machine.move_to(START - timedelta(days=3))
    clerk = make_member(world.organisation, circles=[world.finance])
    meeting = meeting_create(
        circle=world.finance,
        by=None,
        title="Finance",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        secretary=clerk,
    )
    time_machine.move_to(START + timedelta(hours=20))
    assert minutes_due_remind() == 0

    time_machine.move_to(START + timedelta(hours=25, minutes=1))
    minutes_save_draft(meeting=meeting, by=clerk)  # a draft is not published minutes
    assert minutes_due_remind() == 1
    time_machine.move_to(START + timedelta(days=4))
    assert minutes_due_remind() == 0

    assert sent("minutes_due") == [clerk.user.email]


def test_published_minutes_need_no_reminder(world, meeting, time_machine):
    time_machine.move_to(START + timedelta(minutes=30))
    minutes = minutes_save_draft(meeting=meeting, by=world.member(world.steve))
    minutes_publish(minutes=minutes, by=world.member(world.steve))
    time_machine.move_to(START + timedelta(days=2))

    assert minutes_due_remind() == 0
    assert sent("minutes_published") == ["mia@acme.test", "steve@acme.test"]


def test_without_a_secretary_the_steward_is_reminded_of_the_minutes(world, meeting, time_machine):
    time_machine.move_to(START + timedelta(days=1, hours=2))

    meetings_remind()

    assert sent("minutes_due") == ["steve@acme.test"]


# Action items ----------------------------------------------------------------------------------


def test_owners_are_reminded_once_the_day_before_and_once_when_overdue(world, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, tzinfo=UTC))
    mia = world.member(world.mia)
    item = action_item_create(
        circle=world.finance, by=world.member(world.steve), title="Pay the rent", owner=mia, due=date(2026, 6, 3)
    )

    assert action_items_remind() == 0
    time_machine.move_to(datetime(2026, 6, 2, 8, tzinfo=UTC))
    assert action_items_remind() == 1
    assert action_items_remind() == 0
    time_machine.move_to(datetime(2026, 6, 3, 8, tzinfo=UTC))
    assert action_items_remind() == 0  # "due tomorrow" already said it
    time_machine.move_to(datetime(2026, 6, 4, 8, tzinfo=UTC))
    assert action_items_remind() == 1
    time_machine.move_to(datetime(2026, 6, 9, 8, tzinfo=UTC))
    assert action_items_remind() == 0

    assert sent("action_due_soon") == ["mia@acme.test"]
    assert sent("action_overdue") == ["mia@acme.test"]
    assert sent("action_assigned") == ["mia@acme.test"]
    assert ActionItem.objects.get(pk=item.pk).is_overdue_on(date(2026, 6, 9))


def test_a_done_action_is_not_chased_and_a_new_due_date_is_reminded_again(world, time_machine):
    time_machine.move_to(datetime(2026, 6, 2, 8, tzinfo=UTC))
    mia = world.member(world.mia)
    done = action_item_create(circle=world.finance, by=mia, title="Done", owner=mia, due=date(2026, 6, 1))
    moved = action_item_create(circle=world.finance, by=mia, title="Moved", owner=mia, due=date(2026, 6, 1))
    action_item_update(item=done, by=mia, status="done")

    assert action_items_remind() == 1
    action_item_update(item=moved, by=mia, due=date(2026, 6, 3))
    assert action_items_remind() == 1

    assert Notification.objects.filter(kind="action_assigned").count() == 0  # she gave them to herself
    assert set(Notification.objects.values_list("kind", "key")) == {
        ("action_overdue", f"action:{moved.pk}:2026-06-01"),
        ("action_due_soon", f"action:{moved.pk}:2026-06-03"),
    }


def test_due_dates_are_read_in_the_organisations_time_zone(world, time_machine):
    world.organisation.time_zone = "Pacific/Auckland"
    world.organisation.save(update_fields=["time_zone"])
    mia = world.member(world.mia)
    # 1 June 13:00 UTC is already 2 June 01:00 in Auckland: an action due on 1 June is overdue there.
    time_machine.move_to(datetime(2026, 6, 1, 13, tzinfo=UTC))
    action_item_create(circle=world.finance, by=mia, title="Local", owner=mia, due=date(2026, 6, 1))

    action_items_remind()

    assert sent("action_overdue") == ["mia@acme.test"]
