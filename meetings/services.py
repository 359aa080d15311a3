"""Every write to meetings, series, agendas, attendance, minutes, tensions, action items and calendar
feeds, and the periodic sweeps that materialise occurrences and send reminders.

Each function is atomic, takes keyword arguments, raises a DomainError with a clear message,
records an event and queues mail through the outbox. Reminders are keyed in the outbox by what they
are about (the meeting, its start, which reminder), so a sweep that runs twice, late, or on two
workers at once sends each reminder to each person once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle
from circles.queries import roster, stewards_by_circle
from governance.errors import Conflict, Invalid, NotAllowed
from governance.models import Member, Organisation
from governance.services import event_record, local_time, notifications_queue
from governance.sweeps import sweep_each

from . import queries
from .models import (
    ActionItem,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Kind,
    Meeting,
    MeetingSeries,
    MeetingSettings,
    Minutes,
    MinutesVersion,
    Tension,
)
from .recurrence import expand, rule_for

TITLE_MAX = 200
NOTE_MAX = 300


# Shaping ---------------------------------------------------------------------------------------


def meeting_url(meeting: Meeting) -> str:
    path = reverse("meeting", kwargs={"org": meeting.organisation.slug, "pk": meeting.pk})
    return f"{settings.SITE_URL}{path}"


when = local_time


def _meeting_context(meeting: Meeting) -> dict:
    """What every email about a meeting says: the meeting, when it starts (its organisation's time), its page."""
    return {"meeting": meeting, "starts": when(meeting.organisation, meeting.starts_at), "url": meeting_url(meeting)}


def _users(members) -> list:
    return [m.user for m in members if m is not None and m.is_active]


def _circle_people(circle: Circle, *extra: Member | None) -> list:
    """The circle's roster (everyone, for the general circle), plus the meeting's leads."""
    people = {m.pk: m for m in roster(circle)}
    for member in extra:
        if member is not None:
            people.setdefault(member.pk, member)
    return _users(people.values())


def _title(title: str, *, what: str = "the meeting") -> str:
    title = (title or "").strip()
    if not title:
        raise Invalid(f"Give {what} a title.", field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(f"Keep the title to {TITLE_MAX} characters.", field="title")
    return title


def _check_lead(member: Member | None, circle: Circle, field: str) -> None:
    if member is not None and (member.organisation_id != circle.organisation_id or not member.is_active):
        raise Invalid("Choose an active member of this organisation.", field=field)


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at is None:
        raise Invalid("Say when the meeting starts.", field="starts_at")
    if ends_at is None or ends_at <= starts_at:
        raise Invalid("The meeting ends after it starts.", field="ends_at")
    if ends_at - starts_at > timedelta(hours=24):
        raise Invalid("A meeting lasts at most 24 hours.", field="ends_at")


def _check_circle(circle: Circle) -> None:
    if circle.is_archived:
        raise Conflict("This circle is archived; it holds no new meetings.")


def _lock_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organisation", "circle", "series", "facilitator__user", "secretary__user")
        .get(pk=meeting.pk)
    )


def _refuse_if_cancelled(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise Conflict("This meeting is cancelled.")


def _minutes_published(meeting: Meeting) -> bool:
    return Minutes.objects.filter(meeting=meeting, state=Minutes.State.PUBLISHED).exists()


# Settings --------------------------------------------------------------------------------------


@transaction.atomic
def meeting_settings_update(
    *, organisation: Organisation, by: Member | None, agenda_due_days: int, quorum_percent: int
) -> MeetingSettings:
    if not 0 <= agenda_due_days <= 60:
        raise Invalid("An agenda is due between 0 and 60 days ahead.", field="agenda_due_days")
    if not 1 <= quorum_percent <= 100:
        raise Invalid("Quorum is a percentage between 1 and 100.", field="quorum_percent")
    current, _ = MeetingSettings.objects.select_for_update().get_or_create(organisation=organisation)
    before = {"agenda_due_days": current.agenda_due_days, "quorum_percent": current.quorum_percent}
    current.agenda_due_days, current.quorum_percent = agenda_due_days, quorum_percent
    current.save()
    changed = {k: [v, getattr(current, k)] for k, v in before.items() if v != getattr(current, k)}
    if changed:
        event_record(organisation=organisation, actor=by, verb="meeting_settings.updated", obj=current, details=changed)
    return current


# One-off meetings and occurrences --------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    circle: Circle,
    by: Member | None,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    kind: str = Kind.GOVERNANCE,
    place: str = "",
    video_url: str = "",
    facilitator: Member | None = None,
    secretary: Member | None = None,
    use_default_leads: bool = True,
) -> Meeting:
    """Schedule a one-off meeting. Without a facilitator or secretary, the holders of the circle's
    facilitator and secretary roles are taken (the steward facilitates when nobody holds the role)."""
    _check_circle(circle)
    title = _title(title)
    _check_times(starts_at, ends_at)
    if kind not in Kind.values:
        raise Invalid("Choose the kind of meeting.", field="kind")
    if use_default_leads:
        default_facilitator, default_secretary = queries.circle_leads(circle)
        facilitator = facilitator or default_facilitator
        secretary = secretary or default_secretary
    _check_lead(facilitator, circle, "facilitator")
    _check_lead(secretary, circle, "secretary")
    meeting = Meeting.objects.create(
        organisation=circle.organisation,
        circle=circle,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        video_url=video_url.strip(),
        facilitator=facilitator,
        secretary=secretary,
        created_by=by,
    )
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb="meeting.scheduled",
        obj=meeting,
        circle=circle,
        details={"starts_at": starts_at.isoformat()},
    )
    return meeting


