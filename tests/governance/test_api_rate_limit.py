"""The API's rate limit per person or integration: over it, 429 with Retry-After; other callers are
not affected; the schema documents it on every operation."""

import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from governance.services import api_token_create, integration_token_create


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def low_rate(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def bearer(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_it_answers_429_with_retry_after_over_the_limit(world, low_rate):
    _token, key = api_token_create(user=world.mia, name="Busy script")
    client = bearer(key)

    answers = [client.get("/api/v1/circles/") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[3]["Retry-After"]) <= 60
    assert "throttled" in answers[3].json()["detail"].lower()


def test_the_limit_is_per_person_whatever_token_or_session(world, low_rate):
    _a, first = api_token_create(user=world.mia, name="One")
    _b, second = api_token_create(user=world.mia, name="Two")
    session = APIClient()
    session.force_login(world.mia)

    statuses = [bearer(first).get("/api/v1/circles/").status_code for _ in range(2)]
    statuses.append(session.get("/api/v1/circles/").status_code)
    statuses.append(bearer(second).get("/api/v1/circles/").status_code)

    assert statuses == [200, 200, 200, 429]


def test_other_people_and_integrations_keep_their_own_allowance(world, low_rate):
    _a, mias = api_token_create(user=world.mia, name="Mia's")
    _b, steves = api_token_create(user=world.steve, name="Steve's")
    _c, bots = integration_token_create(organisation=world.organisation, by=world.member(world.alice), name="Bot")
    for _ in range(4):
        bearer(mias).get("/api/v1/circles/")

    assert bearer(steves).get("/api/v1/circles/").status_code == 200
    assert bearer(bots).get("/api/v1/circles/").status_code == 200
    assert bearer(mias).get("/api/v1/circles/").status_code == 429


def test_the_default_rate_is_generous(settings):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"]
    count, period = rate.split("/")

    assert int(count) >= 600 and period.startswith("m")


def test_every_operation_documents_429_with_retry_after():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"].get("429")
            assert answer, (method, path)
            assert "Retry-After" in answer["headers"], (method, path)
