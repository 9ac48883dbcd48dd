"""A Redis cache for the session store that an outage cannot turn into errors.

`django.contrib.sessions.backends.cached_db` keeps each session in the
database and a copy in this cache. While Redis is unreachable every call here
answers "not cached" (a read falls back to the session table, a write reaches
only the table), with a warning logged at most once a minute per process.
After an outage error Redis is not tried again for RETRY_SECONDS (a
black-holed Redis would cost every request its 1 s timeout). A delete that
fails (a sign-out during the outage) is retried first when Redis answers
again, and entries are kept at most `MAX_TIMEOUT` seconds (option), so a
copy a failed delete left behind lives no longer than that even if this
process ends first."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from .db import _is_cache_outage

logger = logging.getLogger("harbour.cache")


RETRY_SECONDS = 5.0


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` object (and its table of
    ~170 response callbacks) for every call: a fifth of a cached answer's CPU
    in the profile. This one keeps one per connection pool (a `redis.Redis`
    is thread-safe: each command borrows a connection from the pool)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    """Django's Redis cache with one `redis.Redis` object per pool."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


class _Skipped(Exception):
    """Inside the back-off after an outage: Redis is not tried."""


class TolerantRedisCache(ReusingRedisCache):
    def __init__(self, server, params) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.max_timeout = options.pop("MAX_TIMEOUT", None)
        super().__init__(server, {**params, "OPTIONS": options})
        self._warned_at = -60.0
        self._retry_at = 0.0
        # Keys whose delete failed (a sign-out during the outage): deleted
        # first thing when Redis answers again.
        self._pending_deletes: set[tuple] = set()

    def _call(self, operation: str, *args):
        if time.monotonic() < self._retry_at:
            raise _Skipped
        while self._pending_deletes:
            key, version = next(iter(self._pending_deletes))
            super().delete(key, version)
            self._pending_deletes.discard((key, version))
        return getattr(super(), operation)(*args)

    def _outage(self, exc: BaseException, operation: str, answer=None):
        if isinstance(exc, _Skipped):
            return answer
        if not _is_cache_outage(exc):
            raise exc
        now = time.monotonic()
        self._retry_at = now + RETRY_SECONDS
        if now - self._warned_at >= 60:
            self._warned_at = now
            logger.warning(
                "session cache unreachable (%s on %s): using the session table only",
                exc.__class__.__name__,
                operation,
            )
        return answer

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        value = super().get_backend_timeout(timeout)
        if self.max_timeout is not None and (value is None or value > self.max_timeout):
            return self.max_timeout
        return value

    def get(self, key, default=None, version=None):
        try:
            return self._call("get", key, default, version)
        except Exception as exc:
            return self._outage(exc, "get", default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call("set", key, value, timeout, version)
        except Exception as exc:
            return self._outage(exc, "set")

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call("add", key, value, timeout, version)
        except Exception as exc:
            return self._outage(exc, "add", False)

    def delete(self, key, version=None):
        try:
            return self._call("delete", key, version)
        except Exception as exc:
            answer = self._outage(exc, "delete", False)
            self._pending_deletes.add((key, version))
            return answer

    def has_key(self, key, version=None):
        try:
            return self._call("has_key", key, version)
        except Exception as exc:
            return self._outage(exc, "has_key", False)