MEETING_FIELDS = ("title", "kind", "starts_at", "ends_at", "place", "video_url", "facilitator", "secretary")
TIMING_FIELDS = ("starts_at", "ends_at")


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: Member | None, **changes) -> Meeting:
    """Change one meeting. For an occurrence of a series this edits that occurrence alone: it keeps
    its changes when the series is edited later."""
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field: {', '.join(sorted(unknown))}.")
    meeting = _lock_meeting(meeting)
    _refuse_if_cancelled(meeting)
    if any(f in changes for f in TIMING_FIELDS) and _minutes_published(meeting):
        raise Conflict("The minutes of this meeting are published; its times are part of the record.")
    if "title" in changes:
        changes["title"] = _title(changes["title"])
    if "kind" in changes and changes["kind"] not in Kind.values:
        raise Invalid("Choose the kind of meeting.", field="kind")
    for field in ("facilitator", "secretary"):
        if field in changes:
            _check_lead(changes[field], meeting.circle, field)
    for field in ("place", "video_url"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    _check_times(changes.get("starts_at", meeting.starts_at), changes.get("ends_at", meeting.ends_at))
    changed = {}
    for field, value in changes.items():
        before = getattr(meeting, field)
        if before != value:
            changed[field] = [str(before or ""), str(value or "")]
            setattr(meeting, field, value)
    if not changed:
        return meeting
    meeting.sequence += 1
    if meeting.series_id:
        meeting.is_edited = True
    meeting.save()
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="meeting.updated",
        obj=meeting,
        circle=meeting.circle,
        details=changed,
    )
    if any(f in changed for f in TIMING_FIELDS) and meeting.ends_at > timezone.now():
        notifications_queue(
            recipients=_circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
            kind="meeting_moved",
            key=f"meeting:{meeting.pk}:{meeting.starts_at:%Y%m%dT%H%M%SZ}",
            organisation=meeting.organisation,
            context=_meeting_context(meeting),
        )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: Member | None, reason: str = "") -> Meeting:
    """Cancel a meeting (or one occurrence of a series). The row stays, so that the series does not
    bring it back and calendars learn of the cancellation; tensions on its agenda become open again."""
    reason = (reason or "").strip()
    if len(reason) > NOTE_MAX:
        raise Invalid(f"Keep the reason to {NOTE_MAX} characters.", field="reason")
    meeting = _lock_meeting(meeting)
    if meeting.is_cancelled:
        raise Conflict("This meeting is already cancelled.")
    if _minutes_published(meeting):
        raise Conflict("This meeting took place: its minutes are published.")
    meeting.state, meeting.cancelled_at, meeting.cancel_reason = Meeting.State.CANCELLED, timezone.now(), reason
    meeting.sequence += 1
    meeting.save(update_fields=["state", "cancelled_at", "cancel_reason", "sequence"])
    tension_ids = AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True, tension__isnull=False).values(
        "tension_id"
    )
    for tension in Tension.objects.filter(pk__in=tension_ids, state=Tension.State.ON_AGENDA):
        _tension_maybe_reopen(tension, leaving=meeting)
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="meeting.cancelled",
        obj=meeting,
        circle=meeting.circle,
        details={"reason": reason, "starts_at": meeting.starts_at.isoformat()},
    )
    if meeting.starts_at > timezone.now():
        notifications_queue(
            recipients=_circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
            kind="meeting_cancelled",
            key=f"meeting:{meeting.pk}",
            organisation=meeting.organisation,
            context={**_meeting_context(meeting), "reason": reason},
        )
    return meeting


# Series ----------------------------------------------------------------------------------------


