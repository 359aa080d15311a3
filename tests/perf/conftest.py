"""The response cache on, in an empty cache, whatever the environment (Redis, or this process's memory
when the suite runs without Redis: one process, so its memory is shared by everything a test does)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from governance.rules import forget_access_cache


@pytest.fixture(autouse=True)
def response_cache_on(settings):
    settings.RESPONSE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """An API client for a user, who starts each request afresh (as a real request does: the
    memberships are read again, not kept on the user object from the last request)."""

    def as_(user):
        client = APIClient()
        client.force_authenticate(user)
        original = client.request

        def request(**kwargs):
            forget_access_cache(user)
            return original(**kwargs)

        client.request = request
        return client

    return as_
