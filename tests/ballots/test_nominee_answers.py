"""Sociocratic selection asks the nominee first: a nominee accepts or declines before the facilitator
may propose them (on the page, over the API, told by email, listed in their inbox); nominating
oneself is accepting. A selection round closes as soon as everyone has consented, and a closed
election says in one sentence what decided it."""

import zoneinfo
from datetime import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from elections.inbox import elections_awaiting_member
from elections.services import (
    ballot_cast,
    candidacy_add,
    election_open,
    election_propose,
    elections_advance_due,
    nomination_add,
    nomination_answer,
)
from governance.errors import Conflict, NotAllowed
from governance.models import Event, Notification
from proposals.services import position_record
from tests.factories import make_facilitator, make_member, make_role

UTC = zoneinfo.ZoneInfo("UTC")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def fran(world):
    """Fran facilitates Finance."""
    member = make_member(world.organisation)
    make_facilitator(world.finance, member)
    return member


@pytest.fixture
def election(world, fran, time_machine):
    time_machine.move_to(datetime(2027, 3, 1, 10, 0, tzinfo=UTC))
    role = make_role(world.finance, "Bookkeeper", term_months=6, selection="elected")
    return election_open(role=role, by=world.member(world.steve))


def test_a_nominee_is_asked_and_only_one_who_accepts_may_be_proposed(world, fran, election):
    mia, steve = world.member(world.mia), world.member(world.steve)
    nomination_add(election=election, nominee=mia, by=steve, reason="Careful with money.")

    asked = Notification.objects.get(kind="election_nominated")
    assert asked.email == "mia@acme.test" and "accept or decline" in asked.subject
    with pytest.raises(Conflict, match="has not accepted the nomination yet"):
        election_propose(election=election, candidate=mia, by=fran)

    nomination_answer(election=election, nominee=mia, accepted=False)
    with pytest.raises(Conflict, match="has declined the nomination"):
        election_propose(election=election, candidate=mia, by=fran)

    nomination_answer(election=election, nominee=mia, accepted=True)
    election = election_propose(election=election, candidate=mia, by=fran)

    assert election.state == "consent"
    verbs = list(
        Event.objects.filter(verb__startswith="election.nomination_").order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == ["election.nomination_declined", "election.nomination_accepted"]
    assert Notification.objects.filter(kind="election_nomination_answered", email=fran.user.email).count() == 2
    with pytest.raises(Conflict, match="Nominations are closed"):
        nomination_answer(election=election, nominee=mia, accepted=False)


def test_nominating_oneself_is_accepting_and_only_nominees_answer(world, fran, election):
    mia = world.member(world.mia)
    nomination_add(election=election, nominee=mia, by=mia, reason="I keep our books already.")

    assert not Notification.objects.filter(kind="election_nominated").exists()
    with pytest.raises(NotAllowed, match="not been nominated"):
        nomination_answer(election=election, nominee=world.member(world.steve), accepted=True)
    assert election_propose(election=election, candidate=mia, by=fran).state == "consent"


def test_the_nominee_answers_on_the_page_and_over_the_api(world, fran, election, client):
    mia, steve = world.member(world.mia), world.member(world.steve)
    nomination_add(election=election, nominee=mia, by=steve, reason="Careful with money.")
    page = reverse("election", kwargs={"org": "acme", "pk": election.pk})
    client.force_login(world.mia)

    assert "You were nominated" in client.get(page).content.decode()
    client.post(reverse("election-answer", kwargs={"org": "acme", "pk": election.pk}), {"accepted": "no"})
    client.force_login(fran.user)
    assert "declines" in client.get(page).content.decode()

    assert api(world.steve).post(f"/api/v1/elections/{election.pk}/answer/", {"accepted": True}).status_code == 403
    answered = api(world.mia).post(f"/api/v1/elections/{election.pk}/answer/", {"accepted": True}, format="json")
    assert answered.status_code == 200
    assert (
        api(fran.user)
        .post(f"/api/v1/elections/{election.pk}/propose/", {"candidate": mia.pk}, format="json")
        .status_code
        == 200
    )


def test_the_inbox_lists_nominations_to_answer_and_ballots_to_cast(
    world, fran, election, time_machine, django_assert_max_num_queries
):
    mia, steve = world.member(world.mia), world.member(world.steve)
    nomination_add(election=election, nominee=mia, by=steve, reason="Careful with money.")
    ballot_role = make_role(world.general, "Council", seats=1, selection="elected", election_method="ballot")
    ballot = election_open(role=ballot_role, by=world.member(world.alice))
    candidacy = candidacy_add(election=ballot, member=steve, statement="Me.")
    time_machine.move_to(ballot.applications_close_at)
    elections_advance_due()
    now = ballot.applications_close_at

    with django_assert_max_num_queries(2):
        entries = elections_awaiting_member(mia, now)
    assert {(e.kind, e.title, e.object_id) for e in entries} == {
        ("election.nomination", "Election of Bookkeeper", election.pk),
        ("election.ballot", "Election of Council", ballot.pk),
    }
    nomination_answer(election=election, nominee=mia, accepted=True)
    ballot_cast(election=ballot, member=mia, choices=[candidacy.pk])
    assert elections_awaiting_member(mia, now) == []


def test_a_selection_round_closes_as_soon_as_everyone_has_consented(world, fran, election):
    mia, steve = world.member(world.mia), world.member(world.steve)
    nomination_add(election=election, nominee=mia, by=mia, reason="Me.")
    election = election_propose(election=election, candidate=mia, by=fran)

    for member in (mia, steve):
        position_record(proposal=election.proposal, member=member, kind="consent")
    election.refresh_from_db()
    assert election.state == "consent"
    position_record(proposal=election.proposal, member=fran, kind="consent")

    election.refresh_from_db()
    assert election.state == "closed" and election.results["elected"] == [mia.pk]
    decided = api(world.mia).get(f"/api/v1/elections/{election.pk}/").json()["decided"]
    assert decided == "Selected by consent: no standing objection, in the first consent round."
