"""What the meetings' `*.updated` events record: `details["changes"]` as {field: [before, after]}, with
plain values (a moment as ISO text, a number as a number, a member as their name), only the fields
whose value differs, and no event when nothing does: the one shape every app's events and webhooks have."""

from datetime import UTC, date, datetime, timedelta

import time_machine

from governance.models import Event
from meetings.services import (
    action_item_create,
    action_item_update,
    meeting_settings_update,
    meeting_update,
    series_create,
    series_update,
)
from tests.factories import make_meeting

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def test_a_changed_meeting_records_each_changed_field_before_and_after(world):
    steve = world.member(world.steve)
    with time_machine.travel(NOW, tick=False):
        meeting = make_meeting(world.finance, by=steve, title="Budget", facilitator=steve, use_default_leads=False)
        starts_at = meeting.starts_at
        meeting_update(
            meeting=meeting,
            by=steve,
            title="Budget review",
            starts_at=starts_at + timedelta(hours=1),
            ends_at=meeting.ends_at + timedelta(hours=1),
            place="",
            facilitator=None,
        )
    event = Event.objects.get(verb="meeting.updated")
    assert event.details == {
        "changes": {
            "title": ["Budget", "Budget review"],
            "starts_at": [starts_at.isoformat(), (starts_at + timedelta(hours=1)).isoformat()],
            "ends_at": [
                (starts_at + timedelta(hours=1)).isoformat(),
                (starts_at + timedelta(hours=2)).isoformat(),
            ],
            "facilitator": [str(steve), None],
        }
    }


def test_a_meeting_changed_to_what_it_was_records_nothing(world):
    steve = world.member(world.steve)
    meeting = make_meeting(world.finance, by=steve, title="Budget")
    meeting_update(meeting=meeting, by=steve, title="Budget")
    assert not Event.objects.filter(verb="meeting.updated").exists()


def test_changed_meeting_settings_record_numbers_before_and_after(world):
    alice = world.member(world.alice)
    meeting_settings_update(organisation=world.organisation, by=alice, agenda_due_days=2, quorum_percent=50)
    assert not Event.objects.filter(verb="meeting_settings.updated").exists()
    meeting_settings_update(organisation=world.organisation, by=alice, agenda_due_days=3, quorum_percent=50)
    event = Event.objects.get(verb="meeting_settings.updated")
    assert event.details == {"changes": {"agenda_due_days": [2, 3]}}


def test_an_edited_series_records_what_changed(world):
    steve = world.member(world.steve)
    with time_machine.travel(NOW, tick=False):
        series = series_create(
            circle=world.finance,
            by=steve,
            title="Finance circle",
            starts_at=NOW + timedelta(days=1),
            ends_at=NOW + timedelta(days=1, hours=1),
            frequency="weekly",
            place="Room 1",
        )
        series_update(series=series, by=steve, title="Finance circle meeting", place="Room 1")
    event = Event.objects.get(verb="meeting_series.updated")
    assert event.details == {"changes": {"title": ["Finance circle", "Finance circle meeting"]}}


def test_a_changed_action_records_its_status_and_due_date(world):
    steve, mia = world.member(world.steve), world.member(world.mia)
    item = action_item_create(circle=world.finance, by=steve, title="Send the invoices", owner=mia)
    action_item_update(item=item, by=mia, status="done", due=date(2025, 3, 10), title="  Send the invoices  ")
    event = Event.objects.get(verb="action_item.updated")
    assert event.details == {"changes": {"status": ["open", "done"], "due": [None, "2025-03-10"]}}
