"""The reminder sweeps (Celery beat). Reminders are keyed in the outbox by what they are about (the
meeting, its start, which reminder), so a sweep that runs twice, late, or on two workers at once
sends each reminder to each person once."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from circles.queries import stewards_by_circle
from governance.models import Member
from governance.services import notifications_queue
from governance.sweeps import sweep_each

from ..models import ActionItem, CircleMeetingSettings, Meeting, MeetingSettings, Minutes
from .shaping import actions_url, circle_people, meeting_context, users_of


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
            recipients=circle_people(meeting.circle, meeting.facilitator, meeting.secretary),
            kind="meeting_reminder",
            key=f"meeting:{meeting.pk}:{meeting.starts_at:%Y%m%dT%H%M%SZ}:{window}h",
            organisation=meeting.organisation,
            context={**meeting_context(meeting), "window": window},
        )

    return sweep_each(upcoming, remind, sweep="meeting_reminders_send", now=now).total


def _lead(meeting: Meeting, field: str, stewards: dict) -> Member | None:
    return getattr(meeting, field) or stewards.get(meeting.circle_id)


def agenda_due_remind(*, now: datetime | None = None) -> int:
    """Remind the facilitator (else the steward) of each upcoming meeting whose agenda is due (the
    organisation's setting, 2 days ahead by default) and not yet published."""
    now = now or timezone.now()
    due_days = {s.organisation_id: s.agenda_due_days for s in MeetingSettings.objects.all()}
    # A circle's own decision about its agendas comes before the organisation's habit.
    circle_days = dict(
        CircleMeetingSettings.objects.filter(agenda_due_days__isnull=False).values_list("circle_id", "agenda_due_days")
    )
    longest = max([2, *due_days.values(), *circle_days.values()])
    meetings = list(
        Meeting.objects.scheduled()
        .filter(agenda_published_at__isnull=True, starts_at__gt=now, starts_at__lte=now + timedelta(days=longest))
        .select_related("organisation", "circle", "facilitator__user")
    )

    def days_ahead(meeting: Meeting) -> int:
        return circle_days.get(meeting.circle_id, due_days.get(meeting.organisation_id, 2))

    meetings = [m for m in meetings if m.starts_at - timedelta(days=days_ahead(m)) <= now]
    stewards = stewards_by_circle({m.circle_id for m in meetings})

    def remind(meeting: Meeting) -> int:
        lead = _lead(meeting, "facilitator", stewards)
        if lead is None:
            return 0
        return notifications_queue(
            recipients=users_of([lead]),
            kind="agenda_due",
            key=f"meeting:{meeting.pk}:{meeting.starts_at:%Y%m%dT%H%M%SZ}",
            organisation=meeting.organisation,
            context=meeting_context(meeting),
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
            recipients=users_of([lead]),
            kind="minutes_due",
            key=f"meeting:{meeting.pk}",
            organisation=meeting.organisation,
            context=meeting_context(meeting),
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
            context={"item": item, "due_today": item.due == today, "url": actions_url(item.organisation)},
        )

    return sweep_each(items, remind, sweep="action_items_remind", now=now).total
