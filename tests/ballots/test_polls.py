"""Polls for what is not a decision: score polls, dot votes, and a time poll whose picked slot
schedules the meeting, end to end on the pages and over the API."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from governance.errors import Conflict, Invalid, NotAllowed
from governance.models import Event, Notification
from meetings.models import Meeting
from polls.models import Poll, PollAnswer
from polls.queries import poll_results
from polls.services import poll_answer, poll_close, poll_create, time_poll_pick

UTC = zoneinfo.ZoneInfo("UTC")
T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def now(time_machine):
    time_machine.move_to(T0)
    return T0


def test_a_time_poll_finds_a_slot_and_schedules_the_meeting_end_to_end(world, now, client):
    slots = [T0 + timedelta(days=7, hours=h) for h in (0, 5)]
    client.force_login(world.steve)
    created = client.post(
        reverse("poll-new", kwargs={"org": "acme", "circle": "finance"}),
        {
            "kind": "time",
            "title": "Budget meeting",
            "points": 10,
            "score_max": 5,
            "slot_1": slots[0].strftime("%Y-%m-%dT%H:%M"),
            "slot_2": slots[1].strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 90,
        },
    )
    poll = Poll.objects.get(title="Budget meeting")
    assert created.status_code == 302 and poll.kind == "time" and poll.options.count() == 2
    assert Notification.objects.filter(kind="poll_opened", email="mia@acme.test").exists()
    early, late = poll.options.order_by("starts_at")

    # Mia answers on the page: yes to the late slot, if need be to the early one.
    client.force_login(world.mia)
    client.post(
        reverse("poll-answer", kwargs={"org": "acme", "pk": poll.pk}),
        {f"option_{early.pk}": "1", f"option_{late.pk}": "2"},
    )
    poll_answer(poll=poll, member=world.member(world.steve), values={early.pk: 0, late.pk: 2})
    page = client.get(reverse("poll", kwargs={"org": "acme", "pk": poll.pk})).content.decode()
    assert "Mia Member (if need be)" in page and "2 members answered" in page
    rows = {r["option"]: r for r in poll_results(poll)}
    assert (rows[late.pk]["yes"], rows[early.pk]["if_need_be"], rows[early.pk]["no"]) == (2, 1, 1)

    # Only the organiser picks; the meeting is scheduled for the slot, through meetings.
    client.force_login(world.mia)
    assert (
        client.post(reverse("poll-pick", kwargs={"org": "acme", "pk": poll.pk}), {"option": late.pk}).status_code == 403
    )
    client.force_login(world.steve)
    picked = client.post(reverse("poll-pick", kwargs={"org": "acme", "pk": poll.pk}), {"option": late.pk})

    poll.refresh_from_db()
    meeting = Meeting.objects.get(pk=poll.meeting_id)
    assert picked.url == reverse("meeting", kwargs={"org": "acme", "pk": meeting.pk})
    assert (meeting.circle, meeting.title, meeting.starts_at) == (world.finance, "Budget meeting", slots[1])
    assert meeting.ends_at == slots[1] + timedelta(minutes=90)
    assert poll.state == "closed" and poll.picked == late
    assert Event.objects.filter(verb="meeting.scheduled", object_id=meeting.pk).exists()
    with pytest.raises(Conflict, match="already picked"):
        time_poll_pick(poll=poll, option=early, by=world.member(world.steve))


def test_a_dot_vote_refuses_more_dots_than_given_and_answers_replace_earlier_ones(world, now):
    poll = poll_create(
        circle=world.general,
        by=world.member(world.alice),
        kind="dots",
        title="Priorities",
        options=["A", "B", "C"],
        points=5,
    )
    a, b, c = poll.options.all()
    mia = world.member(world.mia)
    with pytest.raises(Invalid, match="You have 5 dots; you spread 6"):
        poll_answer(poll=poll, member=mia, values={a.pk: 3, b.pk: 3})
    poll_answer(poll=poll, member=mia, values={a.pk: 4, b.pk: 1})
    poll_answer(poll=poll, member=mia, values={a.pk: 2, c.pk: 3})

    totals = {r["label"]: r["total"] for r in poll_results(poll)}
    assert totals == {"A": 2, "B": 1, "C": 3}
    assert PollAnswer.objects.filter(member=mia).count() == 3


def test_a_score_poll_keeps_scores_in_range_and_only_the_circle_answers(world, now):
    poll = poll_create(
        circle=world.finance,
        by=world.member(world.steve),
        kind="score",
        title="Venues",
        options=["Hall", "Café"],
        score_max=3,
    )
    hall, cafe = poll.options.all()
    with pytest.raises(Invalid, match="from 0 to 3"):
        poll_answer(poll=poll, member=world.member(world.mia), values={hall.pk: 4})
    with pytest.raises(NotAllowed, match="Only members of Finance"):
        poll_answer(poll=poll, member=world.member(world.nora), values={hall.pk: 1})
    poll_answer(poll=poll, member=world.member(world.mia), values={hall.pk: 3, cafe.pk: 1})
    poll_answer(poll=poll, member=world.member(world.steve), values={hall.pk: 2, cafe.pk: 0})

    rows = {r["label"]: r for r in poll_results(poll)}
    assert rows["Hall"]["average"] == 2.5 and rows["Café"]["total"] == 1
    poll_close(poll=poll, by=world.member(world.steve))
    with pytest.raises(Conflict, match="closed"):
        poll_answer(poll=poll, member=world.member(world.mia), values={hall.pk: 1})


def test_polls_over_the_api(world, now):
    steve, mia = api(world.steve), api(world.mia)
    slots = [(T0 + timedelta(days=3, hours=h)).isoformat() for h in (1, 2)]
    created = steve.post(
        "/api/v1/polls/",
        {"circle": world.finance.pk, "kind": "time", "title": "Retro", "slots": slots},
        format="json",
    )
    assert created.status_code == 201, created.content
    poll = created.json()
    first, _second = (row["option"] for row in poll["results"])

    answered = mia.post(f"/api/v1/polls/{poll['id']}/answer/", {"values": {str(first): 2}}, format="json")
    assert answered.status_code == 200 and answered.json()["results"][0]["yes"] == 1
    assert "people" not in answered.json()["results"][0]
    assert mia.post(f"/api/v1/polls/{poll['id']}/pick/", {"option": first}, format="json").status_code == 403
    picked = steve.post(f"/api/v1/polls/{poll['id']}/pick/", {"option": first}, format="json")
    assert picked.status_code == 200 and picked.json()["meeting"] is not None
    assert api(world.olga).get(f"/api/v1/polls/{poll['id']}/").status_code == 404
    assert (
        steve.post(
            "/api/v1/polls/",
            {"circle": world.finance.pk, "kind": "dots", "title": "x", "options": ["a"]},
            format="json",
        ).status_code
        == 400
    )


def test_the_polls_page_lists_polls_and_where_one_may_be_opened(world, now, client):
    poll_create(circle=world.finance, by=world.member(world.steve), kind="score", title="Venues", options=["A", "B"])
    client.force_login(world.mia)

    page = client.get(reverse("polls", kwargs={"org": "acme"})).content.decode()

    assert "Venues" in page and "New poll in Finance" in page and "New poll in Outreach" not in page
    client.force_login(world.olga)
    assert client.get(reverse("polls", kwargs={"org": "acme"})).status_code == 404
