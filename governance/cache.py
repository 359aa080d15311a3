"""The Redis cache, made to survive a Redis outage.

Everything that uses the cache here (the API throttles, allauth's login and signup rate limits) uses it
for limits, not for data: losing Redis must not turn every request that counts something into a 500.
FailoverRedisCache is Django's RedisCache with one difference: when Redis cannot be reached (a refused or
timed-out connection), each call is answered by a cache in this process's memory instead, and a warning
is logged. The limits then hold per process rather than across processes until Redis answers again;
nothing that needs the cache for correctness is lost, because nothing here keeps data only in the cache.

While Redis is down, calls go straight to the local cache and Redis is tried again every
`RETRY_AFTER_SECONDS` (5 by default), so that an outage costs one failed connection every few seconds
rather than one per call. Give the Redis client short timeouts in OPTIONS (`socket_connect_timeout`,
`socket_timeout`) so that a Redis that does not answer at all costs little more than one that refuses.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# Redis is unreachable: refused, reset, timed out, or still loading its data (BusyLoadingError is a
# ConnectionError). Any other error (a bad command, a wrong type) is a bug and still raises.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# While an outage lasts, say so again at most this often.
WARN_EVERY_SECONDS = 60.0


class FailoverRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.retry_after = float(params.get("RETRY_AFTER_SECONDS", 5.0))
        local_params = {k: params[k] for k in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION") if k in params}
        local_params["OPTIONS"] = {"MAX_ENTRIES": int(params.get("LOCAL_MAX_ENTRIES", 10_000))}
        self._local = LocMemCache(f"failover:{server}", local_params)
        self._down_until = 0.0  # time.monotonic() until which Redis is not tried again
        self._outage_since: float | None = None
        self._last_warning: float | None = None

    @property
    def outage(self) -> bool:
        """Whether the last attempt to reach Redis failed (so calls are answered from local memory)."""
        return self._outage_since is not None

    def is_reachable(self) -> bool:
        """Ask Redis itself, whatever the state of the fallback (for /healthz/)."""
        try:
            self._cache.get_client(None, write=True).ping()
        except UNREACHABLE:
            return False
        self._recovered()
        return True

    def _call(self, name, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return getattr(self._local, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as exc:
            self._failed(exc)
            return getattr(self._local, name)(*args, **kwargs)
        self._recovered()
        return result

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + self.retry_after
        if self._outage_since is None:
            self._outage_since = now
        if self._last_warning is None or now - self._last_warning >= WARN_EVERY_SECONDS:
            self._last_warning = now
            log.warning(
                "Redis cache unreachable (%s); rate limits count in this process only until it answers "
                "(next try in %ss).",
                exc,
                self.retry_after,
            )

    def _recovered(self) -> None:
        if self._outage_since is None:
            return
        log.info("Redis cache reachable again after %.0fs.", time.monotonic() - self._outage_since)
        self._outage_since = None
        self._down_until = 0.0
        self._last_warning = None

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        self._local.clear()
        return self._call("clear")
