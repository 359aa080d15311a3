"""What many members would be shown alike, kept in the shared cache under a per-organisation version.

A list of proposals or the discussion on a proposal's page is the same for every member of an
organisation; only a few facts are the caller's own (am I eligible, have I responded, may I comment),
and those are always read from the database, in one small query. The shared part is cached under a
key that names the organisation's *version*: a random token that every write to the organisation's
governance data replaces after its transaction commits. A cached answer is therefore never read
after the write that made it stale: the next reader asks for the new version's key, misses, and
computes the answer afresh. Nothing is ever deleted to invalidate; old versions' entries expire.

Who bumps the version: `governance.services.events_record`, the one writer of the event log, for every
organisation it records an event of (every service that changes something records an event, in its
transaction), and the few writes that record none but change what others are shown (a draft
withdrawn, a person's name). A write that neither records an event nor calls `organisations_changed`
is not seen by these caches: a service that writes must do one or the other.

Why a version in the cache and not a cache entry deleted on write: a reader that computed an answer
from the database just before a write commits may store it just after; under a version key, it
stores it under the version the write has already replaced, where nobody reads it again.

The cache must be one that every process shares (Redis), or a web worker would keep serving what a
Celery worker's sweep has changed. So the response cache is on only with a shared cache
(`settings.RESPONSE_CACHE`, on by default when REDIS_URL is set), and it steps aside while Redis is
unreachable (governance.cache.FailoverRedisCache then answers from each process's own memory,
which other processes' writes do not reach): every answer is computed from the database meanwhile.
A process whose bump could not reach Redis replaces those versions again as soon as Redis answers;
and whatever happens, no entry is kept longer than ENTRY_SECONDS (and each process's copy of it
LOCAL_SECONDS more).

Keys also carry the database's identity, so that two databases sharing one Redis (the benchmark's
two sizes, a test database created again for each run) never read each other's entries.
"""

from __future__ import annotations

import hashlib
import pickle
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

# Cached answers are computed again at least this often, whatever the versions say.
ENTRY_SECONDS = 600
# Versions live longer than any entry made under them.
VERSION_SECONDS = 7 * 24 * 3600
# How many answers each process also keeps in its own memory, and for how long (see _Local): an
# answer is therefore computed again at least every ENTRY_SECONDS + LOCAL_SECONDS.
LOCAL_ENTRIES = 256
LOCAL_BYTES = 4 * 1024 * 1024  # and at most this much text and pickles, so that a worker stays small
LOCAL_SECONDS = 60

_epoch: dict[str, str] = {}


def enabled() -> bool:
    """Whether answers may be read from and written to the shared cache right now."""
    if not getattr(settings, "RESPONSE_CACHE", False):
        return False
    return not getattr(cache, "outage", False)


def _database_epoch() -> str:
    """The identity of the database this process writes to: its name and, on PostgreSQL, its oid,
    which a database created again under the same name does not keep. Read once per process."""
    alias = connection.alias
    if alias not in _epoch:
        name = str(connection.settings_dict.get("NAME") or "")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
                name += f":{cursor.fetchone()[0]}"
        _epoch[alias] = hashlib.blake2b(name.encode(), digest_size=6).hexdigest()
    return _epoch[alias]


def forget_database_epoch() -> None:
    """For tests that create databases: read the identity again on next use."""
    _epoch.clear()


def _version_key(organisation_id: int) -> str:
    return f"rc:{_database_epoch()}:org:{organisation_id}"


def _token() -> str:
    return secrets.token_hex(8)


def organisations_changed(organisation_ids: Iterable[int | None]) -> None:
    """Replace the versions of these organisations now and again once the current transaction
    commits. Called by every write that changes what the response cache keeps.

    Twice, because each alone leaves a gap: a reader between the first bump and the commit still
    reads the database as it was and may store that under the new version, which the second bump
    retires; and the first makes the write visible at once to what runs later in the same
    transaction (a request that writes, then answers with the list; a test)."""
    ids = {pk for pk in organisation_ids if pk is not None}
    if not ids or not getattr(settings, "RESPONSE_CACHE", False):
        return
    _bump(ids)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _bump(ids))


def _bump(ids: set[int]) -> None:
    cache.set_many({_version_key(pk): _token() for pk in ids}, VERSION_SECONDS)
    seen = _request_versions.get()
    if seen:
        for pk in ids:
            seen.pop(pk, None)  # this request reads its own write's version next
    if getattr(cache, "outage", False):
        # The new versions went to this process's memory only: when Redis answers again, every
        # version is replaced (see _recovered_check), so no entry made before this write is read.
        _owed.update(ids)


_owed: set[int] = set()


def _recovered_check() -> None:
    if _owed and not getattr(cache, "outage", False):
        owed = set(_owed)
        _owed.clear()
        _bump(owed)


