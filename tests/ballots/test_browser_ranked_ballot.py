"""A member casts a ranked ballot in a real browser with the keyboard alone: Tab from one candidate's
rank menu to the next, a digit picks the rank, Enter on the button casts it; the ballot is stored in
rank order, without the voter."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from elections.services import candidacy_add, election_open, elections_advance_due
from roles.models import Ballot, BallotVoter, Election
from tests.factories import make_role

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def voting(world):
    role = make_role(world.general, "Council", seats=1, selection="elected", election_method="ballot")
    election = election_open(role=role, by=world.member(world.alice), counting="ranked")
    ids = {
        u: candidacy_add(election=election, member=world.member(u), statement="Me.").pk
        for u in (world.mia, world.nora, world.otto)
    }
    # Applications are over: the sweep opens voting, as it would at the deadline.
    Election.objects.filter(pk=election.pk).update(applications_close_at=timezone.now() - timedelta(minutes=1))
    elections_advance_due()
    election.refresh_from_db()
    election.ids = ids
    return election


def test_a_ranked_ballot_is_cast_by_keyboard_alone(page, log_in, world, voting):
    log_in("steve@acme.test")
    page.goto(f"/o/acme/elections/{voting.pk}/")

    page.get_by_label("Rank for Mia Member").focus()
    page.keyboard.press("2")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Rank for Nora Nocircle")).to_be_focused()
    page.keyboard.press("1")
    page.keyboard.press("Tab")  # Otto stays "Not ranked"
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Cast my ballot")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#messages")).to_contain_text("Your ballot is cast")
    assert Ballot.objects.get(election=voting).choices == [voting.ids[world.nora], voting.ids[world.mia]]
    assert BallotVoter.objects.get(election=voting, member__user=world.steve).has_voted
