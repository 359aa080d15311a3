"""Tensions: raised by a circle member, put on an agenda, then resolved with a note, turned into a
pre-filled draft proposal, or into an action item; who may do which, and what each leaves behind."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from governance.errors import Conflict
from governance.models import Event
from meetings.models import ActionItem, AgendaItem, Tension
from meetings.services import agenda_item_add, meeting_cancel, tension_raise, tension_resolve, tension_to_proposal
from proposals.models import Proposal
from proposals.services import proposal_close, proposal_open, proposal_withdraw
from tests.factories import give_role, make_meeting, make_member


def path(name, tension):
    return reverse(name, kwargs={"org": "acme", "pk": tension.pk})


@pytest.fixture
def tension(world):
    return tension_raise(
        circle=world.finance,
        by=world.member(world.mia),
        title="Receipts get lost",
        description="Paper receipts **vanish** before they are booked.",
    )


def test_a_member_raises_a_tension_and_it_is_listed_as_open_in_the_circle(world, client):
    client.force_login(world.mia)
    tensions = reverse("circle-tensions", kwargs={"org": "acme", "circle": "finance"})

    answer = client.post(tensions, {"title": "Receipts get lost", "description": "They vanish."})

    tension = Tension.objects.get()
    assert answer.status_code == 302 and answer["Location"] == path("tension", tension)
    assert (tension.state, tension.raised_by.user, tension.circle) == ("open", world.mia, world.finance)
    assert "Receipts get lost" in client.get(tensions).content.decode()
    assert "Receipts get lost" not in client.get(tensions + "?state=resolved").content.decode()


def test_putting_it_on_an_agenda_and_cancelling_that_meeting(world, client, tension):
    meeting = make_meeting(world.finance)
    client.force_login(world.mia)

    answer = client.post(path("tension-agenda", tension), {"meeting": meeting.pk})

    assert answer.status_code == 302
    tension.refresh_from_db()
    assert tension.state == "on_agenda"
    assert AgendaItem.objects.get(tension=tension).meeting == meeting
    assert client.post(path("tension-agenda", tension), {"meeting": meeting.pk}).status_code == 302
    assert AgendaItem.objects.filter(tension=tension).count() == 1  # not twice on one agenda
    meeting_cancel(meeting=meeting, by=None)
    tension.refresh_from_db()
    assert tension.state == "open"


def test_resolving_with_a_note_needs_the_note(world, client, tension):
    client.force_login(world.mia)

    refused = client.post(path("tension-resolve", tension), {"note": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert Tension.objects.get().state == "open"

    assert client.post(path("tension-resolve", tension), {"note": "We scan them on the day."}).status_code == 302
    tension.refresh_from_db()
    assert (tension.state, tension.resolution, tension.resolution_note) == (
        "resolved",
        "note",
        "We scan them on the day.",
    )
    assert tension.resolved_by.user == world.mia
    with pytest.raises(Conflict):
        tension_resolve(tension=tension, by=world.member(world.mia), note="Again")


def test_turning_it_into_a_proposal_makes_a_prefilled_draft(world, client, tension):
    client.force_login(world.steve)

    answer = client.post(path("tension-propose", tension))

    proposal = Proposal.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("proposal-edit", kwargs={"org": "acme", "pk": proposal.pk})
    assert (proposal.state, proposal.author.user, proposal.circle) == ("draft", world.steve, world.finance)
    assert proposal.title == "Receipts get lost"
    assert "Paper receipts **vanish**" in proposal.body and "raised by Mia Member" in proposal.body
    tension.refresh_from_db()
    assert (tension.state, tension.resolution, tension.proposal) == ("in_proposal", "", proposal)
    assert client.get(answer["Location"]).status_code == 200


def test_a_tension_in_a_proposal_stays_open_until_the_round_closes(world, client, tension):
    steve = world.member(world.steve)
    proposal = tension_to_proposal(tension=tension, by=steve)
    with pytest.raises(Conflict, match="already in a proposal"):
        tension_to_proposal(tension=tension, by=steve)

    # While it is a draft, others see that it exists, not a link they could not follow.
    client.force_login(world.mia)
    page = client.get(path("tension", tension)).content.decode()
    assert "A draft proposal by Steve Steward" in page
    assert reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk}) not in page

    proposal = proposal_open(proposal=proposal, by=steve)
    page = client.get(path("tension", tension)).content.decode()
    assert reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk}) in page
    assert client.get(reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk})).status_code == 200
    tension.refresh_from_db()
    assert tension.state == "in_proposal"

    proposal_close(proposal_id=proposal.pk, now=proposal.closes_at)
    tension.refresh_from_db()
    assert (tension.state, tension.resolution, tension.proposal) == ("resolved", "proposal", proposal)
    assert Event.objects.filter(verb="tension.resolved", object_id=tension.pk).count() == 1


def test_a_withdrawn_proposal_opens_its_tension_again(world, tension):
    steve = world.member(world.steve)
    proposal = tension_to_proposal(tension=tension, by=steve)
    proposal_withdraw(proposal=proposal, by=steve)
    tension.refresh_from_db()
    assert (tension.state, tension.proposal) == ("open", proposal)
    assert Event.objects.filter(verb="tension.reopened", object_id=tension.pk).exists()
    # It can become a proposal again.
    assert tension_to_proposal(tension=tension, by=steve) != proposal


def test_turning_it_into_an_action_links_the_meeting_it_was_discussed_in(world, client, tension):
    meeting = make_meeting(world.finance)
    agenda_item_add(meeting=meeting, by=world.member(world.mia), tension=tension)
    client.force_login(world.mia)

    answer = client.post(
        path("tension-action", tension), {"owner": world.member(world.steve).pk, "due": "2030-05-01", "title": ""}
    )

    action = ActionItem.objects.get()
    assert answer.status_code == 302
    assert (action.title, action.owner.user, action.due, action.meeting, action.tension) == (
        "Receipts get lost",
        world.steve,
        date(2030, 5, 1),
        meeting,
        tension,
    )
    tension.refresh_from_db()
    assert (tension.state, tension.resolution) == ("resolved", "action")


@pytest.mark.parametrize(
    ("who", "view", "resolve", "edit"),
    [
        ("oscar", 404, 404, 404),
        ("nora", 200, 403, 403),  # not in the circle
        ("bystander", 200, 403, 403),  # in the circle, neither raiser nor lead
        ("mia", 200, 302, 302),  # raised it
        ("facilitator", 200, 302, 403),
        ("steve", 200, 302, 403),
    ],
)
def test_who_may_resolve_and_edit_a_tension(world, client, tension, who, view, resolve, edit):
    people = {
        "bystander": make_member(world.organisation, circles=[world.finance]).user,
        "facilitator": make_member(world.organisation, circles=[world.finance]).user,
    }
    give_role(world.finance, people["facilitator"].memberships.get(), "facilitator")
    client.force_login(people.get(who) or getattr(world, who))

    assert client.get(path("tension", tension)).status_code == view
    assert client.post(path("tension-edit", tension), {"title": "Renamed"}).status_code == edit
    assert client.post(path("tension-resolve", tension), {"note": "Done"}).status_code == resolve
    tension.refresh_from_db()
    assert tension.is_resolved is (resolve == 302)
    assert (tension.title == "Renamed") is (edit == 302)


def test_the_tension_page_offers_the_next_meetings_to_put_it_on(world, client, tension):
    make_meeting(world.finance, title="Next finance meeting", starts_in=timedelta(days=1))
    make_meeting(world.finance, title="Long gone", starts_in=timedelta(days=-3))
    client.force_login(world.mia)

    html = client.get(path("tension", tension)).content.decode()

    assert "Next finance meeting" in html and "Long gone" not in html
    assert "<strong>vanish</strong>" in html


def test_an_archived_circle_takes_no_new_tensions(world, client):
    from circles.services import circle_archive

    circle_archive(circle=world.finance, by=world.member(world.alice), reason="Merged")
    make_member(world.organisation)
    client.force_login(world.mia)

    answer = client.post(reverse("circle-tensions", kwargs={"org": "acme", "circle": "finance"}), {"title": "X"})

    assert answer.status_code == 403
    assert not Tension.objects.exists()
