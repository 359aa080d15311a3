"""Reads for meeting pages, the API and calendar feeds, with the joins that keep query counts flat;
fetch-and-check helpers (404 for what the user may not see, 403 for what they may not do)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import rules
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from circles.models import Circle, CircleMembership
from circles.queries import roster
from governance.dates import in_zone, shift
from governance.models import Member, Organisation
from governance.queries import object_for
from governance.rules import active_members, member_for
from proposals.models import Proposal
from roles.models import Role, RoleAssignment

from .models import (
    ActionItem,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Meeting,
    MeetingSeries,
    MeetingSettings,
    Minutes,
    MinutesVersion,
    Reply,
    Tension,
)

# Actions with a due date first, soonest first; undated ones after.
DUE_FIRST = F("due").asc(nulls_last=True)
MEETING_RELATED = ("organisation", "circle__organisation", "series", "facilitator__user", "secretary__user")


# Fetch and check -------------------------------------------------------------------------------


def get_meeting_for(user, pk, *, action: str = "meetings.view_meeting", organisation_slug: str | None = None):
    return object_for(
        user,
        Meeting.objects.select_related(*MEETING_RELATED),
        pk,
        view="meetings.view_meeting",
        action=action,
        organisation_slug=organisation_slug,
        what="meeting",
    )


def get_series_for(user, pk, *, action: str = "meetings.view_meeting", organisation_slug: str | None = None):
    return object_for(
        user,
        MeetingSeries.objects.select_related("organisation", "circle__organisation", "facilitator__user"),
        pk,
        view="meetings.view_meeting",
        action=action,
        organisation_slug=organisation_slug,
        what="series",
    )


def get_tension_for(user, pk, *, action: str = "meetings.view_tension", organisation_slug: str | None = None):
    return object_for(
        user,
        Tension.objects.select_related(
            "organisation", "circle__organisation", "raised_by__user", "proposal__author__user"
        ),
        pk,
        view="meetings.view_tension",
        action=action,
        organisation_slug=organisation_slug,
        what="tension",
    )


def get_action_item_for(user, pk, *, action: str = "meetings.view_action_item", organisation_slug: str | None = None):
    return object_for(
        user,
        ActionItem.objects.select_related("organisation", "circle__organisation", "owner__user", "meeting"),
        pk,
        view="meetings.view_action_item",
        action=action,
        organisation_slug=organisation_slug,
        what="action",
    )


def get_agenda_item_for(user, meeting: Meeting, pk) -> AgendaItem:
    item = AgendaItem.objects.filter(meeting=meeting, pk=pk, removed_at__isnull=True).first()
    if item is None:
        raise Http404(gettext("No such agenda item."))
    item.meeting = meeting
    return item


def may_change_agenda_item(user, item: AgendaItem) -> bool:
    """The facilitator and steward change any item; whoever added one may change it until the
    agenda is published."""
    meeting = item.meeting
    if rules.test_rule("meetings.manage_agenda", user, meeting):
        return True
    member = member_for(user, meeting.organisation_id)
    return (
        member is not None
        and item.added_by_id == member.pk
        and meeting.agenda_published_at is None
        and rules.test_rule("meetings.add_agenda_item", user, meeting)
    )


# Settings and leads ----------------------------------------------------------------------------


def settings_of(organisation: Organisation) -> MeetingSettings:
    """The organisation's meeting settings, or the defaults (unsaved) if it never changed them."""
    found = MeetingSettings.objects.filter(organisation=organisation).first()
    return found or MeetingSettings(organisation=organisation)


def circle_leads(circle: Circle) -> tuple[Member | None, Member | None]:
    """Who facilitates and who takes the minutes by default: the holders of the circle's facilitator
    and secretary roles; the steward facilitates when nobody holds that role. One query."""
    holders = (
        RoleAssignment.objects.current()
        .filter(
            role__circle=circle,
            role__archived_at__isnull=True,
            role__kind__in=[Role.Kind.FACILITATOR, Role.Kind.SECRETARY, Role.Kind.STEWARD],
            member__status=Member.Status.ACTIVE,
        )
        .select_related("member__user", "role")
        .order_by("started_at", "pk")
    )
    by_kind = {}
    for assignment in holders:
        by_kind.setdefault(assignment.role.kind, assignment.member)
    facilitator = by_kind.get(Role.Kind.FACILITATOR) or by_kind.get(Role.Kind.STEWARD)
    return facilitator, by_kind.get(Role.Kind.SECRETARY)


