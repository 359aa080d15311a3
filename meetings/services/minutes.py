"""A meeting's attendance and minutes: recorded, drafted, published once and corrected in versions."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from governance.errors import Conflict, Invalid
from governance.models import Member
from governance.services import event_record, notifications_queue

from .. import queries
from ..models import Attendance, Meeting, Minutes, MinutesVersion, Reply
from .shaping import (
    NOTE_MAX,
    circle_people,
    day_words,
    lock_meeting,
    meeting_url,
    refuse_if_cancelled,
    refuse_if_closed,
)

# Attendance ------------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, meeting: Meeting, by: Member | None, member: Member, status: str) -> Attendance:
    """Record whether a member was present, absent or excused. Before the meeting starts only an
    apology (excused) can be recorded. Corrections keep the earlier status in the event log."""
    meeting = lock_meeting(meeting)
    refuse_if_closed(meeting)
    if status not in Attendance.Status.values:
        raise Invalid(gettext("Choose present, absent or excused."), field="status")
    if member.organisation_id != meeting.organisation_id:
        raise Invalid(gettext("Only members of this organisation attend its meetings."), field="member")
    if status != Attendance.Status.EXCUSED and meeting.starts_at > timezone.now():
        raise Conflict(gettext("The meeting has not started yet; only apologies (excused) can be recorded now."))
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
def meeting_reply(*, meeting: Meeting, member: Member, answer: str) -> Reply:
    """A member says ahead whether they will come. Theirs to change until the meeting starts."""
    meeting = lock_meeting(meeting)
    refuse_if_cancelled(meeting)
    if answer not in Reply.Answer.values:
        raise Invalid(gettext("Choose coming, maybe or not coming."), field="answer")
    if member.organisation_id != meeting.organisation_id or not member.is_active:
        raise Invalid(gettext("Only members of this organisation reply to its meetings."), field="member")
    if meeting.starts_at <= timezone.now():
        raise Conflict(gettext("The meeting has started; the secretary records who is there."))
    reply = Reply.objects.filter(meeting=meeting, member=member).first()
    if reply and reply.answer == answer:
        return reply
    before = reply.answer if reply else ""
    if reply:
        reply.answer, reply.updated_at = answer, timezone.now()
        reply.save(update_fields=["answer", "updated_at"])
    else:
        reply = Reply.objects.create(meeting=meeting, member=member, answer=answer)
    event_record(
        organisation=meeting.organisation,
        actor=member,
        verb="meeting.replied",
        obj=meeting,
        circle=meeting.circle,
        details={"answer": answer, **({"was": before} if before else {})},
    )
    return reply


@transaction.atomic
def attendance_everyone_present(*, meeting: Meeting, by: Member | None) -> int:
    """Mark everyone on the sheet who is not recorded yet as present (apologies and absences
    already recorded stay). Only once the meeting has started."""
    sheet = queries.attendance_sheet(meeting)
    return attendance_record_many(
        meeting=meeting,
        by=by,
        statuses={member: Attendance.Status.PRESENT for member, status in sheet.rows if not status},
    )


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
def minutes_save_draft(
    *,
    meeting: Meeting,
    by: Member | None,
    body: str | None = None,
    check_seen: bool = False,
    seen_saved_at: datetime | None = None,
) -> Minutes:
    """Create or save the draft minutes. A new draft without text starts from the prefilled draft
    (agenda, attendance, decisions). Published minutes are locked: correct them instead.

    With `check_seen` (the page's autosave), `seen_saved_at` is when the draft the writer's page
    last saw was saved (None: there was no draft): if it was saved since (by someone else, or on
    another page), nothing is overwritten and Conflict says who, so that neither text is lost."""
    meeting = lock_meeting(meeting)
    refuse_if_cancelled(meeting)
    minutes = Minutes.objects.filter(meeting=meeting).select_related("updated_by__user").first()
    if minutes and minutes.is_published:
        raise Conflict(gettext("The minutes are published and locked; write a correction instead."))
    if check_seen and minutes is not None and (seen_saved_at is None or minutes.updated_at > seen_saved_at):
        who = minutes.updated_by.user.display_name if minutes.updated_by else gettext("Someone else")
        raise Conflict(
            gettext("%(who)s saved the draft meanwhile (on another page?); copy your text, then reload the page.")
            % {"who": who}
        )
    if body is None or not body.strip():
        if minutes is not None:
            raise Invalid(gettext("The minutes cannot be empty."), field="body")
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
    meeting = lock_meeting(minutes.meeting)
    refuse_if_cancelled(meeting)
    if meeting.starts_at > timezone.now():
        raise Conflict(gettext("The meeting has not taken place yet."))
    now = timezone.now()
    claimed = Minutes.objects.filter(pk=minutes.pk, state=Minutes.State.DRAFT).update(
        state=Minutes.State.PUBLISHED, version=1, published_at=now, published_by=by
    )
    if not claimed:
        raise Conflict(gettext("The minutes are already published."))
    minutes.refresh_from_db()
    if not minutes.body.strip():
        raise Invalid(gettext("The minutes cannot be empty."), field="body")
    MinutesVersion.objects.create(minutes=minutes, number=1, body=minutes.body, author=by, created_at=now)
    event_record(
        organisation=meeting.organisation, actor=by, verb="minutes.published", obj=meeting, circle=meeting.circle
    )
    _send_minutes(meeting, minutes, kind="minutes_published")
    return minutes


@transaction.atomic
def minutes_correct(*, minutes: Minutes, by: Member | None, body: str, note: str) -> MinutesVersion:
    """Correct published minutes: a new version with a note saying what changed; earlier versions stay."""
    meeting = lock_meeting(minutes.meeting)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if not minutes.is_published:
        raise Conflict(gettext("The minutes are still a draft; edit the draft instead."))
    note = (note or "").strip()
    if not note:
        raise Invalid(gettext("Say what the correction changes; it is kept with the version."), field="note")
    if len(note) > NOTE_MAX:
        raise Invalid(gettext("Keep the note to %(max)s characters.") % {"max": NOTE_MAX}, field="note")
    if not (body or "").strip():
        raise Invalid(gettext("The minutes cannot be empty."), field="body")
    if body == minutes.body:
        raise Invalid(gettext("The correction changes nothing."), field="body")
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
        recipients=circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
        kind=kind,
        key=f"minutes:{minutes.pk}:v{minutes.version}",
        organisation=meeting.organisation,
        context={
            "meeting": meeting,
            "minutes": minutes,
            "note": note,
            "day": day_words(day, "d F Y"),
            "url": meeting_url(meeting),
        },
    )
