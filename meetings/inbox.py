"""What of the meetings app waits for a member (governance.inbox): agendas to publish (the
facilitator's, else the steward's), minutes to publish (the secretary's, else the steward's), their
action items due soon or overdue, and the meetings of today and this week with their part in each.
Each source is one or two prepared queries (governance.prepared), however many meetings there are."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import CircleMembership
from governance.inbox import InboxEntry
from governance.models import Member
from governance.prepared import prepared
from governance.rules import in_circles_stewarded_by

from .models import ActionItem, Meeting, MeetingSeries, MeetingSettings, Minutes
from .services.reminders import MINUTES_DUE_AFTER, MINUTES_REMINDER_WINDOW

AGENDA_AHEAD = timedelta(days=14)  # an agenda to publish shows from two weeks before the meeting
ACTIONS_AHEAD = timedelta(days=7)  # an action item shows from a week before its due date
WEEK = timedelta(days=7)


def _lead_of(field: str, member_id: int, now: datetime) -> Q:
    """Meetings where the member holds the part, or where nobody does and they steward the circle."""
    return Q(**{f"{field}_id": member_id}) | (
        Q(**{f"{field}__isnull": True}) & in_circles_stewarded_by("circle_id", member_id, now)
    )


def _meeting_url(pk: int, slug: str) -> str:
    return reverse("meeting", kwargs={"org": slug, "pk": pk})


@prepared
def _agenda_due_days(organisation_id: int):
    return MeetingSettings.objects.filter(organisation_id=organisation_id).values_list("agenda_due_days", flat=True)


@prepared
def _agendas(organisation_id: int, member_id: int, now: datetime, until: datetime):
    return (
        Meeting.objects.scheduled()
        .filter(organisation_id=organisation_id, agenda_published_at__isnull=True)
        .filter(starts_at__gt=now, starts_at__lte=until)
        .filter(_lead_of("facilitator", member_id, now))
        .values_list("pk", "title", "starts_at", "facilitator_id", "circle__name")
    )


def agendas_to_publish(member: Member, now: datetime) -> list[InboxEntry]:
    organisation = member.organisation
    due_days = next(iter(_agenda_due_days(organisation_id=organisation.pk)), None)
    due_before = timedelta(days=2 if due_days is None else due_days)
    meetings = _agendas(
        organisation_id=organisation.pk, member_id=member.pk, now=now, until=now + AGENDA_AHEAD + due_before
    )
    return [
        InboxEntry(
            kind="meeting.agenda",
            title=title,
            action=_("Publish the agenda"),
            url=_meeting_url(pk, organisation.slug),
            due=starts_at - due_before,
            circle=circle,
            role=_("facilitator") if facilitator_id == member.pk else _("steward"),
            object_type="meeting",
            object_id=pk,
        )
        for pk, title, starts_at, facilitator_id, circle in meetings
    ]


@prepared
def _minutes(organisation_id: int, member_id: int, now: datetime, since: datetime):
    published = Minutes.objects.filter(meeting=OuterRef("pk"), state=Minutes.State.PUBLISHED)
    return (
        Meeting.objects.scheduled()
        .filter(organisation_id=organisation_id, ends_at__lte=now, ends_at__gt=since)
        .exclude(Exists(published))
        .filter(_lead_of("secretary", member_id, now))
        .values_list("pk", "title", "ends_at", "secretary_id", "circle__name")
    )


def minutes_to_publish(member: Member, now: datetime) -> list[InboxEntry]:
    organisation = member.organisation
    meetings = _minutes(
        organisation_id=organisation.pk, member_id=member.pk, now=now, since=now - MINUTES_REMINDER_WINDOW
    )
    return [
        InboxEntry(
            kind="meeting.minutes",
            title=title,
            action=_("Publish the minutes"),
            url=_meeting_url(pk, organisation.slug),
            due=ends_at + MINUTES_DUE_AFTER,
            circle=circle,
            role=_("secretary") if secretary_id == member.pk else _("steward"),
            object_type="meeting",
            object_id=pk,
        )
        for pk, title, ends_at, secretary_id, circle in meetings
    ]


@prepared
def _actions_due(member_id: int, until: date):
    return ActionItem.objects.filter(
        owner_id=member_id, status__in=ActionItem.ACTIVE, due__isnull=False, due__lte=until
    ).values_list("pk", "title", "due", "circle__name")


def my_actions_due(member: Member, now: datetime) -> list[InboxEntry]:
    organisation = member.organisation
    tz = organisation.tzinfo
    today = timezone.localtime(now, tz).date()
    items = _actions_due(member_id=member.pk, until=today + ACTIONS_AHEAD)
    url = reverse("my-actions", kwargs={"org": organisation.slug})
    return [
        InboxEntry(
            kind="action.due",
            title=title,
            action=_("Overdue: finish or update it") if due < today else _("Finish it by its due date"),
            url=url,
            # Due on a day: the deadline is the end of that day, in the organisation's time.
            due=datetime.combine(due + timedelta(days=1), time.min, tzinfo=tz),
            circle=circle,
            role=_("owner"),
            object_type="actionitem",
            object_id=pk,
        )
        for pk, title, due, circle in items
    ]


@prepared
def _this_week(organisation_id: int, member_id: int, now: datetime, until: datetime):
    on_roster = CircleMembership.objects.filter(
        circle_id=OuterRef("circle_id"), member_id=member_id, left_at__isnull=True
    )
    return (
        Meeting.objects.scheduled()
        .filter(organisation_id=organisation_id, ends_at__gt=now, starts_at__lt=until)
        .filter(
            Q(facilitator_id=member_id) | Q(secretary_id=member_id) | Q(circle__is_general=True) | Exists(on_roster)
        )
        .values_list("pk", "title", "starts_at", "facilitator_id", "secretary_id", "circle__name")
    )


def my_meetings_this_week(member: Member, now: datetime) -> list[InboxEntry]:
    """Meetings of today and the next seven days in the member's circles (the general circle's are
    everyone's), or where they facilitate or take the minutes, with their part in each."""
    organisation = member.organisation
    tz = organisation.tzinfo
    meetings = _this_week(organisation_id=organisation.pk, member_id=member.pk, now=now, until=now + WEEK)
    today = timezone.localtime(now, tz).date()
    entries = []
    for pk, title, starts_at, facilitator_id, secretary_id, circle in meetings:
        if secretary_id == member.pk:
            role, action = _("secretary"), _("Take the minutes")
        elif facilitator_id == member.pk:
            role, action = _("facilitator"), _("Facilitate")
        else:
            role, action = "", _("Take part")
        is_today = timezone.localtime(starts_at, tz).date() == today
        entries.append(
            InboxEntry(
                kind="meeting.today" if is_today else "meeting.week",
                title=title,
                action=action,
                url=_meeting_url(pk, organisation.slug),
                due=starts_at,
                circle=circle,
                role=role,
                object_type="meeting",
                object_id=pk,
            )
        )
    return entries


