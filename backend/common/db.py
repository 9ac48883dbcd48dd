"""Database waits that cannot stall the site, and the answer when they end.

PostgreSQL connections start with a lock_timeout and a statement_timeout
(settings: HARBOUR_DB_*), so no request waits on a held row lock for longer
than that; booking services shorten the lock wait further with
`short_lock_wait()` for their own transaction, and take the one row everyone
queues on (a session's) with `lock_row_fail_fast()`: one request per process
waits a moment for it, the others are told "busy" at once. A wait that times
out, and a database or cache that cannot be reached, become
`unavailable_answer()`: a 503 with Retry-After and a stable code, never a 500
page. See docs/reliability.md for the numbers and why.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection

# SQLSTATEs of a wait that was given up, not of a broken database:
# lock_not_available (lock_timeout), query_canceled (statement_timeout),
# deadlock_detected, serialization_failure.
BUSY_STATES = {"55P03", "57014", "40P01", "40001"}

BUSY = ("busy", "Many people are doing this right now. Please try again in a moment.")
UNAVAILABLE = ("service_unavailable", "The service is briefly unavailable. Please try again soon.")


def _lock_wait(milliseconds: int) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite locks the whole file; its own busy timeout applies
    # set_config(..., true) is SET LOCAL: for this transaction only.
    sql, params = "SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"]
    statement = settings.HARBOUR_DB_STATEMENT_TIMEOUT_MS
    if statement and milliseconds >= statement:
        # A lock wait is one statement: a longer one than the statement timeout
        # would be cut short by it (a 503 busy before the wait asked for).
        sql += ", set_config('statement_timeout', %s, true)"
        params.append(f"{milliseconds + 1000}ms")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def short_lock_wait() -> None:
    """Inside a transaction: wait at most HARBOUR_BOOKING_LOCK_TIMEOUT_MS for
    any row lock (transaction-local; the connection's default returns after)."""
    _lock_wait(settings.HARBOUR_BOOKING_LOCK_TIMEOUT_MS)


# Who, in this process, is waiting for which row right now: key -> threads;
# and which rows a waiter of this process just found held for its whole wait:
# key -> until when (monotonic) nobody here waits for it again.
_waiting: Counter = Counter()
_held_until: dict = {}
_waiting_guard = threading.Lock()
# How long a row whose waiter timed out counts as held here: the busy answer's
# Retry-After. Meanwhile requests for it only try it (NOWAIT), nobody waits:
# a row held by something stuck costs this process one wait per HELD_MEMORY_S
# on at most HARBOUR_SESSION_LOCK_WAITERS threads.
HELD_MEMORY_S = 1.0


def _may_wait(key) -> bool:
    """Call with _waiting_guard held."""
    if _held_until.get(key, 0.0) > time.monotonic():
        return False
    return _waiting[key] < settings.HARBOUR_SESSION_LOCK_WAITERS


@contextmanager
def _waiter_place(key) -> Iterator[bool]:
    """True for the first HARBOUR_SESSION_LOCK_WAITERS threads of this process
    waiting for `key` at the same time, False for any other (it must not wait),
    and for everyone while the row counts as held (HELD_MEMORY_S)."""
    with _waiting_guard:
        may_wait = _may_wait(key)
        if may_wait:
            _waiting[key] += 1
    try:
        yield may_wait
    finally:
        if may_wait:
            with _waiting_guard:
                _waiting[key] -= 1
                if not _waiting[key]:
                    del _waiting[key]


def _remember_held(key, held: bool) -> None:
    with _waiting_guard:
        if held:
            now = time.monotonic()
            for stale in [k for k, until in _held_until.items() if until <= now]:
                del _held_until[stale]
            _held_until[key] = now + HELD_MEMORY_S
        else:
            _held_until.pop(key, None)


class RowBusy(OperationalError):
    """A row this process will not wait for now: the answer NOWAIT would give
    (lock_not_available), without asking the database."""

    sqlstate = "55P03"


def busy_if_waited_for(key) -> None:
    """Raise RowBusy at once when a request for `key` would not be let wait
    (`lock_row_fail_fast`: this process already has its waiter for it, or its
    last waiter found it held): told so before its other work, a crowd on a
    held row costs little."""
    with _waiting_guard:
        may_wait = _may_wait(key)
    if not may_wait:
        raise RowBusy(f"this process does not wait for {key} now")


def lock_row_fail_fast(queryset, *, key, of=("self",), **lookup):
    """Inside a transaction: `queryset.get(**lookup)` with its row locked FOR
    UPDATE, without letting a row held by something stuck take the app's
    threads. The first request of this process waiting for `key` waits at most
    HARBOUR_SESSION_LOCK_WAIT_MS; any other request of this process for the
    same key meanwhile, and any for HELD_MEMORY_S after a wait that timed out,
    does not wait at all (NOWAIT: it takes the row only if it is free). A row
    still held raises lock_not_available, which `unavailable_answer()` makes a
    503 `busy` that the client retries. Later statements of the transaction
    wait as `short_lock_wait()` says."""
    with _waiter_place(key) as may_wait:
        if may_wait:
            _lock_wait(settings.HARBOUR_SESSION_LOCK_WAIT_MS)
            try:
                row = queryset.select_for_update(of=of).get(**lookup)
            except DatabaseError as exc:
                _remember_held(key, _sqlstate(exc) == "55P03")
                raise
        else:
            row = queryset.select_for_update(of=of, nowait=True).get(**lookup)
    _remember_held(key, False)
    short_lock_wait()
    return row


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
            return (*BUSY, 1)
        if isinstance(exc, OperationalError | InterfaceError):
            return (*UNAVAILABLE, 5)
        return None
    if _is_cache_outage(exc):
        return (*UNAVAILABLE, 5)
    return None
