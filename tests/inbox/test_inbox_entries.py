"""Each kind of inbox entry appears when its cause arises and disappears once it is done."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from governance.inbox import inbox_collect
from meetings.models import ActionItem, Meeting
from meetings.services import (
    action_item_create,
    action_item_update,
    agenda_item_add,
    agenda_publish,
    minutes_publish,
    minutes_save_draft,
)
from proposals.services import objection_withdraw, position_record
from roles.models import RoleAssignment
from roles.services import assignment_end, role_assign
from tests.factories import make_meeting, make_proposal, make_role


def kinds(member, now=None):
    return [(e.kind, e.title) for e in inbox_collect(member, now).entries]


def test_a_proposal_waits_for_my_position_until_i_give_it(world):
    mia, steve = world.member(world.mia), world.member(world.steve)
    proposal = make_proposal(world.finance, steve, title="Buy a printer")
    assert ("proposal.position", "Buy a printer") in kinds(mia)
    entry = next(e for e in inbox_collect(mia).entries if e.kind == "proposal.position")
    assert entry.url == f"/o/acme/p/{proposal.pk}/" and entry.due == proposal.closes_at and entry.circle == "Finance"
    position_record(proposal=proposal, member=mia, kind="consent")
    assert ("proposal.position", "Buy a printer") not in kinds(mia)


def test_an_objection_to_my_proposal_waits_until_it_is_withdrawn(world):
    mia, steve = world.member(world.mia), world.member(world.steve)
    proposal = make_proposal(world.finance, steve, title="Buy a printer")
    assert not [k for k in kinds(steve) if k[0] == "proposal.objection"]
    position_record(proposal=proposal, member=mia, kind="objection", reason="Too expensive")
    entry = next(e for e in inbox_collect(steve).entries if e.kind == "proposal.objection")
    assert entry.action == "Answer 1 objection" and "Mia" not in entry.action
    objection_withdraw(proposal=proposal, member=mia)
    assert not [k for k in kinds(steve) if k[0] == "proposal.objection"]


def test_an_anonymous_round_never_tells_its_author_the_counts_by_kind(world):
    mia, steve = world.member(world.mia), world.member(world.steve)
    proposal = make_proposal(world.finance, steve, title="Secret", anonymous=True)
    position_record(proposal=proposal, member=mia, kind="objection", reason="No")
    assert not [k for k in kinds(steve) if k[0] == "proposal.objection"]


def test_the_agenda_waits_for_the_facilitator_until_published(world):
    mia, steve = world.member(world.mia), world.member(world.steve)
    meeting = make_meeting(world.finance, by=steve, title="Finance sync", facilitator=mia)
    assert ("meeting.agenda", "Finance sync") in kinds(mia)
    assert ("meeting.agenda", "Finance sync") not in kinds(steve)  # the facilitator's, not the steward's
    agenda_item_add(meeting=meeting, by=mia, title="Budget")
    agenda_publish(meeting=meeting, by=mia)
    assert ("meeting.agenda", "Finance sync") not in kinds(mia)


def test_without_a_facilitator_the_agenda_is_the_stewards(world):
    steve = world.member(world.steve)
    meeting = make_meeting(world.finance, by=steve, title="Finance sync")
    Meeting.objects.filter(pk=meeting.pk).update(facilitator=None)
    entry = next(e for e in inbox_collect(steve).entries if e.kind == "meeting.agenda")
    assert entry.role == "steward"


def test_the_minutes_wait_for_the_secretary_until_published(world):
    mia, steve = world.member(world.mia), world.member(world.steve)
    meeting = make_meeting(world.finance, by=steve, title="Finance sync", secretary=mia, starts_in=timedelta(hours=1))
    assert ("meeting.minutes", "Finance sync") not in kinds(mia)
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert ("meeting.minutes", "Finance sync") in kinds(mia)
        minutes = minutes_save_draft(meeting=meeting, by=mia, body="We met.")
        minutes_publish(minutes=minutes, by=mia)
        assert ("meeting.minutes", "Finance sync") not in kinds(mia)


def test_todays_meeting_shows_my_part_in_it(world):
    mia, steve = world.member(world.mia), world.member(world.steve)
    make_meeting(world.finance, by=steve, title="Finance sync", secretary=mia, starts_in=timedelta(minutes=30))
    make_meeting(world.outreach, by=None, title="Outreach sync", starts_in=timedelta(minutes=40))
    entries = [e for e in inbox_collect(mia).entries if e.kind in ("meeting.today", "meeting.week")]
    assert [(e.title, e.role) for e in entries] == [("Finance sync", "secretary")]  # not a circle of hers
    meetings = ("meeting.today", "meeting.week")
    steve_entries = {e.title: e.role for e in inbox_collect(steve).entries if e.kind in meetings}
    assert steve_entries == {"Finance sync": "facilitator"}  # the steward facilitates by default
    nora = world.member(world.nora)  # on no circle: only the general circle's meetings are hers
    assert not [e for e in inbox_collect(nora).entries if e.kind in ("meeting.today", "meeting.week")]
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert not [e for e in inbox_collect(mia).entries if e.kind in ("meeting.today", "meeting.week")]


def test_my_action_waits_until_done(world):
    mia, steve = world.member(world.mia), world.member(world.steve)
    today = timezone.localdate()
    item = action_item_create(circle=world.finance, by=steve, title="Call the bank", owner=mia, due=today)
    far = action_item_create(circle=world.finance, by=steve, title="Later", owner=mia, due=today + timedelta(days=30))
    assert ("action.due", "Call the bank") in kinds(mia) and ("action.due", far.title) not in kinds(mia)
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        entry = next(e for e in inbox_collect(mia).entries if e.kind == "action.due")
        assert entry.action.startswith("Overdue")
    action_item_update(item=item, by=mia, status=ActionItem.Status.DONE)
    assert ("action.due", "Call the bank") not in kinds(mia)


def test_my_term_ending_soon_waits_until_it_ends(world):
    mia = world.member(world.mia)
    role = make_role(world.finance, "Bookkeeper")
    term = role_assign(role=role, member=mia, by=None, planned_end_at=timezone.now() + timedelta(days=60))
    assert ("role.term_ending", "Bookkeeper") not in kinds(mia)
    soon = timezone.now() + timedelta(days=40)
    assert ("role.term_ending", "Bookkeeper") in kinds(mia, soon)
    assignment_end(assignment=term, by=None, reason=RoleAssignment.EndReason.RESIGNED)
    assert ("role.term_ending", "Bookkeeper") not in kinds(mia, soon)


def test_the_nearest_deadline_comes_first_and_undated_last(world):
    mia, steve = world.member(world.mia), world.member(world.steve)
    make_proposal(world.finance, steve, title="Later", round_length=timedelta(days=10))
    make_proposal(world.finance, steve, title="Sooner", round_length=timedelta(days=2))
    titles = [e.title for e in inbox_collect(mia).entries if e.kind == "proposal.position"]
    assert titles == ["Sooner", "Later"]
    assert inbox_collect(mia).counts["proposal.position"] == 2
