"""Recurring meetings: creating a series, materialising its occurrences up to the horizon (and
the hourly sweep that keeps them coming), editing, rescheduling and ending it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from circles.models import Circle
from governance.errors import Conflict, Invalid
from governance.models import Member
from governance.services import changes_apply, event_record, notifications_queue
from governance.sweeps import sweep_each

from .. import queries
from ..models import ActionItem, AgendaItem, Attendance, Kind, Meeting, MeetingSeries, Minutes
from ..recurrence import describe_lazy, expand, rule_for
from .shaping import check_circle, check_lead, check_times, circle_people, clean_title, when


def _series_rule(frequency: str, starts_at: datetime, zone, rrule: str) -> str:
    if frequency not in MeetingSeries.Frequency.values:
        raise Invalid(gettext("Choose how often the meeting recurs."), field="frequency")
    return rule_for(frequency, starts_at.astimezone(zone), rrule)


@transaction.atomic
def series_create(
    *,
    circle: Circle,
    by: Member | None,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    frequency: str,
    rrule: str = "",
    until: date | None = None,
    kind: str = Kind.GOVERNANCE,
    place: str = "",
    video_url: str = "",
    facilitator: Member | None = None,
    secretary: Member | None = None,
) -> MeetingSeries:
    """Schedule a recurring meeting: `starts_at`/`ends_at` are the first occurrence's. Its
    occurrences are created up to the horizon now; the hourly sweep keeps them coming."""
    check_circle(circle)
    title = clean_title(title)
    check_times(starts_at, ends_at)
    if kind not in Kind.values:
        raise Invalid(gettext("Choose the kind of meeting."), field="kind")
    organisation = circle.organisation
    zone = organisation.tzinfo
    rule = _series_rule(frequency, starts_at, zone, rrule)
    if until is not None and until < timezone.localtime(starts_at, zone).date():
        raise Invalid(gettext("The series ends after its first meeting."), field="until")
    default_facilitator, default_secretary = queries.circle_leads(circle)
    facilitator, secretary = facilitator or default_facilitator, secretary or default_secretary
    check_lead(facilitator, circle, "facilitator")
    check_lead(secretary, circle, "secretary")
    series = MeetingSeries.objects.create(
        organisation=organisation,
        circle=circle,
        kind=kind,
        title=title,
        place=place.strip(),
        video_url=video_url.strip(),
        facilitator=facilitator,
        secretary=secretary,
        starts_at=starts_at,
        duration=ends_at - starts_at,
        frequency=frequency,
        rrule=rule,
        until=until,
        time_zone=organisation.time_zone,
        created_by=by,
    )
    event_record(
        organisation=organisation,
        actor=by,
        verb="meeting_series.created",
        obj=series,
        circle=circle,
        details={"rrule": rule, "starts_at": starts_at.isoformat()},
    )
    series_materialise(series=series, since=starts_at)
    return series


def series_occurrences(series: MeetingSeries, *, after: datetime, before: datetime) -> list[datetime]:
    return expand(series.rrule, series.starts_at, series.tzinfo, after=after, before=before, until=series.until)


def series_materialise(*, series: MeetingSeries, since: datetime | None = None, now: datetime | None = None) -> int:
    """Create the series' missing occurrences up to the horizon. Safe to run twice: one row per
    (series, original start), and a cancelled occurrence's row stays, so it never comes back."""
    now = now or timezone.now()
    since = since or max(series.starts_at, now - timedelta(days=7))
    horizon = now + timedelta(days=settings.MEETING_HORIZON_DAYS)
    starts = series_occurrences(series, after=since, before=horizon)
    if not starts:
        return 0
    existing = set(
        Meeting.objects.filter(series=series, original_start__gte=starts[0]).values_list("original_start", flat=True)
    )
    rows = [
        Meeting(
            organisation_id=series.organisation_id,
            circle_id=series.circle_id,
            series=series,
            original_start=start,
            kind=series.kind,
            title=series.title,
            starts_at=start,
            ends_at=start + series.duration,
            place=series.place,
            video_url=series.video_url,
            facilitator_id=series.facilitator_id,
            secretary_id=series.secretary_id,
            created_by_id=series.created_by_id,
        )
        for start in starts
        if start not in existing
    ]
    # ignore_conflicts: another worker materialising the same series a moment ago.
    Meeting.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def meetings_materialise(*, now: datetime | None = None) -> int:
    """The hourly sweep: keep every live series materialised up to the horizon."""
    now = now or timezone.now()
    live = MeetingSeries.objects.filter(ended_at__isnull=True, circle__archived_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=(now - timedelta(days=1)).date())
    )
    return sweep_each(
        live.iterator(),
        lambda series: series_materialise(series=series, now=now),
        sweep="meetings_materialise",
        now=now,
    ).total