# Meetings --------------------------------------------------------------------------------------


def meeting_list(meetings):
    return meetings.select_related("organisation", "circle", "series", "facilitator__user", "secretary__user").annotate(
        item_count=Count("agenda_items", filter=Q(agenda_items__removed_at__isnull=True), distinct=True),
        minutes_published=Exists(Minutes.objects.filter(meeting=OuterRef("pk"), state=Minutes.State.PUBLISHED)),
    )


def circle_upcoming(circle: Circle, *, now=None):
    now = now or timezone.now()
    return meeting_list(Meeting.objects.filter(circle=circle, ends_at__gt=now)).order_by("starts_at", "pk")


def circle_past(circle: Circle, *, now=None):
    now = now or timezone.now()
    return meeting_list(Meeting.objects.filter(circle=circle, ends_at__lte=now)).order_by("-starts_at", "-pk")


def circle_series(circle: Circle):
    return (
        MeetingSeries.objects.filter(circle=circle, ended_at__isnull=True)
        .select_related("facilitator__user", "secretary__user")
        .order_by("starts_at")
    )


def my_circle_ids(member: Member) -> list[int]:
    """The circles whose meetings are "mine": the ones I am on, the general circle (everyone is)."""
    on = set(
        CircleMembership.objects.current()
        .filter(member=member, circle__archived_at__isnull=True)
        .values_list("circle_id", flat=True)
    )
    general = Circle.objects.filter(organisation_id=member.organisation_id, is_general=True).values_list(
        "pk", flat=True
    )
    return sorted(on | set(general))


def my_upcoming(member: Member, *, now=None):
    """Upcoming meetings of my circles, and the ones I facilitate or take minutes for."""
    now = now or timezone.now()
    mine = Q(circle_id__in=my_circle_ids(member)) | Q(facilitator=member) | Q(secretary=member)
    return meeting_list(
        Meeting.objects.filter(organisation_id=member.organisation_id, ends_at__gt=now).filter(mine)
    ).order_by("starts_at", "pk")


def agenda(meeting: Meeting):
    return (
        AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True)
        .select_related("owner__user", "tension", "proposal", "added_by__user")
        .order_by("position", "pk")
    )


@dataclass
class AttendanceSheet:
    rows: list  # (member, status or "")
    present: int
    excused: int
    absent: int
    unrecorded: int
    expected: int  # the roster: who the quorum counts
    present_on_roster: int
    quorum_percent: int
    needed: int

    @property
    def quorum_met(self) -> bool:
        return self.expected > 0 and self.present_on_roster >= self.needed


def attendance_sheet(meeting: Meeting, *, settings: MeetingSettings | None = None) -> AttendanceSheet:
    """The circle's roster (everyone, for the general circle) with each person's recorded status,
    plus anyone recorded who is not on it (a guest, or someone who left since), and the quorum:
    the share of the roster present. Two queries, three with the settings."""
    settings = settings or settings_of(meeting.organisation)
    recorded = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting).select_related("member__user")}
    people = list(roster(meeting.circle))
    on_roster = {m.pk for m in people}
    people += sorted((a.member for pk, a in recorded.items() if pk not in on_roster), key=lambda m: str(m.user).lower())
    rows = [(m, recorded[m.pk].status if m.pk in recorded else "") for m in people]
    statuses = [a.status for a in recorded.values()]
    expected = len(on_roster)
    return AttendanceSheet(
        rows=rows,
        present=statuses.count(Attendance.Status.PRESENT),
        excused=statuses.count(Attendance.Status.EXCUSED),
        absent=statuses.count(Attendance.Status.ABSENT),
        unrecorded=sum(1 for _, status in rows if not status),
        expected=expected,
        present_on_roster=sum(
            1 for pk, a in recorded.items() if pk in on_roster and a.status == Attendance.Status.PRESENT
        ),
        quorum_percent=settings.quorum_percent,
        needed=math.ceil(expected * settings.quorum_percent / 100) if expected else 0,
    )


