"""The Django admin for meetings: every model listed and viewable, the record read-only, and changes
made through the services (cancelling a meeting, an action's status)."""

import pytest
from django.urls import reverse

from governance.models import Event, User
from meetings.models import ActionItem, AgendaItem, Attendance, CalendarFeed, Meeting, MeetingSeries, Minutes, Tension
from meetings.services import (
    action_item_create,
    agenda_item_add,
    attendance_record,
    calendar_feed_create,
    minutes_publish,
    minutes_save_draft,
    series_create,
    tension_raise,
)
from tests.factories import make_meeting

MODELS = [Meeting, MeetingSeries, AgendaItem, Attendance, Minutes, Tension, ActionItem, CalendarFeed]


@pytest.fixture
def admin_client(client, world):
    client.force_login(User.objects.create_superuser(email="root@site.test", password="pw-for-tests-1"))
    return client


@pytest.fixture
def record(world):
    from datetime import timedelta

    from django.utils import timezone

    steve, mia = world.member(world.steve), world.member(world.mia)
    meeting = make_meeting(world.finance, starts_in=timedelta(minutes=-30))
    agenda_item_add(meeting=meeting, by=steve, title="Budget")
    attendance_record(meeting=meeting, by=steve, member=mia, status="present")
    minutes_publish(minutes=minutes_save_draft(meeting=meeting, by=steve), by=steve)
    tension_raise(circle=world.finance, by=mia, title="Receipts")
    action_item_create(circle=world.finance, by=steve, title="Pay", owner=mia, meeting=meeting)
    start = timezone.now() + timedelta(days=3)
    series_create(
        circle=world.finance,
        by=steve,
        title="Weekly",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        frequency="weekly",
    )
    calendar_feed_create(member=mia)
    return meeting


def url(model, view="changelist", *args):
    return reverse(f"admin:meetings_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_listed_and_its_rows_open_read_only(admin_client, record, model):
    assert admin_client.get(url(model)).status_code == 200
    row = model.objects.first()
    page = admin_client.get(url(model, "change", row.pk))
    assert page.status_code == 200
    assert admin_client.get(url(model, "delete", row.pk)).status_code == 403
    assert admin_client.get(url(model, "add")).status_code == 403


def test_a_meeting_cannot_be_rewritten_in_the_admin(admin_client, record):
    admin_client.post(url(Meeting, "change", record.pk), {"title": "Rewritten", "starts_at_0": "2020-01-01"})

    record.refresh_from_db()
    assert record.title == "Circle meeting"


def test_published_minutes_cannot_be_changed_in_the_admin(admin_client, record):
    minutes = Minutes.objects.get()
    body = minutes.body

    admin_client.post(url(Minutes, "change", minutes.pk), {"body": "Rewritten", "state": "draft"})

    minutes.refresh_from_db()
    assert (minutes.body, minutes.state) == (body, "published")


def test_the_cancel_action_goes_through_the_service(admin_client, world):
    meeting = make_meeting(world.finance)

    admin_client.post(url(Meeting), {"action": "cancel", "_selected_action": [meeting.pk]}, follow=True)

    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancel_reason == "Cancelled by an admin."
    assert Event.objects.filter(verb="meeting.cancelled", object_id=meeting.pk).exists()


def test_an_action_changed_in_the_admin_is_recorded_in_the_event_log(admin_client, record, world):
    item = ActionItem.objects.get()

    answer = admin_client.post(
        url(ActionItem, "change", item.pk),
        {"title": "Pay the rent", "notes": "", "owner": item.owner_id, "due": "", "status": "done"},
    )

    assert answer.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.status) == ("Pay the rent", "done") and item.completed_at is not None
    assert Event.objects.filter(verb="action_item.updated", object_id=item.pk).exists()