# The activity feed's links (governance.hooks.event_links) ----------------------------------------


def meeting_links(organisation, ids) -> dict[int, str]:
    return {pk: reverse("meeting", kwargs={"org": organisation.slug, "pk": pk}) for pk in ids}


def tension_links(organisation, ids) -> dict[int, str]:
    return {pk: reverse("tension", kwargs={"org": organisation.slug, "pk": pk}) for pk in ids}


def action_links(organisation, ids) -> dict[int, str]:
    """An action where everyone can read it: its row in the circle's actions (editing it is the
    owner's and the steward's; a link everyone sees must not lead to a refusal). One query."""
    rows = ActionItem.objects.filter(organisation=organisation, pk__in=ids).values_list("pk", "circle__slug")
    return {
        pk: reverse("circle-actions", kwargs={"org": organisation.slug, "circle": slug}) + f"#action-{pk}"
        for pk, slug in rows
    }


def series_links(organisation, ids) -> dict[int, str]:
    """A regular meeting: its circle's meetings, which everyone may read (the series' own page is
    for changing it). One query."""
    rows = MeetingSeries.objects.filter(organisation=organisation, pk__in=ids).values_list("pk", "circle__slug")
    return {pk: reverse("circle-meetings", kwargs={"org": organisation.slug, "circle": slug}) for pk, slug in rows}