def lead_role_holders(circle: Circle) -> dict[str, list[Member]]:
    """Who holds the circle's facilitator and secretary roles now, by role kind: a meeting that
    names nobody is run and minuted by them. One query."""
    held: dict[str, list[Member]] = {"facilitator": [], "secretary": []}
    rows = (
        RoleAssignment.objects.current()
        .filter(role__circle=circle, role__kind__in=held.keys(), role__archived_at__isnull=True)
        .select_related("member__user", "role")
        .order_by("member__user__name")
    )
    for row in rows:
        held[row.role.kind].append(row.member)
    return held


def replies_of(meeting: Meeting) -> dict[int, str]:
    """What each member said ahead (member id → answer). One query."""
    return dict(Reply.objects.filter(meeting=meeting).values_list("member_id", "answer"))


def reply_counts(replies: dict[int, str]) -> dict[str, int]:
    """How many said each answer, from replies_of(): {"coming": 3, "maybe": 0, "not_coming": 1}."""
    answers = list(replies.values())
    return {answer: answers.count(answer) for answer in Reply.Answer.values}


def minutes_of(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).select_related("published_by__user", "updated_by__user").first()


def minutes_versions(minutes: Minutes):
    return MinutesVersion.objects.filter(minutes=minutes).select_related("author__user").order_by("-number")


DECISIONS_AROUND = timedelta(days=2)


def decisions_around(meeting: Meeting):
    """Proposals of the circle decided in or around the meeting (closed from two days before it
    starts to two days after it ends), and closed proposals that were on its agenda."""
    on_agenda = AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True, proposal__isnull=False).values(
        "proposal_id"
    )
    return (
        Proposal.objects.filter(circle_id=meeting.circle_id, state=Proposal.State.CLOSED)
        .filter(
            Q(
                closed_at__gte=shift(meeting.starts_at, -DECISIONS_AROUND),
                closed_at__lte=shift(meeting.ends_at, DECISIONS_AROUND),
            )
            | Q(pk__in=on_agenda)
        )
        .order_by("closed_at", "pk")
    )


def meeting_actions(meeting: Meeting):
    return ActionItem.objects.filter(meeting=meeting).select_related("owner__user", "circle").order_by("due", "pk")


def _names(members) -> str:
    return ", ".join(str(m.user) for m in members) or "—"


def minutes_language(meeting: Meeting) -> str:
    """The language the draft minutes are prefilled in: the secretary's own choice, else the organisation's.
    The minutes are the circle's record, so the reader at the keyboard does not decide it."""
    secretary = meeting.secretary
    if secretary is not None and secretary.user.language:
        return secretary.user.language
    return meeting.organisation.language or settings.LANGUAGE_CODE


def minutes_prefill(meeting: Meeting, *, sheet=None, items=None, decisions=None, actions=None) -> str:
    """The draft the secretary starts from: the agenda with its owners and time boxes, the
    attendance and quorum, the decisions taken in or around the meeting, and the actions so far.
    A page that has already read these passes them in. Written in minutes_language(meeting)."""
    with translation.override(minutes_language(meeting)):
        return _minutes_prefill(meeting, sheet=sheet, items=items, decisions=decisions, actions=actions)


