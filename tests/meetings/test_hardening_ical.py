"""iCalendar never answers 500: rows written before single-line text was enforced (a newline in a
meeting's title or place, in a circle's or an organisation's name) and moments at the ends of time
still render as valid iCalendar; a series that cannot be written at all is left out of the feed,
logged, and the rest of the feed is served."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from circles.models import Circle
from governance.models import Organisation
from meetings.models import Meeting, MeetingSeries
from meetings.services import calendar_feed_create, series_create
from tests.factories import make_meeting


def parse(answer) -> Calendar:
    assert answer.status_code == 200, answer.content[:300]
    assert answer["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(answer.content)


def summaries(calendar) -> list[str]:
    return sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))


def ics(client, meeting):
    return client.get(reverse("meeting-ics", kwargs={"org": "acme", "pk": meeting.pk}))


@pytest.fixture
def legacy(world):
    """A meeting, its circle and its organisation with line breaks, as the API once accepted them."""
    meeting = make_meeting(world.finance, title="Budget", place="Room 1")
    Meeting.objects.filter(pk=meeting.pk).update(title="Budget\nreview", place="Room 1\r\nSecond floor\x1b")
    Circle.objects.filter(pk=world.finance.pk).update(name="Fin\nance")
    Organisation.objects.filter(pk=world.organisation.pk).update(name="Acme\r\nCo-op")
    return meeting


def test_one_meetings_ics_renders_line_breaks_as_one_line(world, client, legacy):
    client.force_login(world.mia)

    calendar = parse(ics(client, legacy))

    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Budget review (Fin ance)"
    assert str(event["LOCATION"]) == "Room 1 Second floor"
    assert str(calendar["X-WR-CALNAME"]) == "Budget review"


def test_a_members_feed_renders_names_with_line_breaks(world, client, legacy):
    _, token = calendar_feed_create(member=world.member(world.mia))

    calendar = parse(client.get(f"/calendar/{token}.ics"))

    assert summaries(calendar) == ["Budget review (Fin ance)"]
    assert str(calendar["X-WR-CALNAME"]) == "My meetings · Acme Co-op"


def test_a_circle_feed_renders_a_circle_name_with_a_line_break(world, client, legacy):
    _, token = calendar_feed_create(member=world.member(world.mia), circle=Circle.objects.get(pk=world.finance.pk))

    calendar = parse(client.get(f"/calendar/{token}.ics"))

    assert str(calendar["X-WR-CALNAME"]) == "Fin ance · Acme Co-op"


def test_a_series_that_cannot_be_written_is_left_out_and_logged_not_a_500(world, client, caplog):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    broken = series_create(
        circle=world.finance,
        by=None,
        title="Weekly",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        frequency="weekly",
    )
    MeetingSeries.objects.filter(pk=broken.pk).update(rrule="FREQ=FORTNIGHTLY;\nBYDAY=XX")
    make_meeting(world.finance, title="Budget workshop", starts_in=timedelta(days=3))
    _, token = calendar_feed_create(member=world.member(world.mia))

    with caplog.at_level(logging.ERROR, logger="meetings.ical"):
        calendar = parse(client.get(f"/calendar/{token}.ics"))

    assert summaries(calendar) == ["Budget workshop (Finance)"]
    assert any("Left" in record.message and "out of a calendar" in record.message for record in caplog.records)


@pytest.mark.parametrize(
    ("zone", "starts_at"),
    [
        ("Pacific/Kiritimati", datetime(9999, 12, 31, 22, tzinfo=UTC)),  # +14:00 would be year 10000
        ("America/New_York", datetime(1, 1, 1, 0, 30, tzinfo=UTC)),  # -05:00 would be year 0
    ],
    ids=["end-of-time", "start-of-time"],
)
def test_a_meeting_at_the_ends_of_time_still_renders_its_page_and_ics(world, client, zone, starts_at):
    Organisation.objects.filter(pk=world.organisation.pk).update(time_zone=zone)
    meeting = make_meeting(world.finance, title="Far away")
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    client.force_login(world.steve)

    page = client.get(reverse("meeting", kwargs={"org": "acme", "pk": meeting.pk}))
    calendar = parse(ics(client, meeting))

    assert page.status_code == 200 and "Far away" in page.content.decode()
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == starts_at  # given in UTC, which can hold it
    listing = client.get(reverse("circle-meetings", kwargs={"org": "acme", "circle": "finance"}))
    assert listing.status_code == 200
