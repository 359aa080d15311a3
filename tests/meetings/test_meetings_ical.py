"""Calendar feeds: valid RFC 5545 parsed back with `icalendar`, recurrence included (RRULE with UNTIL,
EXDATE for a cancelled occurrence, an override for an edited one), behind a revocable secret URL of
which only a hash is stored; and the .ics of one meeting."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from meetings.models import CalendarFeed, Meeting
from meetings.services import (
    calendar_feed_create,
    calendar_feed_revoke,
    meeting_cancel,
    meeting_create,
    meeting_update,
    series_create,
)
from tests.factories import make_meeting

LONDON = ZoneInfo("Europe/London")


def local(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def march(time_machine):
    time_machine.move_to(local(2026, 3, 1, 9))


@pytest.fixture
def london(world, settings):
    settings.MEETING_HORIZON_DAYS = 45
    world.organisation.time_zone = "Europe/London"
    world.organisation.save(update_fields=["time_zone"])
    world.finance.organisation.refresh_from_db()
    return world


def parse(response) -> Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND"):
            assert required in event, (required, event)
    return calendar


def events(calendar):
    return list(calendar.walk("VEVENT"))


def test_a_members_feed_carries_the_series_its_exceptions_and_one_off_meetings(london, client):
    steve = london.member(london.steve)
    series = series_create(
        circle=london.finance,
        by=steve,
        title="Finance weekly",
        starts_at=local(2026, 3, 17, 10),
        ends_at=local(2026, 3, 17, 11),
        frequency="weekly",
        until=date(2026, 6, 30),
        place="Room 1",
    )
    _, second, third, *_ = Meeting.objects.filter(series=series).order_by("starts_at")
    meeting_cancel(meeting=second, by=steve, reason="Holiday")
    meeting_update(meeting=third, by=steve, starts_at=local(2026, 4, 1, 14), ends_at=local(2026, 4, 1, 15))
    one_off = make_meeting(london.finance, starts_in=timedelta(days=3), title="Budget workshop")
    make_meeting(london.outreach, title="Outreach only")  # mia is not in Outreach
    feed, token = calendar_feed_create(member=london.member(london.mia))

    calendar = parse(client.get(f"/calendar/{token}.ics"))

    by_summary = {}
    for event in events(calendar):
        by_summary.setdefault(str(event["SUMMARY"]), []).append(event)
    assert set(by_summary) == {"Finance weekly (Finance)", "Budget workshop (Finance)"}
    master, override = sorted(by_summary["Finance weekly (Finance)"], key=lambda e: "RECURRENCE-ID" in e)
    assert master.decoded("DTSTART") == local(2026, 3, 17, 10)
    assert master["DTSTART"].params["TZID"] == "Europe/London"
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    assert master["RRULE"]["UNTIL"][0] == datetime(2026, 6, 30, 22, 59, 59, tzinfo=ZoneInfo("UTC"))
    assert [d.dt for d in master["EXDATE"].dts] == [local(2026, 3, 24, 10)]
    assert master["LOCATION"] == "Room 1"
    assert override["UID"] == master["UID"]
    assert override.decoded("RECURRENCE-ID") == local(2026, 3, 31, 10)
    assert override.decoded("DTSTART") == local(2026, 4, 1, 14)
    assert override["SEQUENCE"] == 1
    assert by_summary["Budget workshop (Finance)"][0]["UID"] == f"meeting-{one_off.pk}@127.0.0.1"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert CalendarFeed.objects.get(pk=feed.pk).last_used_at is not None


def test_the_feed_repeats_the_rule_across_the_clock_change(london, client):
    """A calendar app expands the published rule on local time: 10:00 before and after 29 March."""
    from dateutil.rrule import rrulestr

    series_create(
        circle=london.finance,
        by=None,
        title="Weekly",
        starts_at=local(2026, 3, 17, 10),
        ends_at=local(2026, 3, 17, 11),
        frequency="weekly",
    )
    _, token = calendar_feed_create(member=london.member(london.mia))

    (master,) = events(parse(client.get(f"/calendar/{token}.ics")))

    start = master.decoded("DTSTART")
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=start.replace(tzinfo=None))
    expanded = [d.replace(tzinfo=LONDON) for d in rule[:3]]
    assert [d.astimezone(ZoneInfo("UTC")).hour for d in expanded] == [10, 10, 9]


def test_a_circle_feed_lists_that_circle_only(london, client):
    make_meeting(london.finance, title="Finance thing")
    make_meeting(london.outreach, title="Outreach thing")
    _, token = calendar_feed_create(member=london.member(london.nora), circle=london.outreach)

    calendar = parse(client.get(f"/calendar/{token}.ics"))

    assert [str(e["SUMMARY"]) for e in events(calendar)] == ["Outreach thing (Outreach)"]


def test_a_cancelled_one_off_meeting_is_published_as_cancelled(london, client):
    meeting = make_meeting(london.finance)
    meeting_cancel(meeting=meeting, by=None)
    _, token = calendar_feed_create(member=london.member(london.mia))

    (event,) = events(parse(client.get(f"/calendar/{token}.ics")))

    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1


def test_only_a_hash_of_the_token_is_kept_and_a_revoked_or_replaced_link_stops_working(london, client):
    feed, token = calendar_feed_create(member=london.member(london.mia))
    assert token not in str(CalendarFeed.objects.filter(pk=feed.pk).values().first())
    assert client.get(f"/calendar/{token}.ics").status_code == 200

    newer, new_token = calendar_feed_create(member=london.member(london.mia))
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get(f"/calendar/{new_token}.ics").status_code == 200

    calendar_feed_revoke(feed=newer)
    assert client.get(f"/calendar/{new_token}.ics").status_code == 404
    assert client.get("/calendar/cal_not-a-token.ics").status_code == 404


def test_a_member_who_left_has_no_feed_any_more(london, client):
    from governance.services import member_remove

    _, token = calendar_feed_create(member=london.member(london.mia))
    member_remove(member=london.member(london.mia), by=None, reason="Moved away")

    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_one_meeting_downloads_as_ics_for_who_may_see_it(london, client):
    meeting = meeting_create(
        circle=london.finance,
        by=None,
        title="Finance",
        starts_at=local(2026, 4, 2, 18, 30),
        ends_at=local(2026, 4, 2, 20),
        video_url="https://video.example/finance",
    )
    path = f"/o/acme/meetings/{meeting.pk}/meeting.ics"
    client.force_login(london.nora)

    (event,) = events(parse(client.get(path)))

    assert event.decoded("DTSTART") == local(2026, 4, 2, 18, 30)
    assert event["LOCATION"] == "https://video.example/finance"
    assert "https://video.example/finance" in event["DESCRIPTION"]
    client.force_login(london.oscar)
    assert client.get(path).status_code == 404


def test_members_make_and_revoke_their_links_on_their_meetings_page(london, client):
    client.force_login(london.mia)

    answer = client.post("/o/acme/calendar/")
    feed = CalendarFeed.objects.get(member__user=london.mia)
    url = answer.context["url"]
    token = url.split("/calendar/")[1].removesuffix(".ics")
    assert url.startswith("http://testserver/calendar/cal_") and CalendarFeed.hash_token(token) == feed.token_hash
    assert client.get(url).status_code == 200
    assert "Calendar links" in client.get("/o/acme/meetings/").content.decode()

    assert client.post(f"/o/acme/calendar/{feed.pk}/revoke/").status_code == 302
    assert client.get(url).status_code == 404
    client.force_login(london.steve)
    assert client.post(f"/o/acme/calendar/{feed.pk}/revoke/").status_code == 404  # not his