def _minutes_prefill(meeting: Meeting, *, sheet, items, decisions, actions) -> str:
    zone = meeting.organisation.tzinfo
    start = in_zone(meeting.starts_at, zone)
    sheet = sheet or attendance_sheet(meeting)
    by_status = {s: [m for m, status in sheet.rows if status == s] for s in Attendance.Status.values}
    nobody = "—"

    def people(status: str) -> dict:
        return {"count": len(by_status[status]), "names": _names(by_status[status])}

    quorum = {
        "present": sheet.present_on_roster,
        "expected": sheet.expected,
        "needed": sheet.needed,
    }
    lines = [
        f"# {meeting.title}",
        "",
        f"{date_format(start, 'l d F Y, H:i')} ({meeting.organisation.time_zone}) · {meeting.circle}",
        gettext("Facilitator: %(facilitator)s · Secretary: %(secretary)s")
        % {
            "facilitator": meeting.facilitator.user if meeting.facilitator else nobody,
            "secretary": meeting.secretary.user if meeting.secretary else nobody,
        },
        "",
        "## " + gettext("Attendance"),
        "",
        "- " + gettext("Present (%(count)s): %(names)s") % people("present"),
        "- " + gettext("Excused (%(count)s): %(names)s") % people("excused"),
        "- " + gettext("Absent (%(count)s): %(names)s") % people("absent"),
        "- "
        + (
            gettext("Quorum: met (%(present)s of %(expected)s present, %(needed)s needed)")
            if sheet.quorum_met
            else gettext("Quorum: not met (%(present)s of %(expected)s present, %(needed)s needed)")
        )
        % quorum,
        "",
        "## " + gettext("Agenda"),
        "",
    ]
    items = list(agenda(meeting)) if items is None else items
    for n, item in enumerate(items, start=1):
        extras = [item.get_kind_display()]
        if item.owner:
            extras.append(str(item.owner.user))
        if item.time_box:
            extras.append(gettext("%(minutes)s min") % {"minutes": item.time_box})
        lines += [f"### {n}. {item.title} ({', '.join(extras)})", ""]
        if item.notes:
            lines += [item.notes, ""]
        lines += ["_" + gettext("Notes:") + "_ ", ""]
    if not items:
        lines += ["_" + gettext("No agenda items.") + "_", ""]
    lines += ["## " + gettext("Decisions"), ""]
    decisions = list(decisions_around(meeting)) if decisions is None else decisions
    for proposal in decisions:
        closed = timezone.localtime(proposal.closed_at, zone)
        statement = f": {proposal.outcome_statement}" if proposal.outcome_statement else ""
        how = gettext("%(outcome)s (%(method)s, closed %(date)s)") % {
            "outcome": proposal.get_outcome_display().lower(),
            "method": proposal.get_method_display().lower(),
            "date": date_format(closed, "d F Y"),
        }
        lines.append(f"- **{proposal.title}**: {how}{statement}")
    if not decisions:
        lines.append("_" + gettext("No decisions in or around this meeting.") + "_")
    lines += ["", "## " + gettext("Action items"), ""]
    actions = list(meeting_actions(meeting)) if actions is None else actions
    for action in actions:
        if action.due:
            who = gettext("%(owner)s, due %(date)s") % {
                "owner": action.owner.user,
                "date": date_format(action.due, "d F Y"),
            }
        else:
            who = str(action.owner.user)
        lines.append(f"- {'☑' if action.status == 'done' else '☐'} {action.title} ({who})")
    if not actions:
        lines.append(
            "_" + gettext("Add action items on the meeting page; they are listed here when you publish.") + "_"
        )
    return "\n".join(lines).strip() + "\n"


# Tensions and action items ---------------------------------------------------------------------


def tension_list(tensions):
    return tensions.select_related("circle", "raised_by__user", "resolved_by__user", "proposal").annotate(
        on_agenda_of=Count(
            "agenda_items",
            filter=Q(agenda_items__removed_at__isnull=True, agenda_items__meeting__state=Meeting.State.SCHEDULED),
            distinct=True,
        )
    )


def circle_tensions(circle: Circle, state: str | None = None):
    tensions = tension_list(Tension.objects.filter(circle=circle))
    return tensions.filter(state=state) if state else tensions


def tension_agenda_items(tension: Tension):
    return (
        AgendaItem.objects.filter(tension=tension, removed_at__isnull=True)
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )


def next_meetings_for_agenda(circle: Circle, *, now=None, limit: int = 5):
    """Upcoming meetings of the circle whose agenda can still take an item."""
    now = now or timezone.now()
    return (
        Meeting.objects.scheduled()
        .filter(circle=circle, ends_at__gt=now)
        .exclude(Exists(Minutes.objects.filter(meeting=OuterRef("pk"), state=Minutes.State.PUBLISHED)))
        .order_by("starts_at", "pk")[:limit]
    )


def action_list(items):
    return items.select_related("circle", "owner__user", "meeting", "tension", "created_by__user")


def my_actions(member: Member, *, include_finished: bool = False):
    items = action_list(ActionItem.objects.filter(owner=member))
    if not include_finished:
        items = items.filter(status__in=ActionItem.ACTIVE)
    return items.order_by(DUE_FIRST, "pk")


