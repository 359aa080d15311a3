"""Results hidden until the close: an option of any round, always on for anonymous rounds, set in
the form, the API and shown in the admin; the early close cannot give an objection away."""

import pytest
from django.urls import reverse

from governance.models import Event
from proposals.models import Proposal
from proposals.services import objection_withdraw, position_record, proposal_create, proposal_update_draft
from tests.factories import make_proposal


def test_anonymous_rounds_always_hide_their_results(world):
    steve = world.member(world.steve)
    proposal = proposal_create(circle=world.finance, author=steve, title="T", body="B", anonymous=True)
    assert proposal.hidden_results and proposal.results_hidden
    proposal_update_draft(proposal=proposal, by=steve, hidden_results=False)
    proposal.refresh_from_db()
    assert proposal.hidden_results  # forced on while anonymous


def test_the_form_and_the_api_set_hidden_results(world, client):
    client.force_login(world.steve)
    answer = client.post(
        reverse("proposal-new", kwargs={"org": "acme", "circle": world.finance.slug}),
        {"title": "Paint the door", "body": "Blue.", "method": "consent", "round_days": 3, "hidden_results": "on"},
    )
    assert answer.status_code == 302
    assert Proposal.objects.get(title="Paint the door").hidden_results
    answer = client.post(
        "/api/v1/proposals/",
        {"circle": world.finance.pk, "title": "Paint the wall", "body": "Red.", "hidden_results": True},
        content_type="application/json",
    )
    assert answer.status_code == 201 and answer.json()["hidden_results"] and answer.json()["results_hidden"]


def test_who_responded_stays_visible_where_the_round_is_not_anonymous(world, client):
    proposal = make_proposal(world.finance, world.member(world.steve), hidden_results=True)
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="No")
    client.force_login(world.steve)
    page = client.get(reverse("proposal", kwargs={"org": "acme", "pk": proposal.pk})).content.decode()
    assert "Results are hidden until the round closes" in page and "Mia Member" in page
    assert 'data-kind="' not in page
    rows = client.get(f"/api/v1/proposals/{proposal.pk}/positions/").json()["results"]
    assert [(r["member"]["name"], r["kind"], r["reason"]) for r in rows] == [("Mia Member", None, None)]
    event = Event.objects.filter(verb="position.recorded").get()
    assert event.actor == world.member(world.mia) and event.details == {}


def test_withdrawing_an_objection_is_logged_as_a_change_of_position(world):
    proposal = make_proposal(world.finance, world.member(world.steve), hidden_results=True)
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="No")
    objection_withdraw(proposal=proposal, member=world.member(world.mia))
    assert not Event.objects.filter(verb="objection.withdrawn").exists()
    assert Event.objects.filter(verb="position.recorded").count() == 2


@pytest.mark.parametrize("hidden", [False, True])
def test_the_early_close_does_not_tell_that_someone_objects(world, hidden):
    proposal = make_proposal(world.finance, world.member(world.steve), early_close=True, hidden_results=hidden)
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="No")
    position_record(proposal=proposal, member=world.member(world.steve), kind="consent")
    proposal.refresh_from_db()
    # Shown results: the objection is visible, the round waits for it to be worked with. Hidden:
    # a round left open once everyone responded would tell there is an objection, so it closes.
    assert proposal.state == ("closed" if hidden else "open")
    if hidden:
        assert proposal.outcome == "rejected"


def test_the_admin_shows_no_tally_before_the_close(world, client):
    from tests.factories import UserFactory

    proposal = make_proposal(world.finance, world.member(world.steve), hidden_results=True)
    position_record(proposal=proposal, member=world.member(world.mia), kind="objection", reason="XYZZY")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk])).content.decode()
    assert "hidden until the close" in page and "objection" not in page.lower()
    listing = client.get(reverse("admin:proposals_position_changelist")).content.decode()
    assert "XYZZY" not in listing and ">Objection<" not in listing and "hidden until the close" in listing
