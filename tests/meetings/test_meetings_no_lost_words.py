"""Meetings without lost words: the minutes autosave (saved, refused when empty, never overwriting a
draft saved meanwhile), the prefill that follows the sheet until a draft exists, "everyone present",
members saying ahead whether they will come (page and API), and published minutes without a literal
"[ ]"."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from governance.markdown import render_markdown
from meetings.models import Attendance, Minutes, Reply
from meetings.services import action_item_create, meeting_reply, minutes_publish, minutes_save_draft
from tests.factories import give_role, make_meeting, make_member

HX = {"HX-Request": "true"}


def url(name, meeting):
    return reverse(name, kwargs={"org": "acme", "pk": meeting.pk})


@pytest.fixture
def sam(world):
    sam = make_member(world.organisation, circles=[world.finance])
    give_role(world.finance, sam, "secretary")
    return sam


@pytest.fixture
def meeting(world):
    return make_meeting(world.finance, starts_in=timedelta(minutes=-10), minutes=90)


# Autosave --------------------------------------------------------------------------------------


def test_the_autosave_saves_the_draft_and_says_when(client, world, sam, meeting):
    client.force_login(sam.user)
    answer = client.post(url("minutes-autosave", meeting), {"body": "We met.", "saved_at": ""})
    assert answer.status_code == 200
    minutes = Minutes.objects.get(meeting=meeting)
    assert (minutes.body, minutes.updated_by) == ("We met.", sam)
    assert answer.json()["saved_at"] == minutes.updated_at.isoformat()
    assert answer.json()["message"].startswith("Draft saved at ")

    again = client.post(url("minutes-autosave", meeting), {"body": "We met twice.", "saved_at": minutes.updated_at})
    assert again.status_code == 200
    assert Minutes.objects.get(meeting=meeting).body == "We met twice."


def test_the_autosave_never_overwrites_a_draft_saved_meanwhile(client, world, sam, meeting):
    seen = minutes_save_draft(meeting=meeting, by=sam, body="Sam's first words.")
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        minutes_save_draft(meeting=meeting, by=world.member(world.steve), body="Steve's version.")
    client.force_login(sam.user)
    answer = client.post(url("minutes-autosave", meeting), {"body": "Sam goes on.", "saved_at": seen.updated_at})
    assert answer.status_code == 409
    assert "saved the draft meanwhile" in answer.json()["error"]
    assert Minutes.objects.get(meeting=meeting).body == "Steve's version."

    # A page that saw no draft at all cannot overwrite one either.
    answer = client.post(url("minutes-autosave", meeting), {"body": "Sam from an old page.", "saved_at": ""})
    assert answer.status_code == 409
    assert Minutes.objects.get(meeting=meeting).body == "Steve's version."


def test_the_autosave_refuses_empty_text_and_people_who_do_not_take_minutes(client, world, sam, meeting):
    client.force_login(sam.user)
    assert client.post(url("minutes-autosave", meeting), {"body": "  "}).status_code == 400
    client.force_login(world.mia)
    assert client.post(url("minutes-autosave", meeting), {"body": "Mia writes."}).status_code == 403
    client.force_login(world.oscar)
    assert client.post(url("minutes-autosave", meeting), {"body": "Oscar writes."}).status_code == 404
    assert not Minutes.objects.filter(meeting=meeting).exists()


def test_published_minutes_are_not_touched_by_a_late_autosave(client, world, sam, meeting):
    minutes_publish(minutes=minutes_save_draft(meeting=meeting, by=sam, body="Final."), by=sam)
    client.force_login(sam.user)
    answer = client.post(url("minutes-autosave", meeting), {"body": "Late words."})
    assert answer.status_code == 409
    assert Minutes.objects.get(meeting=meeting).body == "Final."


# The prefill follows the sheet --------------------------------------------------------------------


def test_the_prefill_follows_the_attendance_until_a_draft_is_saved(client, world, sam, meeting):
    client.force_login(sam.user)
    before = client.get(url("minutes-prefill", meeting)).json()["body"]
    assert "Present (1)" not in before
    answer = client.post(
        url("attendance-record", meeting), {f"status_{world.member(world.mia).pk}": "present"}, headers=HX
    )
    assert answer["HX-Trigger"] == "attendance-recorded"
    assert "Present (1)" in client.get(url("minutes-prefill", meeting)).json()["body"]

    minutes_save_draft(meeting=meeting, by=sam, body="My own words.")
    assert client.get(url("minutes-prefill", meeting)).status_code == 409


def test_everyone_present_marks_those_not_recorded_and_keeps_apologies(client, world, sam, meeting):
    steve = world.member(world.steve)
    Attendance.objects.create(meeting=meeting, member=steve, status="excused", recorded_by=sam)
    client.force_login(sam.user)
    answer = client.post(url("attendance-record", meeting), {"everyone_present": "1"}, headers=HX)
    assert answer.status_code == 200
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("member", "status"))
    assert statuses.pop(steve.pk) == "excused"
    assert statuses and set(statuses.values()) == {"present"}
    assert world.member(world.mia).pk in statuses and sam.pk in statuses


def test_everyone_present_waits_for_the_meeting_to_start(client, world, sam):
    later = make_meeting(world.finance)
    client.force_login(sam.user)
    answer = client.post(url("attendance-record", later), {"everyone_present": "1"}, headers=HX)
    assert "has not started yet" in answer.content.decode()
    assert not Attendance.objects.filter(meeting=later).exists()


# Saying ahead ------------------------------------------------------------------------------------


def test_a_member_says_ahead_she_cannot_come_and_the_sheet_starts_from_it(client, world, sam):
    later = make_meeting(world.finance)
    client.force_login(world.mia)
    answer = client.post(url("meeting-reply", later), {"answer": "not_coming"})
    assert answer.status_code == 302
    assert Reply.objects.get(meeting=later, member=world.member(world.mia)).answer == "not_coming"
    page = client.get(url("meeting", later)).content.decode()
    assert "0 coming · 0 maybe · 1 not coming" in page
    assert 'aria-pressed="true"' in page

    client.force_login(sam.user)
    form = client.get(url("meeting", later)).context["attendance_form"]
    assert form[f"status_{world.member(world.mia).pk}"].value() == "excused"


def test_replies_are_for_the_circle_and_until_the_start(client, world, meeting):
    later = make_meeting(world.finance)
    client.force_login(world.nora)  # a member of the organisation, not of Finance
    assert client.post(url("meeting-reply", later), {"answer": "coming"}).status_code == 403
    client.force_login(world.oscar)
    assert client.post(url("meeting-reply", later), {"answer": "coming"}).status_code == 404
    with pytest.raises(Exception, match="has started"):
        meeting_reply(meeting=meeting, member=world.member(world.mia), answer="coming")
    with pytest.raises(Exception, match="Choose coming"):
        meeting_reply(meeting=later, member=world.member(world.mia), answer="perhaps")
    assert not Reply.objects.exists()


def test_a_reply_over_the_api(client, world):
    later = make_meeting(world.finance)
    client.force_login(world.mia)
    answer = client.post(f"/api/v1/meetings/{later.pk}/reply/", {"answer": "coming"}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json() == {"answer": "coming", "coming": 1, "maybe": 0, "not_coming": 0}
    changed = client.post(f"/api/v1/meetings/{later.pk}/reply/", {"answer": "maybe"}, content_type="application/json")
    assert changed.json()["maybe"] == 1 and changed.json()["coming"] == 0
    bad = client.post(f"/api/v1/meetings/{later.pk}/reply/", {"answer": "nah"}, content_type="application/json")
    assert bad.status_code == 400
    client.force_login(world.nora)
    refused = client.post(f"/api/v1/meetings/{later.pk}/reply/", {"answer": "coming"}, content_type="application/json")
    assert refused.status_code == 403


# Published minutes show boxes, not "[ ]" ------------------------------------------------------------


def test_action_items_in_the_prefill_are_boxes(client, world, sam, meeting):
    action_item_create(circle=world.finance, by=sam, title="Scan receipts", owner=sam, meeting=meeting)
    client.force_login(sam.user)
    body = client.get(url("minutes-prefill", meeting)).json()["body"]
    assert "☐ Scan receipts" in body and "[ ]" not in body


def test_task_marks_typed_by_hand_render_as_boxes():
    html = str(render_markdown("- [ ] call the bank\n- [x] pay rent\n\nA [ ] in a sentence stays."))
    assert "☐ call the bank" in html and "☑ pay rent" in html
    assert "A [ ] in a sentence stays." in html


def test_the_recurrence_rule_shows_only_for_a_custom_rule(client, world):
    client.force_login(world.steve)
    page = client.get(reverse("meeting-new", kwargs={"org": "acme", "circle": "finance"})).content.decode()
    assert 'data-show-if="repeat" data-show-value="custom"' in page