def circle_board(circle: Circle, *, done_since_days: int = 30) -> dict[str, list[ActionItem]]:
    """The circle's actions by status; done and dropped ones of the last month only."""
    since = timezone.now() - timedelta(days=done_since_days)
    items = action_list(ActionItem.objects.filter(circle=circle)).filter(
        Q(status__in=ActionItem.ACTIVE) | Q(created_at__gte=since) | Q(completed_at__gte=since)
    )
    board = {status: [] for status in ActionItem.Status.values}
    for item in items.order_by(DUE_FIRST, "pk"):
        board[item.status].append(item)
    return board


def local_today(organisation: Organisation):
    return timezone.localtime(timezone.now(), organisation.tzinfo).date()


# Calendar feeds --------------------------------------------------------------------------------


def feed_for_token(token: str) -> CalendarFeed | None:
    if not token:
        return None
    feed = (
        CalendarFeed.objects.select_related("member__organisation", "member__user", "circle")
        .filter(token_hash=CalendarFeed.hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.member.is_active:
        return None
    return feed


FEED_PAST = timedelta(days=90)


def feed_content(feed: CalendarFeed, *, now=None) -> tuple[list[MeetingSeries], list[Meeting]]:
    """What a feed publishes: live (or recently ended) series with their occurrence rows, and
    one-off meetings, from 90 days back on."""
    now = now or timezone.now()
    member = feed.member
    if feed.circle_id:
        circles = Q(circle_id=feed.circle_id)
    else:
        circles = Q(circle_id__in=my_circle_ids(member))
    since = now - FEED_PAST
    series = list(
        MeetingSeries.objects.filter(organisation_id=member.organisation_id)
        .filter(circles)
        .filter(Q(until__isnull=True) | Q(until__gte=since.date()))
        .select_related("circle", "organisation")
        .prefetch_related(
            Prefetch(
                "occurrences",
                queryset=Meeting.objects.filter(Q(is_edited=True) | Q(state=Meeting.State.CANCELLED)).select_related(
                    "circle"
                ),
                to_attr="exceptions",
            )
        )
    )
    meetings = Meeting.objects.filter(organisation_id=member.organisation_id, series__isnull=True, ends_at__gte=since)
    if feed.circle_id:
        meetings = meetings.filter(circles)
    else:
        meetings = meetings.filter(circles | Q(facilitator=member) | Q(secretary=member))
    return series, list(meetings.select_related("circle", "organisation").order_by("starts_at"))


def my_feeds(member: Member):
    return CalendarFeed.objects.filter(member=member, revoked_at__isnull=True).select_related("circle")


# Reads for the API: everything of the organisations the user is an active member of. ------------


def _organisations(user) -> list[int]:
    return list(active_members(user))


def meetings_visible_to(user):
    return meeting_list(Meeting.objects.filter(organisation_id__in=_organisations(user))).order_by("starts_at", "pk")


def series_visible_to(user):
    return (
        MeetingSeries.objects.filter(organisation_id__in=_organisations(user))
        .select_related("organisation", "circle", "facilitator__user", "secretary__user")
        .order_by("starts_at", "pk")
    )


def agenda_items_visible_to(user):
    return (
        AgendaItem.objects.filter(meeting__organisation_id__in=_organisations(user), removed_at__isnull=True)
        .select_related("meeting__organisation", "meeting__circle", "owner__user", "added_by__user")
        .order_by("meeting_id", "position", "pk")
    )


def attendance_visible_to(user):
    return (
        Attendance.objects.filter(meeting__organisation_id__in=_organisations(user))
        .select_related("meeting__organisation", "meeting__circle", "member__user", "recorded_by__user")
        .order_by("meeting_id", "member__user__name", "pk")
    )


def minutes_visible_to(user):
    """Published minutes of the user's organisations, and drafts of the meetings they may write."""
    return (
        Minutes.objects.filter(meeting__organisation_id__in=_organisations(user))
        .select_related("meeting__organisation", "meeting__circle", "published_by__user", "updated_by__user")
        .order_by("-meeting__starts_at", "-pk")
    )


def tensions_visible_to(user):
    return tension_list(Tension.objects.filter(organisation_id__in=_organisations(user))).order_by("-created_at", "-pk")


def action_items_visible_to(user):
    return action_list(ActionItem.objects.filter(organisation_id__in=_organisations(user))).order_by(DUE_FIRST, "pk")


def feeds_visible_to(user):
    return CalendarFeed.objects.filter(member__user=user, member__status=Member.Status.ACTIVE).select_related(
        "circle", "member"
    )