# The versions a request has read, so that a page with several cached parts asks Redis once
# (request_scope, opened by governance.middleware.ResponseCacheMiddleware). None outside a request:
# a task or a shell asks every time.
_request_versions: ContextVar[dict[int, str] | None] = ContextVar("response_cache_request_versions", default=None)


@contextmanager
def request_scope():
    """Within it, each organisation's version is read from Redis once, as the request's first
    cached part found it: the page is then one state of the organisation (a write that commits
    while it renders is seen by the next request, as it would be had it committed a moment later),
    and this process's own writes replace what it has read at once (_bump)."""
    token = _request_versions.set({})
    try:
        yield
    finally:
        _request_versions.reset(token)


def versions(organisation_ids: Iterable[int]) -> dict[int, str] | None:
    """The current version of each organisation, a new one for any the cache does not hold; None
    when the cache cannot be trusted right now (then compute from the database, cache nothing)."""
    if not enabled():
        return None
    _recovered_check()
    ids = sorted(set(organisation_ids))
    seen = _request_versions.get()
    if seen is not None and all(pk in seen for pk in ids):
        return {pk: seen[pk] for pk in ids}
    found = _read_versions(ids)
    if seen is not None and found is not None:
        seen.update(found)
    return found


def _read_versions(ids: list[int]) -> dict[int, str] | None:
    keys = {_version_key(pk): pk for pk in ids}
    found = cache.get_many(list(keys))
    missing = [key for key in keys if key not in found]
    for key in missing:
        # add(): two processes that both miss agree on the first one's token.
        cache.add(key, _token(), VERSION_SECONDS)
    if missing:
        found.update(cache.get_many(missing))
    if not enabled() or len(found) < len(keys):
        return None
    return {keys[key]: value for key, value in found.items()}


def key(name: str, organisation_versions: dict[int, str], *parts) -> str:
    """The key of one cached answer: what it is, the versions it was computed under, and whatever
    else it depends on (a query string, the language, a time zone)."""
    raw = repr((sorted(organisation_versions.items()), parts))
    digest = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    return f"rc:{_database_epoch()}:{name}:{digest}"


class _Local:
    """The entries this process read or wrote lately, in its own memory, most recent last.

    An entry's key names the versions it was computed under, and a version is never reused, so what
    a key holds never changes: a copy kept here is as good as the shared cache's and saves a round
    trip to Redis (a page with three shared parts made four). Only the versions are always asked of
    Redis, so a write elsewhere is seen at once. A copy is kept LOCAL_SECONDS at most; values are kept pickled
    (strings as they are), so that a caller that changes what it was given never changes the copy.
    Bounded by LOCAL_ENTRIES and LOCAL_BYTES, the least recently used dropped first."""

    def __init__(self, size: int, max_bytes: int = LOCAL_BYTES):
        self.size, self.max_bytes, self.bytes = size, max_bytes, 0
        self.entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, cache_key: str):
        with self.lock:
            found = self.entries.get(cache_key)
            if found is None:
                return None
            expires, stored = found
            if expires <= time.monotonic():
                self._drop(cache_key)
                return None
            self.entries.move_to_end(cache_key)
        return pickle.loads(stored) if isinstance(stored, bytes) else stored  # noqa: S301 -- our own pickles

    def put(self, cache_key: str, value) -> None:
        stored = value if isinstance(value, str) else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        if len(stored) > self.max_bytes // 8:
            return  # one answer never takes more than an eighth of the room
        with self.lock:
            if cache_key in self.entries:
                self._drop(cache_key)
            self.entries[cache_key] = (time.monotonic() + LOCAL_SECONDS, stored)
            self.bytes += len(stored)
            while len(self.entries) > self.size or self.bytes > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def _drop(self, cache_key: str) -> None:
        _expires, stored = self.entries.pop(cache_key)
        self.bytes -= len(stored)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0


_local = _Local(LOCAL_ENTRIES)


def get(cache_key: str):
    if not enabled():
        return None
    value = _local.get(cache_key)
    if value is None:
        value = cache.get(cache_key)
        if value is not None:
            _local.put(cache_key, value)
    return value if enabled() else None


def put(cache_key: str, value) -> None:
    if enabled():
        cache.set(cache_key, value, ENTRY_SECONDS)
        _local.put(cache_key, value)


def remember(name: str, organisation_id: int, parts, compute):
    """`compute()`'s answer for one organisation, from the cache while the organisation's version
    holds, else computed (and kept). For figures that every member allowed to see them is shown
    alike (a report, a dashboard); `parts` names whatever else they depend on."""
    organisation_versions = versions([organisation_id])
    if organisation_versions is None:
        return compute()
    cache_key = key(name, organisation_versions, parts)
    found = get(cache_key)
    if found is None:
        found = compute()
        put(cache_key, found)
    return found
