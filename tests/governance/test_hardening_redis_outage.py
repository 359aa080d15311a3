"""Redis goes away, for real: a redis-server of the test's own is killed while the cache (and the
broker) point at it. Pages, the API, the login form and the token endpoint keep answering, the rate
limits keep limiting (in this process), /healthz/ says 503, and all is as before once Redis is back."""

import logging
import socket
import time

import pytest
from rest_framework.test import APIClient

from governance.models import ApiToken, Notification
from governance.services import api_token_create
from project.celery import app
from tests.redis_server import (
    celery_broker,
    redis_server,  # noqa: F401 -- a fixture
)

LOGIN_URL = "/accounts/login/"
RETRY_AFTER = 0.3


@pytest.fixture
def redis_cache(settings, redis_server):  # noqa: F811
    """The cache, as production configures it, on the test's own Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "governance.cache.FailoverRedisCache",
            "LOCATION": redis_server.url(),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "RETRY_AFTER_SECONDS": RETRY_AFTER,
        }
    }
    return redis_server


@pytest.fixture
def redis_broker(redis_server):  # noqa: F811
    """The Celery broker on the same Redis, as in production; the pool is rebuilt on each side."""
    with celery_broker(redis_server.url(1)):
        yield redis_server


@pytest.fixture
def low_rates(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def bearer(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def invite(client, world, email):
    body = {
        "organisation": world.organisation.pk,
        "email": email,
        "membership_class": world.organisation.membership_classes.get().pk,
    }
    return client.post("/api/v1/invitations/", body, format="json")


def test_the_api_answers_reads_and_writes_with_a_token_while_redis_is_down(
    world, redis_cache, redis_broker, django_capture_on_commit_callbacks
):
    _token, key = api_token_create(user=world.alice, name="Sync")
    redis_cache.stop()

    read = bearer(key).get("/api/v1/circles/")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        written = invite(bearer(key), world, "during-outage@example.org")

    assert read.status_code == 200
    assert {c["name"] for c in read.json()["results"]} >= {"Finance", "Outreach"}
    assert written.status_code == 201
    # The invitation's email is in the outbox, for the beat sweep once the broker is back.
    assert Notification.objects.filter(email="during-outage@example.org", sent_at__isnull=True).exists()
    assert time.monotonic() - started < 5


def test_a_page_answers_while_redis_is_down(world, redis_cache, client):
    client.force_login(world.mia)
    redis_cache.stop()

    response = client.get(f"/o/{world.organisation.slug}/")

    assert response.status_code == 200


def test_people_can_log_in_while_redis_is_down(world, redis_cache, client):
    redis_cache.stop()

    response = client.post(LOGIN_URL, {"login": "mia@acme.test", "password": "pw-for-tests-1"})

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(world.mia.pk)


def test_the_token_endpoint_answers_while_redis_is_down(world, redis_cache):
    redis_cache.stop()

    body = {"username": "mia@acme.test", "password": "pw-for-tests-1", "name": "Cron"}

    response = APIClient().post("/api/v1/auth/token/", body, format="json")

    assert response.status_code == 201
    assert ApiToken.objects.filter(user=world.mia, name="Cron").exists()


def test_the_api_limit_still_holds_in_this_process_while_redis_is_down(world, redis_cache, low_rates):
    _token, key = api_token_create(user=world.mia, name="Busy")
    redis_cache.stop()

    statuses = [bearer(key).get("/api/v1/circles/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_the_token_endpoint_limit_still_holds_while_redis_is_down(world, redis_cache):
    redis_cache.stop()
    # A different account each time: the per-account lockout (5 failures) is not what is tested here.
    statuses = [
        APIClient()
        .post(
            "/api/v1/auth/token/",
            {"username": f"guess-{n}@acme.test", "password": "a-wrong-guess", "name": "Guess"},
            format="json",
        )
        .status_code
        for n in range(11)
    ]

    assert statuses == [400] * 10 + [429]


def test_an_address_that_keeps_posting_logins_still_gets_429_while_redis_is_down(world, redis_cache, client):
    redis_cache.stop()
    address = "2001:db8:5::1"

    statuses = [
        client.post(LOGIN_URL, {"login": "mia@acme.test", "password": f"guess-{n}"}, REMOTE_ADDR=address).status_code
        for n in range(31)
    ]

    assert set(statuses[:30]) == {200}
    assert statuses[30] == 429
    assert "_auth_user_id" not in client.session


def test_healthz_answers_503_naming_redis_while_it_is_down(db, client, redis_cache, redis_broker):
    assert client.get("/healthz/").json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    redis_cache.stop()

    response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "unreachable",
        "broker": "unreachable",
    }


def test_it_warns_once_per_outage_not_once_per_request(world, redis_cache, caplog):
    _token, key = api_token_create(user=world.mia, name="Quiet")
    redis_cache.stop()

    with caplog.at_level(logging.WARNING, logger="governance.cache"):
        for _ in range(5):
            assert bearer(key).get("/api/v1/circles/").status_code == 200
            time.sleep(RETRY_AFTER / 2)

    warnings = [r for r in caplog.records if r.name == "governance.cache" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


def test_everything_is_as_before_once_redis_is_back(world, redis_cache, redis_broker, client, low_rates):
    _token, key = api_token_create(user=world.mia, name="Patient")
    redis_cache.stop()
    assert bearer(key).get("/api/v1/circles/").status_code == 200
    assert client.get("/healthz/").status_code == 503

    redis_cache.start()
    time.sleep(RETRY_AFTER + 0.1)

    assert client.get("/healthz/").status_code == 200
    statuses = [bearer(key).get("/api/v1/circles/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # The counts are in Redis again, shared by every process.
    assert any(b"throttle_user" in k for k in redis_cache.client().keys("*"))


def test_a_redis_that_accepts_connections_but_never_answers_costs_one_timeout(world, settings):
    """A Redis behind a dead network path or a hung process: the short socket timeout of the settings,
    then the local cache for a while, rather than every request hanging."""
    _token, key = api_token_create(user=world.mia, name="Hung")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        timeout = settings.REDIS_TIMEOUT_SECONDS
        settings.CACHES = {
            "default": {
                "BACKEND": "governance.cache.FailoverRedisCache",
                "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
            }
        }
        started = time.monotonic()
        statuses = [bearer(key).get("/api/v1/circles/").status_code for _ in range(5)]
        elapsed = time.monotonic() - started

    assert statuses == [200] * 5
    assert elapsed < 4 * timeout + 1


def test_the_worker_keeps_trying_the_broker_however_long_it_is_away():
    # By default Celery gives up after 100 tries (about 45 minutes) and the worker exits for good.
    assert app.conf.broker_connection_retry is True
    assert app.conf.broker_connection_retry_on_startup is True
    assert app.conf.broker_connection_max_retries is None
