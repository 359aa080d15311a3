"""Sending an invitation again: a new link, the old one revoked, at most once in
INVITATION_RESEND_MINUTES; from the page and over the API (which gives an admin the new link)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from governance.errors import Conflict
from governance.models import Event, Invitation, Notification
from governance.services import invitation_accept, invitation_create, invitation_resend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def sent(world):
    invitation, token = invitation_create(
        organisation=world.organisation,
        by=world.member(world.steve),
        email="pia@river.test",
        name="Pia",
        membership_class=world.organisation.membership_classes.get(),
        circle=world.finance,
        more_circles=[world.outreach],
        message="Welcome!",
    )
    return invitation, token


def later(minutes=11):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_it_sends_a_new_link_and_revokes_the_old_one(world, sent):
    old, old_token = sent
    with later():
        fresh, token = invitation_resend(invitation=old, by=world.member(world.alice))

        old.refresh_from_db()
        assert old.state == "revoked" and fresh.resent_from == old and token != old_token
        assert (fresh.email, fresh.name, fresh.circle, fresh.message) == (
            "pia@river.test",
            "Pia",
            world.finance,
            "Welcome!",
        )
        assert list(fresh.more_circles.all()) == [world.outreach]
        assert Notification.objects.filter(kind="invitation", key=f"invitation:{fresh.pk}").exists()
        assert Event.objects.filter(verb="invitation.resent", object_id=fresh.pk).exists()
        pia = UserFactory(email="pia@river.test")
        with pytest.raises(Conflict, match="sent again with a new link"):
            invitation_accept(token=old_token, user=pia)
        assert invitation_accept(token=token, user=pia).organisation == world.organisation


def test_it_is_rate_limited(world, sent, settings):
    settings.INVITATION_RESEND_MINUTES = 10
    old, _token = sent
    with pytest.raises(Conflict, match="less than 10 minutes ago"):
        invitation_resend(invitation=old, by=world.member(world.alice))
    with later():
        fresh, _ = invitation_resend(invitation=old, by=world.member(world.alice))
        with pytest.raises(Conflict, match="less than 10 minutes ago"):
            invitation_resend(invitation=fresh, by=world.member(world.alice))
        with pytest.raises(Conflict, match="already been sent again"):
            invitation_resend(invitation=old, by=world.member(world.alice))
    assert Invitation.objects.count() == 2


def test_an_accepted_invitation_is_not_sent_again(world, sent):
    old, token = sent
    invitation_accept(token=token, user=UserFactory(email="pia@river.test"))
    with later(), pytest.raises(Conflict, match="accepted"):
        invitation_resend(invitation=old, by=world.member(world.alice))


def test_an_expired_invitation_can_be_sent_again(world, sent):
    old, _token = sent
    with later(minutes=60 * 24 * 30):
        fresh, _ = invitation_resend(invitation=old, by=world.member(world.alice))
        assert fresh.state == "pending"


def test_the_api_gives_an_admin_the_new_link_and_a_steward_none(world, sent):
    old, _token = sent
    with later():
        as_steward = api(world.steve).post(f"/api/v1/invitations/{old.pk}/resend/")
    with later(minutes=30):
        newest = Invitation.objects.get(resent_from=old)
        as_admin = api(world.alice).post(f"/api/v1/invitations/{newest.pk}/resend/")
        too_soon = api(world.alice).post(f"/api/v1/invitations/{as_admin.json()['id']}/resend/")

    assert as_steward.status_code == 201 and as_steward.json()["link"] == ""
    assert as_admin.status_code == 201 and as_admin.json()["link"].startswith("http://127.0.0.1:")
    assert too_soon.status_code == 409 and "wait a little" in str(too_soon.json())


def test_the_page_resends(client, world, sent):
    old, _token = sent
    client.force_login(world.alice)
    assert "Resend" in client.get("/o/acme/invitations/").content.decode()
    with later():
        response = client.post(f"/o/acme/invitations/{old.pk}/resend/", follow=True)
    assert "Invitation sent again to pia@river.test, with a new link." in response.content.decode()
    assert Invitation.objects.filter(resent_from=old).exists()
