"""A cache that keeps working when Redis does not: each call goes to the
shared cache and, when that is unreachable, to a per-process memory cache,
with a warning logged (at most once a minute per process).

Used by the sign-in throttles: while Redis is down each app server counts
attempts on its own, so the limit is per process (looser by the number of
processes), and sign-in keeps working. django-axes' lockout lives in the
database and is unaffected. (Sessions and cached answers degrade on their
own: tolerant_cache.py, answer_cache.py.)"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache as shared
from django.core.cache.backends.locmem import LocMemCache

from .db import _is_cache_outage

logger = logging.getLogger("harbour.cache")
WARN_EVERY = 60.0


class DegradingCache:
    def __init__(self, name: str) -> None:
        self.local = LocMemCache(f"harbour-fallback-{name}", {"TIMEOUT": 3600})
        self._warned_at = -WARN_EVERY

    def _fallback(self, exc: BaseException, operation: str):
        if not _is_cache_outage(exc):
            raise exc
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            logger.warning(
                "shared cache unreachable (%s on %s): counting in this process only",
                exc.__class__.__name__,
                operation,
            )
        return self.local

    def get(self, key, default=None):
        try:
            return shared.get(key, default)
        except Exception as exc:
            return self._fallback(exc, "get").get(key, default)

    def set(self, key, value, timeout=None):
        try:
            return shared.set(key, value, timeout)
        except Exception as exc:
            return self._fallback(exc, "set").set(key, value, timeout)
