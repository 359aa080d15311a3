"""Demo meetings: a fortnightly meeting in every circle, a past meeting with its attendance, minutes
and actions, open tensions (one already on an agenda), and an upcoming all-hands with a published
agenda. Everything is looked up by title first, so loading the demo twice adds nothing."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from circles.models import Circle
from proposals.models import Proposal

from .models import ActionItem, Attendance, Kind, Meeting, MeetingSeries, Minutes, Tension
from .services import (
    action_item_create,
    agenda_item_add,
    agenda_publish,
    attendance_record,
    meeting_create,
    minutes_publish,
    minutes_save_draft,
    series_create,
    tension_raise,
)

# circle, title, weekday (0 = Monday), local start, secretary, weeks back the first meeting was
SERIES = [
    ("General Circle", "General circle meeting", 0, time(18, 0), "Kemi Adeyemi", 1),
    ("Organisational Operations", "Operations circle meeting", 1, time(10, 0), "Elena Sokolova", 2),
    ("Product Strategy and Services", "Product circle meeting", 2, time(14, 0), "Ines Garcia", 1),
    ("Technology Operations", "Tech ops circle meeting", 3, time(16, 0), "Liam OBrien", 1),
]

TENSIONS = [
    (
        "Technology Operations",
        "Liam OBrien",
        "Nobody owns the on-call rota",
        "When the monitoring pages at night, whoever sees it first reacts. Some weeks that is always the same "
        "person. **What could be:** a rota everyone knows, with a fair share of nights.",
    ),
    (
        "Product Strategy and Services",
        "Hiro Tanaka",
        "User members hear about price changes last",
        "The last price change reached user members in the newsletter, after it was decided. They could be "
        "asked while a change is still a proposal.",
    ),
    (
        "Organisational Operations",
        "Grace Mensah",
        "Onboarding new members takes weeks",
        "New members wait for a welcome call and their accounts. A checklist and a buddy could make it days.",
    ),
]

ALL_HANDS = "All-hands: the year ahead"


def _local(organisation, day, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), organisation.tzinfo)


def _first_on_or_after(day, weekday: int):
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def load(*, organisation, members):
    today = timezone.localtime(timezone.now(), organisation.tzinfo).date()
    circles = {c.name: c for c in Circle.objects.filter(organisation=organisation)}
    for circle_name, title, weekday, at, secretary, weeks_back in SERIES:
        circle = circles[circle_name]
        if MeetingSeries.objects.filter(circle=circle, title=title).exists():
            continue
        first_day = _first_on_or_after(today - timedelta(weeks=weeks_back), weekday)
        starts_at = _local(organisation, first_day, at)
        series_create(
            circle=circle,
            by=members["Alice Okafor"],
            title=title,
            kind=Kind.GOVERNANCE,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=90),
            frequency=MeetingSeries.Frequency.FORTNIGHTLY,
            place="The back room at the co-working space" if circle.is_general else "",
            video_url=f"https://meet.example.coop/{circle.slug}",
            secretary=members[secretary],
        )
    _past_meeting_with_minutes(organisation, circles["Organisational Operations"], members)
    _tensions(organisation, circles, members)
    _all_hands(organisation, circles["General Circle"], members, today)
    _actions_due(circles, members, today)


# Actions due this week, so that the stewards and members who would otherwise only see meetings in
# their inbox (governance.inbox) have something of their own to do.
ACTIONS_DUE = [
    ("Technology Operations", "Dev Patel", "Test restoring last night's backup", 2),
    ("Product Strategy and Services", "Hiro Tanaka", "Write up the three user interviews", 1),
    ("Product Strategy and Services", "Chiara Rossi", "Draft next quarter's roadmap", 4),
]


def _actions_due(circles, members, today):
    for circle_name, owner, title, days in ACTIONS_DUE:
        circle = circles[circle_name]
        if ActionItem.objects.filter(circle=circle, title=title).exists():
            continue
        action_item_create(
            circle=circle, by=members[owner], title=title, owner=members[owner], due=today + timedelta(days=days)
        )


def _past_meeting_with_minutes(organisation, circle, members):
    meeting = (
        Meeting.objects.filter(circle=circle, series__isnull=False, ends_at__lt=timezone.now())
        .order_by("-starts_at")
        .first()
    )
    if meeting is None or Minutes.objects.filter(meeting=meeting).exists():
        return
    ben, elena = members["Ben Laurent"], members["Elena Sokolova"]
    agenda_item_add(meeting=meeting, by=ben, title="Check-in", kind="check_in", time_box=10)
    agenda_item_add(meeting=meeting, by=elena, title="Quarterly accounts", kind="report", owner=elena, time_box=20)
    agenda_item_add(meeting=meeting, by=ben, title="Membership applications", kind="other", owner=ben, time_box=15)
    agenda_publish(meeting=meeting, by=ben)
    statuses = {
        "Ben Laurent": Attendance.Status.PRESENT,
        "Elena Sokolova": Attendance.Status.PRESENT,
        "Alice Okafor": Attendance.Status.PRESENT,
        "Grace Mensah": Attendance.Status.EXCUSED,
        "Jonas Berg": Attendance.Status.ABSENT,
    }
    for name, status in statuses.items():
        attendance_record(meeting=meeting, by=elena, member=members[name], status=status)
    local = timezone.localtime(meeting.starts_at, organisation.tzinfo).date()
    action_item_create(
        circle=circle,
        by=elena,
        title="Send the Q3 summary to the members' wiki",
        owner=elena,
        due=local + timedelta(days=5),
        meeting=meeting,
    )
    action_item_create(
        circle=circle,
        by=elena,
        title="Call the two applicants back",
        owner=ben,
        due=local + timedelta(days=3),
        meeting=meeting,
    )
    minutes = minutes_save_draft(meeting=meeting, by=elena)
    body = (
        minutes.body.replace("_Notes:_ ", "_Notes:_ Discussed and agreed; see the actions below.", 2)
        + "\n\nNext meeting in two weeks, same time.\n"
    )
    minutes = minutes_save_draft(meeting=meeting, by=elena, body=body)
    minutes_publish(minutes=minutes, by=elena)
    # Backdate the agenda and the minutes so that the record reads like a history.
    Meeting.objects.filter(pk=meeting.pk).update(agenda_published_at=meeting.starts_at - timedelta(days=3))
    Minutes.objects.filter(pk=minutes.pk).update(
        published_at=meeting.ends_at + timedelta(hours=20), updated_at=meeting.ends_at + timedelta(hours=20)
    )
    minutes.versions.update(created_at=meeting.ends_at + timedelta(hours=20))


def _tensions(organisation, circles, members):
    for circle_name, who, title, description in TENSIONS:
        circle = circles[circle_name]
        if Tension.objects.filter(circle=circle, title=title).exists():
            continue
        tension = tension_raise(circle=circle, by=members[who], title=title, description=description)
        if circle_name == "Technology Operations":
            upcoming = Meeting.objects.scheduled().filter(circle=circle, starts_at__gt=timezone.now()).first()
            if upcoming is not None:
                agenda_item_add(meeting=upcoming, by=members[who], tension=tension, time_box=20)


def _all_hands(organisation, general, members, today):
    if Meeting.objects.filter(circle=general, title=ALL_HANDS).exists():
        return
    alice = members["Alice Okafor"]
    starts_at = _local(organisation, today + timedelta(days=5), time(17, 0))
    meeting = meeting_create(
        circle=general,
        by=alice,
        title=ALL_HANDS,
        kind=Kind.ALL_HANDS,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place="The back room at the co-working space",
        video_url="https://meet.example.coop/all-hands",
        facilitator=alice,
        secretary=members["Kemi Adeyemi"],
    )
    agenda_item_add(meeting=meeting, by=alice, title="Check-in round", kind="check_in", time_box=15)
    agenda_item_add(
        meeting=meeting,
        by=members["Ben Laurent"],
        title="The year in numbers",
        kind="report",
        owner=members["Ben Laurent"],
        time_box=20,
    )
    proposal = Proposal.objects.filter(organisation=organisation, circle=general, state=Proposal.State.OPEN).first()
    if proposal is not None:
        agenda_item_add(meeting=meeting, by=alice, proposal=proposal, owner=alice, time_box=40)
    agenda_item_add(meeting=meeting, by=alice, title="Electing our stewards", kind="election", time_box=30)
    agenda_publish(meeting=meeting, by=alice)
