"""Each process keeps the response cache's latest entries in its own memory too: an entry's key names
the versions it was made under, so a copy is as good as Redis's, and a write elsewhere is still seen
at once (the versions are always asked of the shared cache). A copy is bounded, expires, and cannot
be changed by whoever was given it."""

import pytest
from django.core.cache import cache

from governance import response_cache
from governance.response_cache import _Local
from proposals.services import comment_add
from tests.factories import make_proposal


@pytest.fixture(autouse=True)
def empty_local():
    response_cache._local.clear()
    yield
    response_cache._local.clear()


def test_a_version_bumped_by_another_process_is_seen_though_the_old_entry_is_kept_here(world):
    organisation = world.organisation
    computed = []

    def compute():
        computed.append(1)
        return {"n": len(computed)}

    assert response_cache.remember("figures", organisation.pk, (), compute) == {"n": 1}
    assert response_cache.remember("figures", organisation.pk, (), compute) == {"n": 1}
    # Another process's write: the version in Redis changes; this process's memory is not told.
    cache.set(response_cache._version_key(organisation.pk), "from-another-process", response_cache.VERSION_SECONDS)
    assert response_cache.remember("figures", organisation.pk, (), compute) == {"n": 2}


def test_an_entry_read_from_redis_is_kept_here_and_not_asked_again(world):
    versions = response_cache.versions([world.organisation.pk])
    key = response_cache.key("part", versions, "x")
    cache.set(key, "<p>shared</p>", response_cache.ENTRY_SECONDS)
    assert response_cache.get(key) == "<p>shared</p>"
    cache.delete(key)  # Redis forgets it (it expired); this process's copy stays a little longer
    assert response_cache.get(key) == "<p>shared</p>"


def test_what_a_caller_is_given_is_a_copy(world):
    versions = response_cache.versions([world.organisation.pk])
    key = response_cache.key("rows", versions)
    response_cache.put(key, {"rows": [1, 2]})
    given = response_cache.get(key)
    given["rows"].append(3)
    assert response_cache.get(key) == {"rows": [1, 2]}


def test_the_copies_are_bounded_oldest_first_and_expire(monkeypatch):
    local = _Local(size=3)
    for n in range(5):
        local.put(f"k{n}", f"v{n}")
    assert [local.get(f"k{n}") for n in range(5)] == [None, None, "v2", "v3", "v4"]
    now = response_cache.time.monotonic()
    monkeypatch.setattr(response_cache.time, "monotonic", lambda: now + response_cache.LOCAL_SECONDS + 1)
    assert [local.get(f"k{n}") for n in range(2, 5)] == [None, None, None] and not local.entries


def test_nothing_is_read_from_memory_while_the_cache_steps_aside(world, settings):
    proposal = make_proposal(world.finance, world.member(world.steve))
    versions = response_cache.versions([world.organisation.pk])
    key = response_cache.key("part", versions, proposal.pk)
    response_cache.put(key, "<p>old</p>")
    settings.RESPONSE_CACHE = False
    assert response_cache.get(key) is None
    settings.RESPONSE_CACHE = True
    comment_add(proposal=proposal, author=world.member(world.mia), body="New")
    assert response_cache.versions([world.organisation.pk]) != versions


def test_the_copies_take_no_more_room_than_allowed():
    local = _Local(size=100, max_bytes=8000)
    local.put("big", "x" * 1001)  # more than an eighth of the room: not kept
    for n in range(10):
        local.put(f"k{n}", "y" * 900)
    assert local.get("big") is None
    assert local.bytes <= 8000 and len(local.entries) == 8
    assert local.get("k0") is None and local.get("k9") == "y" * 900
    local.put("k9", "z" * 10)  # replaced, not counted twice
    assert local.bytes == 7 * 900 + 10
