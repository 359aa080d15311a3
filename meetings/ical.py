"""iCalendar (RFC 5545) for meetings: a feed of series and one-off meetings, and one meeting's .ics.

A series is one VEVENT with its RRULE (UNTIL in UTC, as RFC 5545 asks when DTSTART has a zone),
EXDATEs for cancelled occurrences and one override VEVENT per occurrence edited on its own
(same UID, RECURRENCE-ID = the start the rule gave it). Times carry their TZID, with the VTIMEZONE."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from .models import Meeting, MeetingSeries
from .services import meeting_url

PRODID = "-//Governance//Meetings//EN"


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _describe(event: Event, item, *, url: str, circle) -> None:
    event.add("summary", f"{item.title} ({circle})")
    lines = [f"{item.get_kind_display()} of {circle}."]
    if item.video_url:
        lines.append(f"Video: {item.video_url}")
    lines.append(url)
    event.add("description", "\n".join(lines))
    location = item.place or item.video_url
    if location:
        event.add("location", location)
    event.add("url", url)


def _meeting_event(meeting: Meeting, zone: ZoneInfo, *, uid: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    _describe(event, meeting, url=meeting_url(meeting), circle=meeting.circle)
    return event


def series_uid(series: MeetingSeries) -> str:
    return f"meeting-series-{series.pk}@{_domain()}"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{_domain()}"


def _series_events(series: MeetingSeries, *, stamp: datetime) -> list[Event]:
    zone = series.tzinfo
    master = Event()
    uid = series_uid(series)
    master.add("uid", uid)
    master.add("dtstamp", stamp)
    master.add("dtstart", series.starts_at.astimezone(zone))
    master.add("dtend", (series.starts_at + series.duration).astimezone(zone))
    recur = vRecur.from_ical(series.rrule)
    if series.until is not None:
        # UNTIL is the end of the last local day, in UTC.
        last = datetime.combine(series.until, time(23, 59, 59), tzinfo=zone)
        recur["UNTIL"] = [last.astimezone(ZoneInfo("UTC"))]
    master.add("rrule", recur)
    master.add("status", "CONFIRMED")
    path = reverse("circle-meetings", kwargs={"org": series.organisation.slug, "circle": series.circle.slug})
    url = f"{settings.SITE_URL}{path}"
    _describe(master, series, url=url, circle=series.circle)
    events = [master]
    exceptions = getattr(series, "exceptions", None)
    if exceptions is None:
        exceptions = list(series.occurrences.all())
    cancelled = sorted(m.original_start for m in exceptions if m.is_cancelled)
    if cancelled:
        master.add("exdate", [start.astimezone(zone) for start in cancelled])
    for meeting in exceptions:
        if meeting.is_edited and not meeting.is_cancelled:
            override = _meeting_event(meeting, zone, uid=uid, stamp=stamp)
            override.add("recurrence-id", meeting.original_start.astimezone(zone))
            events.append(override)
    return events


def feed_calendar(name: str, series: list[MeetingSeries], meetings: list[Meeting], zone: ZoneInfo) -> bytes:
    calendar = _calendar(name)
    calendar.add("x-wr-timezone", str(zone))
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = timezone.now()
    for one in series:
        for event in _series_events(one, stamp=stamp):
            calendar.add_component(event)
    for meeting in meetings:
        calendar.add_component(_meeting_event(meeting, zone, uid=meeting_uid(meeting), stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def meeting_calendar(meeting: Meeting) -> bytes:
    """One meeting, to download and import."""
    calendar = _calendar(meeting.title)
    zone = meeting.organisation.tzinfo
    calendar.add_component(_meeting_event(meeting, zone, uid=meeting_uid(meeting), stamp=timezone.now()))
    calendar.add_missing_timezones()
    return calendar.to_ical()
