"""Personal API tokens on the profile page and over the API: named, shown once, hashed at rest, with
last use and an optional expiry, read-only or read-write, and revocable."""

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from governance.errors import Invalid
from governance.models import ApiToken, Organisation
from governance.services import api_token_create, api_token_revoke


def bearer(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def created_key(response) -> str:
    html = response.content.decode()
    start = html.index('id="new-token" value="') + len('id="new-token" value="')
    return html[start : html.index('"', start)]


# The page --------------------------------------------------------------------------------------


def test_the_page_asks_to_log_in(client, world):
    response = client.get("/account/tokens/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_member_creates_a_token_and_sees_it_once(as_user, world):
    client = as_user(world.mia)

    response = client.post("/account/tokens/", {"name": "Laptop script", "access": "read_write", "expires_on": ""})

    assert response.status_code == 200
    key = created_key(response)
    token = ApiToken.objects.get(user=world.mia)
    assert token.name == "Laptop script"
    assert token.read_only is False
    assert token.expires_at is None
    assert token.key_hash == ApiToken.hash_key(key)
    assert "no-store" in response["Cache-Control"]
    again = client.get("/account/tokens/")
    assert key not in again.content.decode()
    assert "Laptop script" in again.content.decode()
    assert token.prefix in again.content.decode()


def test_a_read_only_token_with_an_expiry_day(as_user, world):
    response = as_user(world.mia).post(
        "/account/tokens/", {"name": "Dashboard", "access": "read_only", "expires_on": "2099-03-01"}
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.mia)
    assert token.read_only is True
    assert token.expires_at == dt.datetime(2099, 3, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "access": "read_only"}, "This field is required."),
        ({"name": "x" * 101, "access": "read_only"}, "at most 100 characters"),
        ({"name": "Old", "access": "read_only", "expires_on": "2001-01-01"}, "expires in the future"),
        ({"name": "Odd", "access": "admin"}, "Select a valid choice"),
    ],
)
def test_it_refuses_bad_input_and_keeps_what_was_typed(as_user, world, data, message):
    response = as_user(world.mia).post("/account/tokens/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()
    if data["name"]:
        assert f'value="{data["name"]}"' in response.content.decode()


def test_a_member_revokes_a_token_and_it_stops_working(as_user, world):
    token, key = api_token_create(user=world.mia, name="Old laptop")

    response = as_user(world.mia).post(f"/account/tokens/{token.pk}/revoke/", follow=True)

    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(key).get("/api/v1/organisations/").status_code == 401


def test_a_member_cannot_revoke_someone_elses_token(as_user, world):
    theirs, _ = api_token_create(user=world.steve, name="Steve's")

    response = as_user(world.mia).post(f"/account/tokens/{theirs.pk}/revoke/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_page_shows_last_use_and_state(as_user, world, time_machine):
    used, key = api_token_create(user=world.mia, name="Used one")
    bearer(key).get("/api/v1/organisations/")
    revoked, _ = api_token_create(user=world.mia, name="Revoked one")
    api_token_revoke(token=revoked)
    api_token_create(user=world.mia, name="Expiring one", expires_at=timezone.now() + timedelta(hours=1))
    time_machine.move_to(timezone.now() + timedelta(hours=2))

    html = as_user(world.mia).get("/account/tokens/").content.decode()

    used.refresh_from_db()
    assert used.last_used_at is not None
    assert f"{used.last_used_at:%-d %b %Y, %H:%M} UTC" in html
    assert html.count(">never<") == 2  # the revoked and the expired one were never used
    assert ">revoked<" in html and ">expired<" in html and ">active<" in html


def test_the_page_lists_no_integration_token(as_user, world):
    from governance.services import integration_token_create

    integration_token_create(organisation=world.organisation, by=world.member(world.alice), name="Chat bot")

    html = as_user(world.alice).get("/account/tokens/").content.decode()

    assert "Chat bot" not in html
    assert "No tokens yet" in html


# The API ---------------------------------------------------------------------------------------


def test_a_token_creates_another_over_the_api(world):
    _token, key = api_token_create(user=world.mia, name="First")

    response = bearer(key).post(
        "/api/v1/auth/tokens/", {"name": "Second", "read_only": True, "expires_at": "2099-01-01T00:00:00Z"}
    )

    assert response.status_code == 201
    body = response.json()
    second = ApiToken.objects.get(pk=body["id"])
    assert (second.user, second.read_only, second.organisation) == (world.mia, True, None)
    assert second.key_hash == ApiToken.hash_key(body["token"])
    assert body["state"] == "active"
    assert body["organisation"] is None


def test_a_read_only_token_cannot_create_tokens(world):
    _token, key = api_token_create(user=world.mia, name="Reader", read_only=True)

    response = bearer(key).post("/api/v1/auth/tokens/", {"name": "Sneaky"})

    assert response.status_code == 403
    assert ApiToken.objects.filter(user=world.mia).count() == 1


def test_a_token_name_that_is_too_long_is_refused_not_cut(world):
    with pytest.raises(Invalid, match="100 characters"):
        api_token_create(user=world.mia, name="n" * 101)


def test_an_expiry_in_the_past_is_refused(world):
    with pytest.raises(Invalid, match="future"):
        api_token_create(user=world.mia, name="Late", expires_at=timezone.now() - timedelta(seconds=1))


def test_a_read_only_token_reads_but_may_not_write(world):
    _token, key = api_token_create(user=world.alice, name="Reader", read_only=True)
    client = bearer(key)

    assert client.get(f"/api/v1/organisations/{world.organisation.pk}/").status_code == 200
    response = client.patch(f"/api/v1/organisations/{world.organisation.pk}/", {"name": "Renamed"}, format="json")

    assert response.status_code == 403
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme Co-op"