def _series_rule(frequency: str, starts_at: datetime, zone, rrule: str) -> str:
    if frequency not in MeetingSeries.Frequency.values:
        raise Invalid("Choose how often the meeting recurs.", field="frequency")
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
    _check_circle(circle)
    title = _title(title)
    _check_times(starts_at, ends_at)
    if kind not in Kind.values:
        raise Invalid("Choose the kind of meeting.", field="kind")
    organisation = circle.organisation
    zone = organisation.tzinfo
    rule = _series_rule(frequency, starts_at, zone, rrule)
    if until is not None and until < timezone.localtime(starts_at, zone).date():
        raise Invalid("The series ends after its first meeting.", field="until")
    default_facilitator, default_secretary = queries.circle_leads(circle)
    facilitator, secretary = facilitator or default_facilitator, secretary or default_secretary
    _check_lead(facilitator, circle, "facilitator")
    _check_lead(secretary, circle, "secretary")
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
        raise Invalid(f"Unknown field: {', '.join(sorted(unknown))}; reschedule the series to change its times.")
    series = MeetingSeries.objects.select_for_update().select_related("circle__organisation").get(pk=series.pk)
    if series.ended_at:
        raise Conflict("This series has ended.")
    if "title" in changes:
        changes["title"] = _title(changes["title"])
    if "kind" in changes and changes["kind"] not in Kind.values:
        raise Invalid("Choose the kind of meeting.", field="kind")
    for field in ("facilitator", "secretary"):
        if field in changes:
            _check_lead(changes[field], series.circle, field)
    for field in ("place", "video_url"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    changed = {f: [str(getattr(series, f) or ""), str(v or "")] for f, v in changes.items() if getattr(series, f) != v}
    if not changed:
        return series
    for field, value in changes.items():
        setattr(series, field, value)
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
        details=changed,
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
        raise Conflict("This series has ended; schedule a new one.")
    if starts_at is None or starts_at <= timezone.now():
        raise Invalid("The new times start in the future.", field="starts_at")
    _check_times(starts_at, ends_at)
    zone = series.tzinfo
    rule = _series_rule(frequency, starts_at, zone, rrule)
    first_day = timezone.localtime(starts_at, zone).date()
    if until is not None and until < first_day:
        raise Invalid("The series ends after its first meeting.", field="until")
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
        recipients=_circle_people(series.circle, new.facilitator, new.secretary),
        kind="meeting_series_rescheduled",
        key=f"series:{new.pk}",
        organisation=series.organisation,
        context={
            "circle": series.circle,
            "series": new,
            "rule": _describe(new),
            "starts": when(series.organisation, starts_at),
            "url": _circle_meetings_url(series.circle),
        },
    )
    return new


def _circle_meetings_url(circle: Circle) -> str:
    path = reverse("circle-meetings", kwargs={"org": circle.organisation.slug, "circle": circle.slug})
    return f"{settings.SITE_URL}{path}"


def _describe(series: MeetingSeries) -> str:
    from .recurrence import describe

    return describe(series.rrule)


@transaction.atomic
def series_end(*, series: MeetingSeries, by: Member | None, last_day: date) -> MeetingSeries:
    """Stop a series after `last_day` (its local date). Meetings after it are retired as in a reschedule."""
    series = MeetingSeries.objects.select_for_update().select_related("circle__organisation").get(pk=series.pk)
    if series.ended_at:
        raise Conflict("This series has already ended.")
    if last_day is None:
        raise Invalid("Say the last day of the series.", field="last_day")
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


# Agenda ----------------------------------------------------------------------------------------


def _refuse_if_closed(meeting: Meeting) -> None:
    _refuse_if_cancelled(meeting)
    if _minutes_published(meeting):
        raise Conflict("The minutes of this meeting are published; its agenda is part of the record.")


def _check_item(
    meeting: Meeting, *, kind: str, owner: Member | None, time_box: int | None, tension, proposal, by: Member | None
):
    if kind not in AgendaItem.Kind.values:
        raise Invalid("Choose the kind of item.", field="kind")
    if owner is not None and (owner.organisation_id != meeting.organisation_id or not owner.is_active):
        raise Invalid("The owner is an active member of this organisation.", field="owner")
    if time_box is not None and not 1 <= time_box <= 600:
        raise Invalid("A time box is between 1 and 600 minutes.", field="time_box")
    if tension is not None:
        if tension.circle_id != meeting.circle_id:
            raise Invalid("Only a tension of this circle can go on its agenda.", field="tension")
        if tension.is_resolved:
            raise Conflict("This tension is already resolved.", field="tension")
    if proposal is not None:
        if proposal.circle_id != meeting.circle_id:
            raise Invalid("Only a proposal of this circle can go on its agenda.", field="proposal")
        if proposal.state == "draft" and (by is None or proposal.author_id != by.pk):
            raise Invalid("A draft is private to its author until the round opens.", field="proposal")


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    by: Member,
    title: str = "",
    kind: str = AgendaItem.Kind.OTHER,
    owner: Member | None = None,
    time_box: int | None = None,
    notes: str = "",
    tension: Tension | None = None,
    proposal=None,
) -> AgendaItem:
    """Add an item at the end of the agenda. Linking a tension puts it on the agenda; the title
    defaults to the tension's or proposal's."""
    meeting = _lock_meeting(meeting)
    _refuse_if_closed(meeting)
    if tension is not None:
        kind = AgendaItem.Kind.TENSION
    elif proposal is not None and kind == AgendaItem.Kind.OTHER:
        kind = AgendaItem.Kind.PROPOSAL
    _check_item(meeting, kind=kind, owner=owner, time_box=time_box, tension=tension, proposal=proposal, by=by)
    title = (title or "").strip() or (tension.title if tension else proposal.title if proposal else "")
    title = _title(title, what="the item")
    if tension is not None and AgendaItem.objects.filter(meeting=meeting, tension=tension, removed_at=None).exists():
        raise Conflict("This tension is already on this meeting's agenda.", field="tension")
    last = AgendaItem.objects.filter(meeting=meeting, removed_at=None).order_by("-position").first()
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=(last.position + 1) if last else 1,
        kind=kind,
        title=title,
        notes=(notes or "").strip(),
        owner=owner or (tension.raised_by if tension else None),
        time_box=time_box,
        tension=tension,
        proposal=proposal,
        added_by=by,
    )
    if tension is not None:
        Tension.objects.filter(pk=tension.pk, state=Tension.State.OPEN).update(state=Tension.State.ON_AGENDA)
        tension.refresh_from_db(fields=["state"])
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="agenda.item_added",
        obj=meeting,
        circle=meeting.circle,
        details={"item": item.title, "kind": kind},
    )
    return item


