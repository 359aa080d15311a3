"""The demo cooperative's meetings: a fortnightly meeting in every circle, a past meeting with its
minutes and actions, open tensions, and an upcoming all-hands whose agenda is published."""

from django.utils import timezone

from circles.models import Circle
from meetings.models import ActionItem, Meeting, MeetingSeries, Minutes, Tension
from project.demo import load_demo


def test_the_demo_has_the_meetings_the_issue_asks_for(db):
    organisation = load_demo()
    now = timezone.now()

    for circle in Circle.objects.filter(organisation=organisation, ends_on__isnull=True):  # not working groups
        series = MeetingSeries.objects.get(circle=circle)
        assert series.frequency == "fortnightly" and series.rrule == "FREQ=WEEKLY;INTERVAL=2", circle
        assert Meeting.objects.filter(series=series, starts_at__gt=now).exists(), circle
    minutes = Minutes.objects.get(meeting__organisation=organisation)
    assert minutes.is_published and minutes.meeting.ends_at < now
    assert ActionItem.objects.filter(meeting=minutes.meeting).count() == 2
    assert minutes.meeting.attendance.count() == 5
    assert Tension.objects.filter(organisation=organisation, state__in=["open", "on_agenda"]).count() == 3
    assert Tension.objects.filter(state="on_agenda").count() == 1
    all_hands = Meeting.objects.get(organisation=organisation, kind="all_hands")
    assert all_hands.starts_at > now and all_hands.agenda_published_at is not None
    assert all_hands.agenda_items.filter(proposal__isnull=False).exists()
