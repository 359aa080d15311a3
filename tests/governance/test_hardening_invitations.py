"""An invitation link is for the invited address unless the inviter chose "anyone with the link":
another account is refused, clearly, and the invitation stays usable by the person it was for."""

from html import unescape

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from rest_framework.test import APIClient

from governance.errors import NotAllowed
from governance.models import Event, Invitation, Member, Notification, User
from governance.services import invitation_accept, invitation_create
from tests.factories import UserFactory

INVITED = "newcomer@example.org"


def invite(world, **kwargs):
    return invitation_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        email=kwargs.pop("email", INVITED),
        membership_class=world.organisation.membership_classes.first(),
        **kwargs,
    )


def accept_url(token):
    return reverse("invitation_accept", kwargs={"token": token})


def text(response) -> str:
    return unescape(response.content.decode())


def is_member(world, user) -> bool:
    return Member.objects.filter(organisation=world.organisation, user=user, status=Member.Status.ACTIVE).exists()


def test_another_account_is_refused_and_the_invitation_stays_for_the_invited_person(client, world):
    invitation, token = invite(world)
    client.force_login(world.oscar)

    refused = client.post(accept_url(token))

    assert refused.status_code == 403
    assert f"This invitation is for {INVITED} only, and you are logged in as oscar@outside.test" in text(refused)
    invitation.refresh_from_db()
    assert invitation.state == "pending" and invitation.accepted_by is None
    assert not is_member(world, world.oscar)
    assert not Event.objects.filter(verb="invitation.accepted").exists()
    newcomer = UserFactory(email=INVITED)
    client.force_login(newcomer)
    assert client.post(accept_url(token)).status_code == 302
    assert is_member(world, newcomer)


def test_the_page_tells_another_account_whose_link_it_is_and_offers_to_switch(client, world):
    _, token = invite(world)
    client.force_login(world.oscar)

    page = text(client.get(accept_url(token)))

    assert f"This invitation is for {INVITED} only" in page
    assert "Accept and join" not in page
    assert f"Log out and log in as {INVITED}" in page


def test_the_service_refuses_another_account_before_claiming_the_link(world):
    invitation, token = invite(world)

    with pytest.raises(NotAllowed, match=r"for newcomer@example\.org only"):
        invitation_accept(token=token, user=world.oscar)

    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_it_accepts_the_invited_address_in_any_case(world):
    _, token = invite(world)
    newcomer = User.objects.create_user(email="NewComer@Example.ORG", password=None)

    member = invitation_accept(token=token, user=newcomer)

    assert member.user == newcomer and member.is_active


def test_it_accepts_a_verified_second_address_of_the_account_but_not_an_unverified_one(world):
    _, token = invite(world)
    _, other_token = invite(world, email="oscar.work@example.org")
    EmailAddress.objects.create(user=world.oscar, email="Newcomer@example.org", verified=False)
    EmailAddress.objects.create(user=world.oscar, email="oscar.work@example.org", verified=True)

    with pytest.raises(NotAllowed):
        invitation_accept(token=token, user=world.oscar)
    member = invitation_accept(token=other_token, user=world.oscar)

    assert member.user == world.oscar


def test_anyone_with_the_link_may_accept_when_the_inviter_chose_so(client, world):
    client.force_login(world.alice)
    data = {
        "email": "team@example.org",
        "membership_class": world.organisation.membership_classes.first().pk,
        "bound_to_email": "no",
    }

    client.post(reverse("invitations", kwargs={"org": "acme"}), data)

    invitation = Invitation.objects.get(email="team@example.org")
    assert invitation.bound_to_email is False
    assert Event.objects.get(verb="invitation.created").details == {
        "email": "team@example.org",
        "anyone_with_the_link": True,
    }
    link = next(w for w in Notification.objects.get(kind="invitation").body.split() if "/invitations/" in w)
    client.force_login(world.oscar)
    page = text(client.get(link))
    assert "Accept and join" in page
    assert "accepting joins this account, not team@example.org" in page
    assert client.post(link).status_code == 302
    assert is_member(world, world.oscar)


def test_the_form_offers_the_choice_bound_by_default_and_the_list_shows_it(client, world):
    client.force_login(world.alice)
    url = reverse("invitations", kwargs={"org": "acme"})
    form = text(client.get(url))
    assert "Who can use the link" in form
    assert 'value="yes" id="id_bound_to_email_0" checked' in client.get(url).content.decode()
    data = {"email": "bound@example.org", "membership_class": world.organisation.membership_classes.first().pk}

    client.post(url, data)
    invite(world, email="open@example.org", bound_to_email=False)

    assert Invitation.objects.get(email="bound@example.org").bound_to_email is True
    listing = text(client.get(url))
    assert (
        "only this address can use the link" in listing.split("<strong>bound@example.org</strong>")[1].split("</td>")[0]
    )
    assert "anyone with the link" in listing.split("<strong>open@example.org</strong>")[1].split("</td>")[0]
    body = Notification.objects.get(email="bound@example.org").body
    assert "accept it with an account for bound@example.org" in body


def test_the_api_binds_by_default_and_takes_the_choice(world):
    client = APIClient()
    client.force_authenticate(world.alice)
    base = {"organisation": world.organisation.pk, "membership_class": world.organisation.membership_classes.first().pk}

    bound = client.post("/api/v1/invitations/", {**base, "email": "a@example.org"}, format="json")
    open_ = client.post(
        "/api/v1/invitations/", {**base, "email": "b@example.org", "bound_to_email": False}, format="json"
    )

    assert (bound.status_code, open_.status_code) == (201, 201)
    assert (bound.json()["bound_to_email"], open_.json()["bound_to_email"]) == (True, False)
    assert Invitation.objects.get(email="b@example.org").bound_to_email is False


def test_the_admin_shows_and_sets_the_choice(client, world):
    root = User.objects.create_superuser(email="root@site.test", password="pw-for-tests-1")
    client.force_login(root)
    invite(world, email="open@example.org", bound_to_email=False)

    listing = client.get(reverse("admin:governance_invitation_changelist")).content.decode()
    add_form = client.get(reverse("admin:governance_invitation_add")).content.decode()

    assert "only for this email address" in listing.lower()
    assert 'name="bound_to_email"' in add_form