ITEM_FIELDS = ("title", "kind", "owner", "time_box", "notes")


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, by: Member, **changes) -> AgendaItem:
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field: {', '.join(sorted(unknown))}.")
    meeting = _lock_meeting(item.meeting)
    _refuse_if_closed(meeting)
    item = AgendaItem.objects.select_related("tension", "proposal").get(pk=item.pk)
    if item.removed_at:
        raise Conflict("This item was taken off the agenda.")
    if "title" in changes:
        changes["title"] = _title(changes["title"], what="the item")
    _check_item(
        meeting,
        kind=changes.get("kind", item.kind),
        owner=changes.get("owner", item.owner),
        time_box=changes.get("time_box", item.time_box),
        tension=None,
        proposal=None,
        by=by,
    )
    for field, value in changes.items():
        setattr(item, field, value.strip() if isinstance(value, str) else value)
    item.save()
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: Member) -> AgendaItem:
    """Take an item off the agenda. The row stays (removed_at); a tension it carried is open again."""
    meeting = _lock_meeting(item.meeting)
    _refuse_if_closed(meeting)
    removed = AgendaItem.objects.filter(pk=item.pk, removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=by
    )
    if not removed:
        raise Conflict("This item is already off the agenda.")
    item.refresh_from_db()
    if item.tension_id:
        _tension_maybe_reopen(item.tension, leaving=meeting)
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="agenda.item_removed",
        obj=meeting,
        circle=meeting.circle,
        details={"item": item.title},
    )
    return item


def _tension_maybe_reopen(tension: Tension, *, leaving: Meeting) -> None:
    """A tension on no other live agenda goes back to open."""
    elsewhere = (
        AgendaItem.objects.filter(tension=tension, removed_at__isnull=True, meeting__state=Meeting.State.SCHEDULED)
        .exclude(meeting=leaving)
        .exists()
    )
    if not elsewhere:
        Tension.objects.filter(pk=tension.pk, state=Tension.State.ON_AGENDA).update(state=Tension.State.OPEN)


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, by: Member, order: list[int]) -> list[AgendaItem]:
    """Put the agenda in the given order: a list of every current item's id, each once."""
    meeting = _lock_meeting(meeting)
    _refuse_if_closed(meeting)
    items = {i.pk: i for i in AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True)}
    try:
        order = [int(pk) for pk in order]
    except (TypeError, ValueError) as exc:
        raise Invalid("The order lists the agenda's item ids.", field="order") from exc
    if sorted(order) != sorted(items) or len(set(order)) != len(order):
        raise Invalid("The order must list each item of this agenda once.", field="order")
    changed = []
    for position, pk in enumerate(order, start=1):
        if items[pk].position != position:
            items[pk].position = position
            changed.append(items[pk])
    AgendaItem.objects.bulk_update(changed, ["position"])
    return [items[pk] for pk in order]


def agenda_item_move(*, item: AgendaItem, by: Member, offset: int) -> list[AgendaItem]:
    """Move an item up (-1) or down (+1) the agenda."""
    current = list(
        AgendaItem.objects.filter(meeting_id=item.meeting_id, removed_at__isnull=True)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    if item.pk not in current:
        raise Conflict("This item was taken off the agenda.")
    index = current.index(item.pk)
    target = max(0, min(len(current) - 1, index + offset))
    current.insert(target, current.pop(index))
    return agenda_reorder(meeting=item.meeting, by=by, order=current)


@transaction.atomic
def agenda_publish(*, meeting: Meeting, by: Member) -> Meeting:
    """Publish the agenda: the circle is sent it once. Items can still be added and ordered after."""
    meeting = _lock_meeting(meeting)
    _refuse_if_cancelled(meeting)
    if meeting.agenda_published_at:
        raise Conflict("The agenda is already published.")
    items = list(queries.agenda(meeting))
    if not items:
        raise Conflict("Add at least one item before publishing the agenda.")
    meeting.agenda_published_at, meeting.agenda_published_by = timezone.now(), by
    meeting.save(update_fields=["agenda_published_at", "agenda_published_by"])
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="agenda.published",
        obj=meeting,
        circle=meeting.circle,
        details={"items": len(items)},
    )
    notifications_queue(
        recipients=_circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
        kind="agenda_published",
        key=f"meeting:{meeting.pk}",
        organisation=meeting.organisation,
        context={**_meeting_context(meeting), "items": items},
    )
    return meeting


