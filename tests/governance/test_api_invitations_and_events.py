"""Invitations over the API (who sees which, revoking once) and the event log (incremental sync
with `since`, oldest first, and its filters)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from circles.services import roster_add
from governance.models import Event, Invitation, Notification
from governance.services import invitation_create


def logged_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def invitations(world):
    members_class = world.organisation.membership_classes.get()
    sent = {}
    for who, circle, email in [
        (world.alice, None, "to-the-organisation@example.org"),
        (world.alice, world.finance, "to-finance@example.org"),
        (world.otto, world.outreach, "to-outreach@example.org"),
    ]:
        sent[email], _ = invitation_create(
            organisation=world.organisation,
            by=world.member(who),
            email=email,
            membership_class=members_class,
            circle=circle,
        )
    return sent


def emails(response) -> set[str]:
    assert response.status_code == 200
    return {row["email"] for row in response.json()["results"]}


def test_it_shows_admins_every_invitation_and_stewards_those_of_their_circles(world, invitations):
    assert emails(logged_in(world.alice).get("/api/v1/invitations/")) == set(invitations)
    assert emails(logged_in(world.steve).get("/api/v1/invitations/")) == {"to-finance@example.org"}
    assert emails(logged_in(world.otto).get("/api/v1/invitations/")) == {"to-outreach@example.org"}
    assert emails(logged_in(world.mia).get("/api/v1/invitations/")) == set()


def test_it_does_not_return_the_invitation_link(world):
    body = {
        "organisation": world.organisation.pk,
        "email": "newcomer@example.org",
        "membership_class": world.organisation.membership_classes.get().pk,
    }

    response = logged_in(world.alice).post("/api/v1/invitations/", body, format="json")

    assert response.status_code == 201
    notification = Notification.objects.get(email="newcomer@example.org", kind="invitation")
    link = next(word for word in notification.body.split() if "/invitations/" in word)
    assert link.rsplit("/", 2)[-2] not in response.content.decode()


def test_it_answers_409_when_inviting_someone_already_a_member(world):
    body = {
        "organisation": world.organisation.pk,
        "email": "mia@acme.test",
        "membership_class": world.organisation.membership_classes.get().pk,
    }

    response = logged_in(world.alice).post("/api/v1/invitations/", body, format="json")

    assert response.status_code == 409
    assert response.json()["email"]
    assert not Invitation.objects.filter(email="mia@acme.test").exists()


def test_it_lets_a_steward_revoke_an_invitation_to_their_circle_once(world, invitations):
    invitation = invitations["to-finance@example.org"]
    steve = logged_in(world.steve)

    first = steve.post(f"/api/v1/invitations/{invitation.pk}/revoke/")
    second = steve.post(f"/api/v1/invitations/{invitation.pk}/revoke/")

    assert first.status_code == 200
    assert first.json()["state"] == "revoked"
    assert second.status_code == 409
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_it_hides_from_a_steward_the_invitations_of_other_circles(world, invitations):
    invitation = invitations["to-outreach@example.org"]

    response = logged_in(world.steve).post(f"/api/v1/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_it_syncs_the_event_log_with_since(world):
    nora = world.member(world.nora)
    client = logged_in(world.mia)
    first_page = client.get("/api/v1/events/", {"page_size": 200}).json()["results"]
    last_seen = first_page[-1]["created_at"]

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        roster_add(circle=world.outreach, member=nora, by=world.member(world.otto))
    news = client.get("/api/v1/events/", {"since": last_seen}).json()["results"]

    created = [row["created_at"] for row in first_page]
    assert created == sorted(created)
    assert [row["verb"] for row in news] == ["roster.added"]
    assert news[0]["circle"] == world.outreach.pk
    assert news[0]["actor"]["name"] == "Otto Other-Steward"


def test_it_filters_the_event_log_by_verb_and_circle(world):
    client = logged_in(world.mia)

    by_verb = client.get("/api/v1/events/", {"verb": "roster.added"}).json()["results"]
    by_circle = client.get("/api/v1/events/", {"circle": world.finance.pk}).json()["results"]

    assert {row["verb"] for row in by_verb} == {"roster.added"}
    assert len(by_verb) == Event.objects.filter(organisation=world.organisation, verb="roster.added").count()
    assert {row["circle"] for row in by_circle} == {world.finance.pk}


def test_it_answers_400_to_a_since_that_is_not_a_moment(world):
    response = logged_in(world.mia).get("/api/v1/events/", {"since": "last tuesday"})

    assert response.status_code == 400
    assert response.json()["since"]


def test_it_reads_a_since_with_any_iso_offset_as_the_same_moment(world):
    client = logged_in(world.mia)
    moment = Event.objects.filter(organisation=world.organisation).order_by("created_at")[2].created_at
    far_east = moment.astimezone(timezone.get_fixed_timezone(18 * 60 + 45)).isoformat()  # beyond what PostgreSQL takes

    in_utc = client.get("/api/v1/events/", {"since": moment.isoformat()}).json()["results"]
    response = client.get("/api/v1/events/", {"since": far_east})

    assert response.status_code == 200
    assert response.json()["results"] == in_utc


def test_it_answers_400_to_a_since_that_utc_cannot_hold(world):
    response = logged_in(world.mia).get("/api/v1/events/", {"since": "0001-01-01T00:00:00+01:00"})

    assert response.status_code == 400
    assert response.json()["since"] == ["This moment is out of range."]
