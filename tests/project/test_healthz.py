"""/healthz/ tells a load balancer whether the database, the cache and the broker answer."""

import pytest

from project.celery import app


@pytest.fixture
def broker_unreachable():
    """Point the Celery app at a port where no broker listens, for this test only."""
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield
    app.conf.broker_url = original


def test_it_answers_ok_when_the_database_and_the_broker_answer(client, db):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_broker_is_unreachable(client, db, broker_unreachable):
    response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "cache": "ok", "broker": "unreachable"}


def test_it_needs_no_login(client, db):
    client.logout()

    assert client.get("/healthz/").status_code == 200