# Attendance ------------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, meeting: Meeting, by: Member | None, member: Member, status: str) -> Attendance:
    """Record whether a member was present, absent or excused. Before the meeting starts only an
    apology (excused) can be recorded. Corrections keep the earlier status in the event log."""
    meeting = _lock_meeting(meeting)
    _refuse_if_closed(meeting)
    if status not in Attendance.Status.values:
        raise Invalid("Choose present, absent or excused.", field="status")
    if member.organisation_id != meeting.organisation_id:
        raise Invalid("Only members of this organisation attend its meetings.", field="member")
    if status != Attendance.Status.EXCUSED and meeting.starts_at > timezone.now():
        raise Conflict("The meeting has not started yet; only apologies (excused) can be recorded now.")
    row = Attendance.objects.filter(meeting=meeting, member=member).first()
    if row and row.status == status:
        return row
    before = row.status if row else ""
    if row:
        row.status, row.recorded_by, row.recorded_at = status, by, timezone.now()
        row.save(update_fields=["status", "recorded_by", "recorded_at"])
    else:
        row = Attendance.objects.create(meeting=meeting, member=member, status=status, recorded_by=by)
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="attendance.recorded",
        obj=meeting,
        circle=meeting.circle,
        details={"member": str(member.user), "status": status, **({"was": before} if before else {})},
    )
    return row


@transaction.atomic
def attendance_record_many(*, meeting: Meeting, by: Member | None, statuses: dict[Member, str]) -> int:
    """Record a whole attendance sheet at once; blank entries are left as they are."""
    changed = 0
    for member, status in statuses.items():
        if status:
            attendance_record(meeting=meeting, by=by, member=member, status=status)
            changed += 1
    return changed


# Minutes ---------------------------------------------------------------------------------------


