"""Guessing passwords is rate-limited by allauth through the cache (Redis when REDIS_URL is set):
one account gets five tries, one address gets a 429 once it keeps posting."""

import secrets
import uuid

import pytest
from allauth.core import ratelimit
from django.test import RequestFactory

from tests.factories import UserFactory

LOGIN_URL = "/accounts/login/"


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fresh_address() -> str:
    """An address of its own (a documentation /64, which allauth limits as one), so that a test
    neither inherits nor leaves behind a limit on 127.0.0.1 in a cache other tests share."""
    return f"2001:db8:{secrets.randbelow(0xFFFF):x}:{secrets.randbelow(0xFFFF):x}::1"


def forget(address, email):
    """Drop the counts this test made, by address and by account."""
    request = RequestFactory().post(LOGIN_URL, REMOTE_ADDR=address)
    ratelimit.clear(request, action="login")
    ratelimit.clear(request, action="login_failed", key=f"testserver:{email}")


@pytest.fixture
def address():
    return fresh_address()


@pytest.fixture
def person(db, fast_hasher, address):
    user = UserFactory(email=f"guessed-{uuid.uuid4().hex[:10]}@coop.test")
    user.set_password("the-right-passphrase")
    user.save()
    yield user
    forget(address, user.email)


def attempt(client, address, email, password):
    return client.post(LOGIN_URL, {"login": email, "password": password}, REMOTE_ADDR=address)


def test_it_logs_in_with_the_right_password(client, person, address):
    response = attempt(client, address, person.email, "the-right-passphrase")

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(person.pk)


def test_it_stops_checking_passwords_for_an_account_after_five_failures(client, person, address):
    for _ in range(5):
        response = attempt(client, address, person.email, "a-wrong-guess")
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()

    response = attempt(client, address, person.email, "the-right-passphrase")

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_answers_429_to_an_address_that_keeps_trying(client, person, address):
    statuses = [attempt(client, address, person.email, f"guess-{n}").status_code for n in range(31)]

    assert set(statuses[:30]) == {200}
    assert statuses[30] == 429
    assert attempt(client, address, person.email, "the-right-passphrase").status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_limits_each_address_on_its_own(client, person, address):
    for n in range(31):
        attempt(client, address, person.email, f"guess-{n}")
    elsewhere = fresh_address()

    try:
        response = attempt(client, elsewhere, person.email, "a-guess")
    finally:
        forget(elsewhere, person.email)

    assert response.status_code == 200


def test_it_counts_each_client_behind_a_trusted_proxy_on_its_own(client, person, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy, first, second = fresh_address(), fresh_address(), fresh_address()

    def through_proxy(client_address, password):
        return client.post(
            LOGIN_URL,
            {"login": person.email, "password": password},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=client_address,
        ).status_code

    try:
        statuses = [through_proxy(first, f"guess-{n}") for n in range(31)]
        other_client = through_proxy(second, "a-guess")
    finally:
        for address in (first, second):
            forget(address, person.email)

    assert statuses[30] == 429
    assert other_client == 200
