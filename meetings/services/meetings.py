"""Meetings: an organisation's meeting settings, and scheduling, changing and cancelling a
meeting (a one-off one, or one occurrence of a series)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from circles.models import Circle
from governance.changes import ChangeContext
from governance.errors import Conflict, Invalid
from governance.models import Member, Organisation
from governance.services import changes_apply, event_record, notifications_queue

from .. import queries
from ..models import AgendaItem, CircleMeetingSettings, Kind, Meeting, MeetingSettings, Tension
from .agenda import tension_maybe_reopen
from .shaping import (
    NOTE_MAX,
    check_circle,
    check_lead,
    check_times,
    circle_people,
    clean_title,
    has_published_minutes,
    lock_meeting,
    meeting_context,
    refuse_if_cancelled,
)

# Settings --------------------------------------------------------------------------------------


@transaction.atomic
def meeting_settings_update(
    *, organisation: Organisation, by: Member | None, agenda_due_days: int, quorum_percent: int
) -> MeetingSettings:
    if not 0 <= agenda_due_days <= 60:
        raise Invalid(gettext("An agenda is due between 0 and 60 days ahead."), field="agenda_due_days")
    if not 1 <= quorum_percent <= 100:
        raise Invalid(gettext("Quorum is a percentage between 1 and 100."), field="quorum_percent")
    current, _ = MeetingSettings.objects.select_for_update().get_or_create(organisation=organisation)
    changes = changes_apply(current, {"agenda_due_days": agenda_due_days, "quorum_percent": quorum_percent})
    if changes:
        current.save()
        event_record(
            organisation=organisation,
            actor=by,
            verb="meeting_settings.updated",
            obj=current,
            details={"changes": changes},
        )
    return current


@transaction.atomic
def circle_meeting_settings_update(
    *, circle, by: Member | None, agenda_due_days: int | None, cadence: str, decision: ChangeContext | None = None
) -> CircleMeetingSettings:
    """What a circle decided about its meetings: how early its agendas are due (None: the
    organisation's habit) and how often it meets ("" for no set cadence)."""
    if agenda_due_days is not None and not 0 <= agenda_due_days <= 60:
        raise Invalid(gettext("An agenda is due between 0 and 60 days ahead."), field="agenda_due_days")
    if cadence and cadence not in CircleMeetingSettings.Cadence.values:
        raise Invalid(gettext("Choose how often the circle meets."), field="cadence")
    current, _ = CircleMeetingSettings.objects.select_for_update().get_or_create(circle=circle)
    changes = changes_apply(current, {"agenda_due_days": agenda_due_days, "cadence": cadence})
    if changes:
        current.save()
        event_record(
            organisation=circle.organisation,
            actor=by,
            verb="circle_meeting_settings.updated",
            obj=current,
            circle=circle,
            details={"changes": changes, **(decision.event_details() if decision is not None else {})},
        )
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
    check_circle(circle)
    title = clean_title(title)
    check_times(starts_at, ends_at)
    if kind not in Kind.values:
        raise Invalid(gettext("Choose the kind of meeting."), field="kind")
    if use_default_leads:
        default_facilitator, default_secretary = queries.circle_leads(circle)
        facilitator = facilitator or default_facilitator
        secretary = secretary or default_secretary
    check_lead(facilitator, circle, "facilitator")
    check_lead(secretary, circle, "secretary")
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
        raise Invalid(gettext("Unknown field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    meeting = lock_meeting(meeting)
    refuse_if_cancelled(meeting)
    if any(f in changes for f in TIMING_FIELDS) and has_published_minutes(meeting):
        raise Conflict(gettext("The minutes of this meeting are published; its times are part of the record."))
    if "title" in changes:
        changes["title"] = clean_title(changes["title"])
    if "kind" in changes and changes["kind"] not in Kind.values:
        raise Invalid(gettext("Choose the kind of meeting."), field="kind")
    for field in ("facilitator", "secretary"):
        if field in changes:
            check_lead(changes[field], meeting.circle, field)
    for field in ("place", "video_url"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    check_times(changes.get("starts_at", meeting.starts_at), changes.get("ends_at", meeting.ends_at))
    changed = changes_apply(meeting, changes)
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
        details={"changes": changed},
    )
    if any(f in changed for f in TIMING_FIELDS) and meeting.ends_at > timezone.now():
        notifications_queue(
            recipients=circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
            kind="meeting_moved",
            key=f"meeting:{meeting.pk}:{meeting.starts_at:%Y%m%dT%H%M%SZ}",
            organisation=meeting.organisation,
            context=meeting_context(meeting),
        )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: Member | None, reason: str = "") -> Meeting:
    """Cancel a meeting (or one occurrence of a series). The row stays, so that the series does not
    bring it back and calendars learn of the cancellation; tensions on its agenda become open again."""
    reason = (reason or "").strip()
    if len(reason) > NOTE_MAX:
        raise Invalid(gettext("Keep the reason to %(max)s characters.") % {"max": NOTE_MAX}, field="reason")
    meeting = lock_meeting(meeting)
    if meeting.is_cancelled:
        raise Conflict(gettext("This meeting is already cancelled."))
    if has_published_minutes(meeting):
        raise Conflict(gettext("This meeting took place: its minutes are published."))
    meeting.state, meeting.cancelled_at, meeting.cancel_reason = Meeting.State.CANCELLED, timezone.now(), reason
    meeting.sequence += 1
    meeting.save(update_fields=["state", "cancelled_at", "cancel_reason", "sequence"])
    tension_ids = AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True, tension__isnull=False).values(
        "tension_id"
    )
    for tension in Tension.objects.filter(pk__in=tension_ids, state=Tension.State.ON_AGENDA):
        tension_maybe_reopen(tension, leaving=meeting)
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
            recipients=circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
            kind="meeting_cancelled",
            key=f"meeting:{meeting.pk}",
            organisation=meeting.organisation,
            context={**meeting_context(meeting), "reason": reason},
        )
    return meeting