SERIES_FIELDS = ("title", "kind", "place", "video_url", "facilitator", "secretary")


@transaction.atomic
def series_update(*, series: MeetingSeries, by: Member | None, **changes) -> MeetingSeries:
    """Edit the whole series: the series and its upcoming occurrences that were not edited on their
    own. Past meetings keep what they were. To change the day or time, reschedule the series."""
    unknown = set(changes) - set(SERIES_FIELDS)
    if unknown:
        raise Invalid(
            gettext("Unknown field: %(fields)s; reschedule the series to change its times.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    series = MeetingSeries.objects.select_for_update().select_related("circle__organisation").get(pk=series.pk)
    if series.ended_at:
        raise Conflict(gettext("This series has ended."))
    if "title" in changes:
        changes["title"] = clean_title(changes["title"])
    if "kind" in changes and changes["kind"] not in Kind.values:
        raise Invalid(gettext("Choose the kind of meeting."), field="kind")
    for field in ("facilitator", "secretary"):
        if field in changes:
            check_lead(changes[field], series.circle, field)
    for field in ("place", "video_url"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    changed = changes_apply(series, changes)
    if not changed:
        return series
    series.save()
    upcoming = Meeting.objects.filter(
        series=series, is_edited=False, state=Meeting.State.SCHEDULED, starts_at__gt=timezone.now()
    )
    db_changes = {(f + "_id" if f in ("facilitator", "secretary") else f): _pk(v) for f, v in changes.items()}
    for meeting in upcoming.select_for_update():
        for field, value in db_changes.items():
            setattr(meeting, field, value)
        meeting.sequence += 1
        meeting.save(update_fields=[*db_changes, "sequence"])
    event_record(
        organisation=series.organisation,
        actor=by,
        verb="meeting_series.updated",
        obj=series,
        circle=series.circle,
        details={"changes": changed},
    )
    return series


def _pk(value):
    return value.pk if isinstance(value, Member) else value


def _retire_after(series: MeetingSeries, last_day: date | None) -> dict:
    """Occurrences after `last_day` (local) leave the series: untouched ones (nothing on them) go,
    since they were only the rule projected ahead; ones with an agenda, attendance, minutes, actions
    or own edits stay as one-off meetings; cancelled ones stay as the record of the cancellation."""
    zone = series.tzinfo
    leaving = []
    for meeting in Meeting.objects.filter(series=series).select_for_update():
        if last_day is None or timezone.localtime(meeting.original_start, zone).date() > last_day:
            leaving.append(meeting.pk)
    with_content = set(
        Meeting.objects.filter(pk__in=leaving)
        .filter(
            Exists(AgendaItem.objects.filter(meeting=OuterRef("pk")))
            | Exists(Attendance.objects.filter(meeting=OuterRef("pk")))
            | Exists(Minutes.objects.filter(meeting=OuterRef("pk")))
            | Exists(ActionItem.objects.filter(meeting=OuterRef("pk")))
            | Q(is_edited=True)
        )
        .values_list("pk", flat=True)
    )
    cancelled = set(Meeting.objects.filter(pk__in=leaving, state=Meeting.State.CANCELLED).values_list("pk", flat=True))
    kept = with_content - cancelled
    Meeting.objects.filter(pk__in=kept).update(series=None, original_start=None, is_edited=False)
    dropped = [pk for pk in leaving if pk not in with_content and pk not in cancelled]
    Meeting.objects.filter(pk__in=dropped).delete()
    return {"kept_as_one_off": len(kept), "dropped": len(dropped)}


@transaction.atomic
def series_reschedule(
    *,
    series: MeetingSeries,
    by: Member | None,
    starts_at: datetime,
    ends_at: datetime,
    frequency: str,
    rrule: str = "",
    until: date | None = None,
) -> MeetingSeries:
    """Change a series' day, time, length or rule from a future date on, as calendars do ("this and
    following"): the old series ends the day before, and a new one starts at `starts_at` with the
    same title, place and leads. Past meetings are untouched."""
    series = MeetingSeries.objects.select_for_update().select_related("circle__organisation").get(pk=series.pk)
    if series.ended_at:
        raise Conflict(gettext("This series has ended; schedule a new one."))
    if starts_at is None or starts_at <= timezone.now():
        raise Invalid(gettext("The new times start in the future."), field="starts_at")
    check_times(starts_at, ends_at)
    zone = series.tzinfo
    rule = _series_rule(frequency, starts_at, zone, rrule)
    first_day = timezone.localtime(starts_at, zone).date()
    if until is not None and until < first_day:
        raise Invalid(gettext("The series ends after its first meeting."), field="until")
    series.until = first_day - timedelta(days=1)
    series.ended_at = timezone.now()
    series.save(update_fields=["until", "ended_at"])
    retired = _retire_after(series, series.until)
    new = MeetingSeries.objects.create(
        organisation_id=series.organisation_id,
        circle=series.circle,
        kind=series.kind,
        title=series.title,
        place=series.place,
        video_url=series.video_url,
        facilitator=series.facilitator,
        secretary=series.secretary,
        starts_at=starts_at,
        duration=ends_at - starts_at,
        frequency=frequency,
        rrule=rule,
        until=until,
        time_zone=series.time_zone,
        created_by=by,
    )
    event_record(
        organisation=series.organisation,
        actor=by,
        verb="meeting_series.rescheduled",
        obj=new,
        circle=series.circle,
        details={"previous_series": series.pk, "rrule": rule, "starts_at": starts_at.isoformat(), **retired},
    )
    series_materialise(series=new, since=starts_at)
    notifications_queue(
        recipients=circle_people(series.circle, new.facilitator, new.secretary),
        kind="meeting_series_rescheduled",
        key=f"series:{new.pk}",
        organisation=series.organisation,
        context={
            "circle": series.circle,
            "series": new,
            "rule": describe_lazy(new.rrule),
            "starts": when(series.organisation, starts_at),
            "url": _circle_meetings_url(series.circle),
        },
    )
    return new


def _circle_meetings_url(circle: Circle) -> str:
    path = reverse("circle-meetings", kwargs={"org": circle.organisation.slug, "circle": circle.slug})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def series_end(*, series: MeetingSeries, by: Member | None, last_day: date) -> MeetingSeries:
    """Stop a series after `last_day` (its local date). Meetings after it are retired as in a reschedule."""
    series = MeetingSeries.objects.select_for_update().select_related("circle__organisation").get(pk=series.pk)
    if series.ended_at:
        raise Conflict(gettext("This series has already ended."))
    if last_day is None:
        raise Invalid(gettext("Say the last day of the series."), field="last_day")
    first_day = timezone.localtime(series.starts_at, series.tzinfo).date()
    series.until = max(last_day, first_day - timedelta(days=1))
    series.ended_at = timezone.now()
    series.save(update_fields=["until", "ended_at"])
    retired = _retire_after(series, series.until)
    event_record(
        organisation=series.organisation,
        actor=by,
        verb="meeting_series.ended",
        obj=series,
        circle=series.circle,
        details={"last_day": str(series.until), **retired},
    )
    return series
