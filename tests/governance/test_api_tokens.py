"""API tokens: exchanged for an email and password, stored only as a hash, sent as a bearer header,
refused once revoked or expired, and read-only when asked."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.forms.models import model_to_dict
from django.utils import timezone
from rest_framework.test import APIClient

from governance.models import ApiToken, Organisation
from governance.services import api_token_create, api_token_revoke


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # The token endpoint is throttled through the cache, which outlives a test.
    cache.clear()


def ask_for_token(**body):
    return APIClient().post("/api/v1/auth/token/", body, format="json")


def bearer(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_it_exchanges_an_email_and_password_for_a_token(world):
    response = ask_for_token(username="alice@acme.test", password="pw-for-tests-1", name="Accounting sync")

    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == world.alice
    assert token.name == "Accounting sync"
    assert body["token"].startswith(body["prefix"])
    assert body["read_only"] is False


def test_it_stores_only_the_hash_of_the_token(world):
    key = ask_for_token(username="alice@acme.test", password="pw-for-tests-1").json()["token"]

    token = ApiToken.objects.get(user=world.alice)
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in str(model_to_dict(token))
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert key.startswith(token.prefix) and len(token.prefix) < len(key)


def test_it_accepts_the_email_in_any_case(world):
    response = ask_for_token(username="  Alice@ACME.test ", password="pw-for-tests-1")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice@acme.test", "wrong password"), ("nobody@acme.test", "pw-for-tests-1"), ("alice@acme.test", "")],
)
def test_it_refuses_wrong_credentials_with_a_message(world, username, password):
    response = ask_for_token(username=username, password=password)

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_it_refuses_an_account_that_is_no_longer_active(world):
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])

    response = ask_for_token(username="alice@acme.test", password="pw-for-tests-1")

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_it_throttles_the_token_endpoint(world):
    # A guess for another account each time: one account is locked sooner, after five failures
    # (tests/governance/test_hardening_tokens.py); this is the limit of the endpoint itself.
    answers = [ask_for_token(username=f"guess{n}@acme.test", password="guess").status_code for n in range(11)]

    assert answers[:10] == [400] * 10
    assert answers[10] == 429


def test_it_authenticates_a_bearer_token(world):
    key = ask_for_token(username="alice@acme.test", password="pw-for-tests-1").json()["token"]

    response = bearer(key).get("/api/v1/organisations/")

    assert response.status_code == 200
    assert [o["slug"] for o in response.json()["results"]] == ["acme"]
    assert ApiToken.objects.get(user=world.alice).last_used_at is not None


def test_it_answers_401_to_an_unknown_token(world):
    response = bearer("gov_not-a-real-token").get("/api/v1/organisations/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_answers_401_to_a_revoked_token(world):
    token, key = api_token_create(user=world.alice, name="Old script")
    api_token_revoke(token=token)

    response = bearer(key).get("/api/v1/organisations/")

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_it_answers_401_to_an_expired_token(world, time_machine):
    _token, key = api_token_create(
        user=world.alice, name="Short-lived", expires_at=timezone.now() + timedelta(minutes=1)
    )
    time_machine.move_to(timezone.now() + timedelta(minutes=2))

    response = bearer(key).get("/api/v1/organisations/")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_it_answers_403_to_a_write_with_a_read_only_token(world):
    key = ask_for_token(username="alice@acme.test", password="pw-for-tests-1", read_only=True).json()["token"]
    client = bearer(key)

    read = client.get(f"/api/v1/organisations/{world.organisation.pk}/")
    write = client.patch(f"/api/v1/organisations/{world.organisation.pk}/", {"name": "Renamed"}, format="json")

    assert read.status_code == 200
    assert write.status_code == 403
    assert "read-only" in write.json()["detail"]
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme Co-op"


def test_it_lets_a_token_write_what_its_owner_may(world):
    _token, key = api_token_create(user=world.alice, name="Settings script")

    response = bearer(key).patch(f"/api/v1/organisations/{world.organisation.pk}/", {"name": "Acme"}, format="json")

    assert response.status_code == 200
    assert Organisation.objects.get(pk=world.organisation.pk).name == "Acme"


def test_it_lists_my_tokens_without_their_secret(world):
    _mine, key = api_token_create(user=world.alice, name="Mine")
    api_token_create(user=world.mia, name="Not mine")

    response = bearer(key).get("/api/v1/auth/tokens/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == ["Mine"]
    assert key not in response.content.decode()
    assert "token" not in rows[0] and "key_hash" not in rows[0]


def test_it_revokes_my_token_and_then_refuses_it(world):
    token, key = api_token_create(user=world.alice, name="Laptop")
    client = bearer(key)

    response = client.post(f"/api/v1/auth/tokens/{token.pk}/revoke/")

    assert response.status_code == 200
    assert response.json()["is_usable"] is False
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/organisations/").status_code == 401


def test_it_answers_404_when_revoking_someone_elses_token(world):
    theirs, _ = api_token_create(user=world.mia, name="Mia's")
    _mine, key = api_token_create(user=world.alice, name="Alice's")

    response = bearer(key).post(f"/api/v1/auth/tokens/{theirs.pk}/revoke/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
