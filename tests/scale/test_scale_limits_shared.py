"""Limits hold across servers because they are counted in the shared cache (Redis), not in a
process: what one process counted, another process refuses. Each "server" here is a process of
its own, with its own Django and its own connection to Redis and to the test database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache

from governance.services import api_token_create
from tests.worker import current_database_url

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="the shared cache is Redis (REDIS_URL; CI sets it)"),
]

# A client in a process of its own: it makes the requests it is given, in order, and prints each
# one's status with the error the page shows, if any.
CLIENT = """
import json, re, sys
import django
django.setup()
from django.test import Client
statuses = []
for request in json.loads(sys.argv[1]):
    client = Client()
    if request["kind"] == "api":
        response = client.get("/api/v1/me/inbox/", HTTP_AUTHORIZATION=request["token"])
    else:
        response = client.post("/accounts/login/", {"login": request["email"], "password": request["password"]})
    notice = re.search(r'notice-error[^>]*>\\s*<p>([^<]*)', response.content.decode())
    statuses.append([response.status_code, notice[1].strip() if notice else ""])
print(json.dumps(statuses))
"""


def another_server(*requests) -> list[int]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DATABASE_URL": current_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "API_USER_RATE": "4/min",
            "LOGIN_RATE_LIMIT": "100/m/ip,3/5m/key",
            "ACCOUNT_EMAIL_VERIFICATION": "none",
            "DEBUG": "true",
        }
    )
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, json.dumps(list(requests))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [tuple(found) for found in json.loads(done.stdout.strip().splitlines()[-1])]


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()  # this process's Redis database: no count left from an earlier run
    yield
    cache.clear()


def test_a_member_limited_by_one_server_is_limited_by_the_other(world):
    token = "Bearer " + api_token_create(user=world.mia, name="two servers")[1]
    request = {"kind": "api", "token": token}

    assert [status for status, _ in another_server(request, request, request)] == [200, 200, 200]
    assert [status for status, _ in another_server(request, request)] == [200, 429]


def test_failed_logins_on_one_server_count_on_the_other(world):
    # Hashed as the other process's settings verify it (the tests' own settings use a faster hasher).
    hasher = PBKDF2PasswordHasher()
    for user in (world.mia, world.otto):
        user.password = hasher.encode("the-right-password", hasher.salt(), iterations=1000)
        user.save(update_fields=["password"])
    wrong = {"kind": "login", "email": world.mia.email, "password": "not-it"}
    right = {"kind": "login", "email": world.mia.email, "password": "the-right-password"}
    control = {"kind": "login", "email": world.otto.email, "password": "the-right-password"}

    refused = "The email address and/or password you specified are not correct."
    assert another_server(wrong, wrong) == [(200, refused), (200, refused)]
    assert another_server(wrong) == [(200, refused)]
    assert another_server(right, control) == [(200, "Too many failed login attempts. Try again later."), (302, "")]