@transaction.atomic
def minutes_save_draft(*, meeting: Meeting, by: Member | None, body: str | None = None) -> Minutes:
    """Create or save the draft minutes. A new draft without text starts from the prefilled draft
    (agenda, attendance, decisions). Published minutes are locked: correct them instead."""
    meeting = _lock_meeting(meeting)
    _refuse_if_cancelled(meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes and minutes.is_published:
        raise Conflict("The minutes are published and locked; write a correction instead.")
    if body is None or not body.strip():
        if minutes is not None:
            raise Invalid("The minutes cannot be empty.", field="body")
        body = queries.minutes_prefill(meeting)
    if minutes is None:
        minutes = Minutes.objects.create(meeting=meeting, body=body, updated_by=by)
    else:
        minutes.body, minutes.updated_by, minutes.updated_at = body, by, timezone.now()
        minutes.save(update_fields=["body", "updated_by", "updated_at"])
    return minutes


@transaction.atomic
def minutes_publish(*, minutes: Minutes, by: Member | None) -> Minutes:
    """Publish the minutes: they are locked as version 1 and sent to the circle."""
    meeting = _lock_meeting(minutes.meeting)
    _refuse_if_cancelled(meeting)
    if meeting.starts_at > timezone.now():
        raise Conflict("The meeting has not taken place yet.")
    now = timezone.now()
    claimed = Minutes.objects.filter(pk=minutes.pk, state=Minutes.State.DRAFT).update(
        state=Minutes.State.PUBLISHED, version=1, published_at=now, published_by=by
    )
    if not claimed:
        raise Conflict("The minutes are already published.")
    minutes.refresh_from_db()
    if not minutes.body.strip():
        raise Invalid("The minutes cannot be empty.", field="body")
    MinutesVersion.objects.create(minutes=minutes, number=1, body=minutes.body, author=by, created_at=now)
    event_record(
        organisation=meeting.organisation, actor=by, verb="minutes.published", obj=meeting, circle=meeting.circle
    )
    _send_minutes(meeting, minutes, kind="minutes_published")
    return minutes


@transaction.atomic
def minutes_correct(*, minutes: Minutes, by: Member | None, body: str, note: str) -> MinutesVersion:
    """Correct published minutes: a new version with a note saying what changed; earlier versions stay."""
    meeting = _lock_meeting(minutes.meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if not minutes.is_published:
        raise Conflict("The minutes are still a draft; edit the draft instead.")
    note = (note or "").strip()
    if not note:
        raise Invalid("Say what the correction changes; it is kept with the version.", field="note")
    if len(note) > NOTE_MAX:
        raise Invalid(f"Keep the note to {NOTE_MAX} characters.", field="note")
    if not (body or "").strip():
        raise Invalid("The minutes cannot be empty.", field="body")
    if body == minutes.body:
        raise Invalid("The correction changes nothing.", field="body")
    minutes.version += 1
    minutes.body, minutes.updated_by, minutes.updated_at = body, by, timezone.now()
    minutes.save(update_fields=["version", "body", "updated_by", "updated_at"])
    version = MinutesVersion.objects.create(minutes=minutes, number=minutes.version, body=body, note=note, author=by)
    event_record(
        organisation=meeting.organisation,
        actor=by,
        verb="minutes.corrected",
        obj=meeting,
        circle=meeting.circle,
        details={"version": version.number, "note": note},
    )
    _send_minutes(meeting, minutes, kind="minutes_corrected", note=note)
    return version


def _send_minutes(meeting: Meeting, minutes: Minutes, *, kind: str, note: str = "") -> None:
    day = timezone.localtime(meeting.starts_at, meeting.organisation.tzinfo)
    notifications_queue(
        recipients=_circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
        kind=kind,
        key=f"minutes:{minutes.pk}:v{minutes.version}",
        organisation=meeting.organisation,
        context={
            "meeting": meeting,
            "minutes": minutes,
            "note": note,
            "day": f"{day:%d %B %Y}",
            "url": meeting_url(meeting),
        },
    )


# Tensions --------------------------------------------------------------------------------------


@transaction.atomic
def tension_raise(*, circle: Circle, by: Member, title: str, description: str = "") -> Tension:
    if circle.is_archived:
        raise Conflict("This circle is archived.")
    tension = Tension.objects.create(
        organisation=circle.organisation,
        circle=circle,
        raised_by=by,
        title=_title(title, what="the tension"),
        description=(description or "").strip(),
    )
    event_record(organisation=circle.organisation, actor=by, verb="tension.raised", obj=tension, circle=circle)
    return tension


@transaction.atomic
def tension_update(*, tension: Tension, by: Member, title: str, description: str = "") -> Tension:
    tension = Tension.objects.select_for_update().get(pk=tension.pk)
    if tension.is_resolved:
        raise Conflict("This tension is resolved; its text is part of the record.")
    tension.title, tension.description = _title(title, what="the tension"), (description or "").strip()
    tension.save(update_fields=["title", "description"])
    return tension


def _resolve(tension: Tension, *, by: Member, resolution: str, note: str = "", proposal=None) -> Tension:
    claimed = (
        Tension.objects.filter(pk=tension.pk)
        .exclude(state=Tension.State.RESOLVED)
        .update(
            state=Tension.State.RESOLVED,
            resolution=resolution,
            resolution_note=note,
            proposal=proposal,
            resolved_by=by,
            resolved_at=timezone.now(),
        )
    )
    if not claimed:
        raise Conflict("This tension is already resolved.")
    tension.refresh_from_db()
    event_record(
        organisation=tension.organisation,
        actor=by,
        verb="tension.resolved",
        obj=tension,
        circle=tension.circle,
        details={"resolution": resolution},
    )
    return tension


@transaction.atomic
def tension_resolve(*, tension: Tension, by: Member, note: str) -> Tension:
    note = (note or "").strip()
    if not note:
        raise Invalid("Say how the tension was resolved; it is kept in the record.", field="note")
    return _resolve(tension, by=by, resolution=Tension.Resolution.NOTE, note=note)


@transaction.atomic
def tension_to_proposal(*, tension: Tension, by: Member):
    """Turn a tension into a draft proposal, pre-filled with its text, for `by` to finish and open."""
    from proposals.services import proposal_create

    tension = (
        Tension.objects.select_for_update().select_related("circle__organisation", "raised_by__user").get(pk=tension.pk)
    )
    if tension.is_resolved:
        raise Conflict("This tension is already resolved.")
    raised_on = timezone.localtime(tension.created_at, tension.organisation.tzinfo)
    body = (
        tension.description or "_Describe what you propose to resolve this tension._"
    ) + f"\n\n---\n_From the tension raised by {tension.raised_by.user} on {raised_on:%d %B %Y}._"
    proposal = proposal_create(circle=tension.circle, author=by, title=tension.title, body=body)
    _resolve(tension, by=by, resolution=Tension.Resolution.PROPOSAL, proposal=proposal)
    return proposal


@transaction.atomic
def tension_to_action(
    *, tension: Tension, by: Member, owner: Member, due: date | None = None, title: str = ""
) -> ActionItem:
    tension = Tension.objects.select_for_update().select_related("circle__organisation").get(pk=tension.pk)
    if tension.is_resolved:
        raise Conflict("This tension is already resolved.")
    meeting = (
        Meeting.objects.filter(agenda_items__tension=tension, agenda_items__removed_at__isnull=True)
        .order_by("-starts_at")
        .first()
    )
    item = action_item_create(
        circle=tension.circle,
        by=by,
        title=(title or "").strip() or tension.title,
        owner=owner,
        due=due,
        meeting=meeting,
        tension=tension,
    )
    _resolve(tension, by=by, resolution=Tension.Resolution.ACTION)
    return item


# Action items ----------------------------------------------------------------------------------


def _check_owner(owner: Member | None, circle: Circle) -> None:
    if owner is None:
        raise Invalid("Every action has an owner.", field="owner")
    if owner.organisation_id != circle.organisation_id or not owner.is_active:
        raise Invalid("The owner is an active member of this organisation.", field="owner")


@transaction.atomic
def action_item_create(
    *,
    circle: Circle,
    by: Member | None,
    title: str,
    owner: Member,
    due: date | None = None,
    notes: str = "",
    meeting: Meeting | None = None,
    tension: Tension | None = None,
) -> ActionItem:
    if circle.is_archived:
        raise Conflict("This circle is archived.")
    _check_owner(owner, circle)
    if meeting is not None and meeting.circle_id != circle.pk:
        raise Invalid("The meeting belongs to another circle.", field="meeting")
    item = ActionItem.objects.create(
        organisation=circle.organisation,
        circle=circle,
        meeting=meeting,
        tension=tension,
        title=_title(title, what="the action"),
        notes=(notes or "").strip(),
        owner=owner,
        due=due,
        created_by=by,
    )
    event_record(
        organisation=circle.organisation,
        actor=by,
        verb="action_item.created",
        obj=item,
        circle=circle,
        details={"member": str(owner.user), "due": str(due or "")},
    )
    if by is None or owner.pk != by.pk:
        notifications_queue(
            recipients=[owner.user],
            kind="action_assigned",
            key=f"action:{item.pk}",
            organisation=circle.organisation,
            context={"circle": circle, "item": item, "by": by, "url": _actions_url(circle.organisation)},
        )
    return item


def _actions_url(organisation: Organisation) -> str:
    return f"{settings.SITE_URL}{reverse('my-actions', kwargs={'org': organisation.slug})}"


ACTION_FIELDS = ("title", "notes", "owner", "due", "status")


@transaction.atomic
def action_item_update(*, item: ActionItem, by: Member | None, **changes) -> ActionItem:
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field: {', '.join(sorted(unknown))}.")
    item = ActionItem.objects.select_for_update().select_related("circle__organisation", "owner__user").get(pk=item.pk)
    if "title" in changes:
        changes["title"] = _title(changes["title"], what="the action")
    if "owner" in changes:
        _check_owner(changes["owner"], item.circle)
    if "status" in changes and changes["status"] not in ActionItem.Status.values:
        raise Invalid("Choose a status.", field="status")
    changed = {}
    for field, value in changes.items():
        value = value.strip() if isinstance(value, str) else value
        before = getattr(item, field)
        if before != value:
            changed[field] = [str(before or ""), str(value or "")]
            setattr(item, field, value)
    if not changed:
        return item
    if "status" in changed:
        item.completed_at = timezone.now() if item.status == ActionItem.Status.DONE else None
    item.save()
    event_record(
        organisation=item.organisation,
        actor=by,
        verb="action_item.updated",
        obj=item,
        circle=item.circle,
        details=changed,
    )
    return item


# Calendar feeds --------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_create(*, member: Member, circle: Circle | None = None) -> tuple[CalendarFeed, str]:
    """A new secret feed URL for the member (all their circles) or for one circle. A live one of the
    same scope is revoked: this is also how a leaked link is replaced. Only the token's hash is kept."""
    if not member.is_active:
        raise NotAllowed("Only active members have calendar feeds.")
    if circle is not None and circle.organisation_id != member.organisation_id:
        raise Invalid("That circle belongs to another organisation.", field="circle")
    CalendarFeed.objects.filter(member=member, circle=circle, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token, token_hash = CalendarFeed.new_token()
    feed = CalendarFeed.objects.create(member=member, circle=circle, prefix=token[:12], token_hash=token_hash)
    return feed, token


def calendar_feed_revoke(*, feed: CalendarFeed) -> CalendarFeed:
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    feed.refresh_from_db()
    return feed


def calendar_feed_touch(*, feed: CalendarFeed) -> None:
    """Note when a feed was last fetched, at most once an hour (calendar apps poll often)."""
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(hours=1))
    ).update(last_used_at=now)


# Reminders (Celery beat sweeps; each safe to run twice, late, or on two workers) ---------------


def meeting_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the circle of each meeting starting within the reminder windows (24 h and 1 h by
    default). Only the nearest due reminder is sent: a sweep that was down for a day does not send
    "tomorrow" an hour before. The key holds the start, so a moved meeting is announced again."""
    now = now or timezone.now()
    hours = settings.MEETING_REMINDER_HOURS
    upcoming = (
        Meeting.objects.scheduled()
        .filter(starts_at__gt=now, starts_at__lte=now + timedelta(hours=max(hours)))
        .select_related("organisation", "circle", "facilitator__user", "secretary__user")
    )

    def remind(meeting: Meeting) -> int:
        left = meeting.starts_at - now
        window = min(h for h in hours if left <= timedelta(hours=h))
        return notifications_queue(
            recipients=_circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
            kind="meeting_reminder",
            key=f"meeting:{meeting.pk}:{meeting.starts_at:%Y%m%dT%H%M%SZ}:{window}h",
            organisation=meeting.organisation,
            context={**_meeting_context(meeting), "window": window},
        )

    return sweep_each(upcoming, remind, sweep="meeting_reminders_send", now=now).total


def _lead(meeting: Meeting, field: str, stewards: dict) -> Member | None:
    return getattr(meeting, field) or stewards.get(meeting.circle_id)


def agenda_due_remind(*, now: datetime | None = None) -> int:
    """Remind the facilitator (else the steward) of each upcoming meeting whose agenda is due (the
    organisation's setting, 2 days ahead by default) and not yet published."""
    now = now or timezone.now()
    due_days = {s.organisation_id: s.agenda_due_days for s in MeetingSettings.objects.all()}
    longest = max([2, *due_days.values()])
    meetings = list(
        Meeting.objects.scheduled()
        .filter(agenda_published_at__isnull=True, starts_at__gt=now, starts_at__lte=now + timedelta(days=longest))
        .select_related("organisation", "circle", "facilitator__user")
    )
    meetings = [m for m in meetings if m.starts_at - timedelta(days=due_days.get(m.organisation_id, 2)) <= now]
    stewards = stewards_by_circle({m.circle_id for m in meetings})

    def remind(meeting: Meeting) -> int:
        lead = _lead(meeting, "facilitator", stewards)
        if lead is None:
            return 0
        return notifications_queue(
            recipients=_users([lead]),
            kind="agenda_due",
            key=f"meeting:{meeting.pk}:{meeting.starts_at:%Y%m%dT%H%M%SZ}",
            organisation=meeting.organisation,
            context=_meeting_context(meeting),
        )

    return sweep_each(meetings, remind, sweep="agenda_due_remind", now=now).total


MINUTES_DUE_AFTER = timedelta(days=1)
MINUTES_REMINDER_WINDOW = timedelta(days=30)


def minutes_due_remind(*, now: datetime | None = None) -> int:
    """Remind the secretary (else the steward) when the minutes are not published one day after."""
    now = now or timezone.now()
    published = Minutes.objects.filter(meeting=OuterRef("pk"), state=Minutes.State.PUBLISHED)
    meetings = list(
        Meeting.objects.scheduled()
        .filter(ends_at__lte=now - MINUTES_DUE_AFTER, ends_at__gt=now - MINUTES_REMINDER_WINDOW)
        .exclude(Exists(published))
        .select_related("organisation", "circle", "secretary__user")
    )
    stewards = stewards_by_circle({m.circle_id for m in meetings})

    def remind(meeting: Meeting) -> int:
        lead = _lead(meeting, "secretary", stewards)
        if lead is None:
            return 0
        return notifications_queue(
            recipients=_users([lead]),
            kind="minutes_due",
            key=f"meeting:{meeting.pk}",
            organisation=meeting.organisation,
            context=_meeting_context(meeting),
        )

    return sweep_each(meetings, remind, sweep="minutes_due_remind", now=now).total


def meetings_remind(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return meeting_reminders_send(now=now) + agenda_due_remind(now=now) + minutes_due_remind(now=now)


def action_items_remind(*, now: datetime | None = None) -> int:
    """Remind owners of actions due today or tomorrow (once per due date) and of overdue ones (once
    per due date), each in their organisation's time zone."""
    now = now or timezone.now()
    utc_today = now.date()
    items = (
        ActionItem.objects.filter(
            status__in=ActionItem.ACTIVE, due__isnull=False, due__lte=utc_today + timedelta(days=2)
        )
        .filter(owner__status=Member.Status.ACTIVE)
        .select_related("organisation", "circle", "owner__user")
    )

    def remind(item: ActionItem) -> int:
        today = timezone.localtime(now, item.organisation.tzinfo).date()
        if item.due < today:
            kind = "action_overdue"
        elif item.due <= today + timedelta(days=1):
            kind = "action_due_soon"
        else:
            return 0
        return notifications_queue(
            recipients=[item.owner.user],
            kind=kind,
            key=f"action:{item.pk}:{item.due.isoformat()}",
            organisation=item.organisation,
            context={"item": item, "due_today": item.due == today, "url": _actions_url(item.organisation)},
        )

    return sweep_each(items, remind, sweep="action_items_remind", now=now).total
