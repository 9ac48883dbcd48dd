"""Database waits that cannot stall the site, and the answer when they end.

PostgreSQL connections start with a lock_timeout and a statement_timeout
(settings: HARBOUR_DB_*), so no request waits on a held row lock for longer
than that; booking services shorten the lock wait further with
`short_lock_wait()` for their own transaction. A wait that times out, and a
database or cache that cannot be reached, become `unavailable_answer()`: a
503 with Retry-After and a stable code, never a 500 page. See
docs/reliability.md for the numbers and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

# SQLSTATEs of a wait that was given up, not of a broken database:
# lock_not_available (lock_timeout), query_canceled (statement_timeout),
# deadlock_detected, serialization_failure.
BUSY_STATES = {"55P03", "57014", "40P01", "40001"}

BUSY = ("busy", "Many people are doing this right now. Please try again in a moment.")
UNAVAILABLE = ("service_unavailable", "The service is briefly unavailable. Please try again soon.")


def short_lock_wait() -> None:
    """Inside a transaction: wait at most HARBOUR_BOOKING_LOCK_TIMEOUT_MS for
    any row lock (transaction-local; the connection's default returns after)."""
    if connection.vendor != "postgresql":
        return  # SQLite locks the whole file; its own busy timeout applies
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true)",
            [f"{settings.HARBOUR_BOOKING_LOCK_TIMEOUT_MS}ms"],
        )


def _sqlstate(exc: BaseException) -> str | None:
    while exc is not None:
        state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if state:
            return state
        exc = exc.__cause__
    return None


def _is_cache_outage(exc: BaseException) -> bool:
    try:
        from redis import exceptions as redis_errors
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(exc, redis_errors.ConnectionError | redis_errors.TimeoutError)


def unavailable_answer(exc: BaseException) -> tuple[str, str, int] | None:
    """(code, detail, retry-after seconds) for a transient outage, else None."""
    if isinstance(exc, DatabaseError):
        if _sqlstate(exc) in BUSY_STATES or "database is locked" in str(exc):
            return (*BUSY, 2)
        if isinstance(exc, OperationalError | InterfaceError):
            return (*UNAVAILABLE, 5)
        return None
    if _is_cache_outage(exc):
        return (*UNAVAILABLE, 5)
    return None
