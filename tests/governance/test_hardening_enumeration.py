"""No page tells whether an email address has an account: signing up with a registered address looks
exactly like signing up with a new one, and the owner is told by email; password reset likewise."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from governance.models import ApiToken, Invitation, Member, User
from governance.services import invitation_create

PASSWORD = "a-long-enough-password-42"


@pytest.fixture(autouse=True)
def _fresh_limits():
    # Sign-ups and confirmation emails are rate-limited through the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def sign_up(email, client=None, **extra):
    client = client or Client()
    data = {"email": email, "name": "Someone", "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client, client.post(reverse("account_signup"), data, follow=True)


def shown(response, email) -> str:
    """The page as a person reads it, with the address they typed taken out."""
    html = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "", html)


def test_signing_up_with_a_registered_address_looks_like_signing_up_with_a_new_one(world):
    _, fresh = sign_up("brand-new@example.org")
    _, known = sign_up("mia@acme.test")

    assert fresh.status_code == known.status_code == 200
    assert fresh.redirect_chain == known.redirect_chain
    assert shown(fresh, "brand-new@example.org") == shown(known, "mia@acme.test")
    assert "Check your email" in shown(known, "mia@acme.test")
    assert "already registered" not in shown(known, "mia@acme.test")
    assert User.objects.filter(email="mia@acme.test").count() == 1


def test_the_owner_of_a_registered_address_gets_an_email_instead(world):
    sign_up("mia@acme.test")

    (message,) = mail.outbox
    assert message.to == ["mia@acme.test"]
    assert "an account using that email address already exists" in message.body
    assert reverse("account_reset_password") in message.body


def test_a_new_address_is_confirmed_before_its_first_login(world):
    client, _page = sign_up("brand-new@example.org")

    assert "_auth_user_id" not in client.session
    (message,) = mail.outbox
    assert message.to == ["brand-new@example.org"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    confirm = link.split("testserver", 1)[-1]
    assert "Confirm your email address" in client.get(confirm).content.decode()

    client.post(confirm)

    assert client.session["_auth_user_id"] == str(User.objects.get(email="brand-new@example.org").pk)


def test_an_unconfirmed_account_gets_no_api_token(world):
    sign_up("brand-new@example.org")

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "brand-new@example.org", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert "Confirm your email address first" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def invite(world, email, **kwargs):
    _, token = invitation_create(
        organisation=world.organisation,
        by=world.member(world.alice),
        email=email,
        membership_class=world.organisation.membership_classes.first(),
        **kwargs,
    )
    return reverse("invitation_accept", kwargs={"token": token})


def test_signing_up_from_an_invitation_bound_to_the_address_needs_no_confirmation(world):
    accept = invite(world, "nina@example.org")

    client, response = sign_up("nina@example.org", next=accept)

    assert response.redirect_chain == [(accept, 302)]
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("case", ["another address", "anyone with the link"])
def test_signing_up_from_an_invitation_proves_no_other_address(world, case):
    if case == "another address":
        accept, email = invite(world, "nina@example.org"), "nino@example.org"
    else:
        accept, email = invite(world, "nina@example.org", bound_to_email=False), "nina@example.org"

    client, response = sign_up(email, next=accept)

    assert "Check your email" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_registered_address_signing_up_from_its_invitation_is_told_by_email_too(world):
    accept = invite(world, "oscar@outside.test")

    client, response = sign_up("oscar@outside.test", next=accept)

    assert "Check your email" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(email="oscar@outside.test").count() == 1
    assert [m.to for m in mail.outbox if "already exists" in m.body] == [["oscar@outside.test"]]


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(world):
    def reset(email):
        return Client().post(reverse("account_reset_password"), {"email": email}, follow=True)

    known, unknown = reset("mia@acme.test"), reset("nobody@example.org")

    assert known.redirect_chain == unknown.redirect_chain
    assert shown(known, "mia@acme.test") == shown(unknown, "nobody@example.org")


def test_inviting_a_registered_address_over_the_api_answers_as_for_a_new_one(world):
    client = APIClient()
    client.force_authenticate(world.alice)
    base = {"organisation": world.organisation.pk, "membership_class": world.organisation.membership_classes.first().pk}

    known = client.post("/api/v1/invitations/", {**base, "email": "oscar@outside.test"}, format="json")
    unknown = client.post("/api/v1/invitations/", {**base, "email": "nobody@example.org"}, format="json")

    assert known.status_code == unknown.status_code == 201
    assert set(known.json()) == set(unknown.json())
    assert Invitation.objects.count() == 2
    assert not Member.objects.filter(user=world.oscar).exists()
