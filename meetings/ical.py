"""iCalendar (RFC 5545) for meetings: a feed of series and one-off meetings, and one meeting's .ics.

A series is one VEVENT with its RRULE (UNTIL in UTC, as RFC 5545 asks when DTSTART has a zone),
EXDATEs for cancelled occurrences and one override VEVENT per occurrence edited on its own
(same UID, RECURRENCE-ID = the start the rule gave it). Times carry their TZID, with the VTIMEZONE.

A feed never fails for one meeting: text is put on one line (rows from before names refused line
breaks may hold one), a moment a zone cannot express (the ends of time) is given in UTC, and a
meeting or series that still cannot be written is left out of the feed and logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vRecur, vText

from governance.dates import in_zone, shift
from governance.text import one_line

from .models import Meeting, MeetingSeries
from .services import meeting_url

PRODID = "-//Governance//Meetings//EN"

log = logging.getLogger(__name__)


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # X-WR-CALNAME is not a property icalendar knows: given a str it would write it unescaped.
    calendar.add("x-wr-calname", vText(one_line(name)))
    return calendar


def _describe(event: Event, item, *, url: str, circle) -> None:
    circle = one_line(circle)
    event.add("summary", f"{one_line(item.title)} ({circle})")
    lines = [gettext("%(kind)s of %(circle)s.") % {"kind": item.get_kind_display(), "circle": circle}]
    if item.video_url:
        lines.append(gettext("Video: %(url)s") % {"url": one_line(item.video_url)})
    lines.append(url)
    event.add("description", "\n".join(lines))
    location = one_line(item.place or item.video_url)
    if location:
        event.add("location", location)
    event.add("url", url)


def _meeting_event(meeting: Meeting, zone: ZoneInfo, *, uid: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", in_zone(meeting.starts_at, zone))
    event.add("dtend", in_zone(meeting.ends_at, zone))
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
    master.add("dtstart", in_zone(series.starts_at, zone))
    master.add("dtend", in_zone(shift(series.starts_at, series.duration), zone))
    recur = vRecur.from_ical(series.rrule)
    if series.until is not None:
        # UNTIL is the end of the last local day, in UTC.
        last = datetime.combine(series.until, time(23, 59, 59), tzinfo=zone)
        try:
            recur["UNTIL"] = [last.astimezone(UTC)]
        except OverflowError:  # the last day of year 9999, west of UTC
            recur["UNTIL"] = [last.replace(tzinfo=UTC)]
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
        master.add("exdate", [in_zone(start, zone) for start in cancelled])
    for meeting in exceptions:
        if meeting.is_edited and not meeting.is_cancelled:
            override = _meeting_event(meeting, zone, uid=uid, stamp=stamp)
            override.add("recurrence-id", in_zone(meeting.original_start, zone))
            events.append(override)
    return events


def _add_events(calendar: Calendar, build, what) -> None:
    """Add the events `build()` returns, or none of them (logged) if one cannot be written."""
    try:
        events = build()
        for event in events:
            event.to_ical()  # writing it here raises what writing the calendar would
    except Exception:
        log.exception("Left %r out of a calendar: it cannot be written as iCalendar.", what)
        return
    for event in events:
        calendar.add_component(event)


def _finish(calendar: Calendar) -> bytes:
    try:
        calendar.add_missing_timezones()
    except Exception:
        # Without VTIMEZONE a client still reads each TZID as a zone name it knows.
        log.exception("Could not add the time zones to a calendar.")
    return calendar.to_ical()


def feed_calendar(name: str, series: list[MeetingSeries], meetings: list[Meeting], zone: ZoneInfo) -> bytes:
    calendar = _calendar(name)
    calendar.add("x-wr-timezone", str(zone))
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = timezone.now()
    for one in series:
        _add_events(calendar, lambda one=one: _series_events(one, stamp=stamp), one)
    for meeting in meetings:
        _add_events(calendar, lambda m=meeting: [_meeting_event(m, zone, uid=meeting_uid(m), stamp=stamp)], meeting)
    return _finish(calendar)


def meeting_calendar(meeting: Meeting) -> bytes:
    """One meeting, to download and import."""
    calendar = _calendar(meeting.title)
    zone = meeting.organisation.tzinfo
    stamp = timezone.now()
    _add_events(calendar, lambda: [_meeting_event(meeting, zone, uid=meeting_uid(meeting), stamp=stamp)], meeting)
    return _finish(calendar)
