"""Whole answers kept in the shared cache (Redis) and thrown away by any write.

One number, the *write version*, lives in the cache. Every SQL statement that
writes (INSERT, UPDATE, DELETE; a wrapper on every database connection sees
them all, including `QuerySet.update()`, bulk writes and raw SQL) bumps it
when its transaction commits (at once in autocommit); until then the writing
connection alone looks answers up under a version of its own transaction.
A cached answer is stored with
the version read *before* it was computed and is served only while the version
is still that one, so a booking, a moved or cancelled session, a register mark
or a revoked grant shows on the very next request. Over-invalidating is the
price: any write empties every cached answer (a write to the session table or
django-axes' logs does not).

What an entry is keyed by is the caller's business and carries the safety
rule: an answer may be shared only by viewers for whom it is identical (the
visibility class of `backend.access.answer_scope`, or one person). The key
here is a digest of the parts given.

The cache is an optimisation, never a source of truth: any cache error means
"not cached" (the answer is computed from the database) and marks this
process *suspect*; a suspect process bumps the version before it next trusts
the cache, so answers stored before an outage are not served after it
(a write this process made while the cache was unreachable could not bump
it). Entries also expire after `HARBOUR_ANSWER_CACHE_SECONDS`.

No stampede: when an answer is missing (after any write, every answer is),
the first request to miss it claims the fill and computes it; others that
miss the same answer at the same version meanwhile wait for it (polling,
up to FILL_WAIT_SECONDS) instead of all computing it at once, and compute it
themselves if the filler stores nothing, a write moves the version, or the
wait runs out. A year's figures of a city network cost one computation after
a write, not one per client (docs/benchmarks.md).

Off unless `HARBOUR_ANSWER_CACHE` (default: on when REDIS_URL is set).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

logger = logging.getLogger("harbour.cache")

VERSION_KEY = "answers:version"
_WRITES = ("INSERT", "UPDATE", "DELETE")
# Writes that change no cached answer: the session store and sign-in logs.
_IGNORED_TABLES = ('"django_session"', '"axes_')
# While suspect, the cache is tried again at most every RETRY_SECONDS: a
# black-holed Redis (1 s timeouts) costs one request that long, not every one.
RETRY_SECONDS = 5.0
_state = {"suspect": False, "warned_at": -60.0, "retry_at": 0.0}
# A request that finds another computing the answer it missed waits this long
# at most, looking every FILL_POLL_SECONDS; a claim lapses after
# FILL_CLAIM_SECONDS (a filler that died never holds the others back longer).
FILL_WAIT_SECONDS = 2.0
FILL_POLL_SECONDS = 0.01
FILL_CLAIM_SECONDS = 10


def enabled() -> bool:
    return bool(getattr(settings, "HARBOUR_ANSWER_CACHE", False))


def _cache():
    return caches[settings.HARBOUR_ANSWER_CACHE_ALIAS]


def _failed(exc: BaseException, operation: str) -> None:
    _state["suspect"] = True
    now = time.monotonic()
    _state["retry_at"] = now + RETRY_SECONDS
    if now - _state["warned_at"] >= 60:
        _state["warned_at"] = now
        logger.warning(
            "answer cache unavailable (%s on %s): answering uncached",
            exc.__class__.__name__,
            operation,
        )


def _incr() -> None:
    cache = _cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (first use, a flushed or restarted Redis)
        # Start far from any number an older entry could carry.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        cache.incr(VERSION_KEY)


def bump() -> None:
    """A write happened: every stored answer is out of date."""
    if not enabled() or not _recovered():
        return  # while suspect, the bump on recovery stands for this one
    try:
        _incr()
    except Exception as exc:
        _failed(exc, "bump")


def _recovered() -> bool:
    """False while the cache is suspect and cannot be reached."""
    if not _state["suspect"]:
        return True
    if time.monotonic() < _state["retry_at"]:
        return False
    try:
        _incr()
    except Exception:
        _state["retry_at"] = time.monotonic() + RETRY_SECONDS
        return False
    _state["suspect"] = False
    return True


@dataclass
class Lookup:
    key: str
    version: object  # None: do not store (no cache, or it failed)
    body: Any = None  # the stored answer on a hit


def _digest(parts: tuple) -> str:
    return "answer:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def lookup(*parts) -> Lookup:
    """The answer stored under `parts` at the current version, if any."""
    key = _digest(parts)
    if not enabled() or not _recovered():
        return Lookup(key, None)
    try:
        found = _cache().get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            _cache().add(VERSION_KEY, time.time_ns(), timeout=None)
            version = _cache().get(VERSION_KEY)
    except Exception as exc:
        _failed(exc, "get")
        return Lookup(key, None)
    local = _uncommitted(connections[DEFAULT_DB_ALIAS])
    if local is not None:
        version = (version, *local)
    entry = found.get(key)
    if entry is not None:
        stored_version, valid_until, body = entry
        if stored_version == version and (valid_until is None or timezone.now() < valid_until):
            return Lookup(key, version, body)
    return Lookup(key, version)


def store(found: Lookup, body, *, valid_until: datetime | None = None) -> None:
    """Keep `body` for the version `found` was looked up at (a write since
    then has already made it unreachable). `valid_until`: when the answer
    would change with time alone."""
    if found.version is None or not enabled():
        return
    try:
        _cache().set(
            found.key,
            (found.version, valid_until, body),
            timeout=settings.HARBOUR_ANSWER_CACHE_SECONDS,
        )
    except Exception as exc:
        _failed(exc, "set")


def _fill_key(found: Lookup) -> str:
    return f"{found.key}:filling:{found.version}"


def claim_fill(found: Lookup) -> bool:
    """True: this request computes the missing answer (it claimed the fill,
    or the answer is its transaction's own, or the cache cannot tell).
    False: another request is computing it now (see `await_fill`)."""
    if not isinstance(found.version, int) or found.body is not None:
        return True  # not stored at all, a hit, or only this transaction's
    try:
        return bool(_cache().add(_fill_key(found), 1, timeout=FILL_CLAIM_SECONDS))
    except Exception as exc:
        _failed(exc, "add")
        return True


def release_fill(found: Lookup) -> None:
    if not isinstance(found.version, int):
        return
    try:
        _cache().delete(_fill_key(found))
    except Exception as exc:
        _failed(exc, "delete")


def await_fill(found: Lookup, *parts) -> Lookup | None:
    """Wait for the request that claimed `found`'s fill: its stored answer, or
    None (compute it here) once the filler is done without storing one, a
    write has moved the version, or FILL_WAIT_SECONDS have passed."""
    deadline = time.monotonic() + FILL_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(FILL_POLL_SECONDS)
        again = lookup(*parts)
        if again.body is not None:
            return again
        if again.version != found.version:
            return None
        try:
            filling = _cache().get(_fill_key(found))
        except Exception as exc:
            _failed(exc, "get")
            return None
        if filling is None:
            # Done: the filler stores before it lets go, so a last look finds
            # what it stored (it may have finished since the look above).
            again = lookup(*parts)
            return again if again.body is not None else None
    return None


# --- seeing every write --------------------------------------------------------------


def _on_commit_pending(connection) -> bool:
    return any(entry[1] is bump for entry in connection.run_on_commit)


def _uncommitted(connection) -> tuple | None:
    """(transaction token, writes so far) while this connection's transaction
    holds writes nobody else can see yet, else None."""
    if connection.in_atomic_block and _on_commit_pending(connection):
        return (connection._answer_token, connection._answer_writes)
    return None


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if enabled() and isinstance(sql, str):
        head = sql.lstrip()[:6].upper()
        if head in _WRITES and not any(t in sql[:120] for t in _IGNORED_TABLES):
            _note_write(context["connection"])
    return result


def _note_write(connection) -> None:
    """In a transaction: one bump when it commits (a rollback discards it),
    and until then this connection's own lookups carry a token of the
    transaction and its count of writes, so it never reads an answer from
    before its own writes, and nobody else reads one stored in between.
    Outside a transaction (autocommit) the write is visible at once: bump."""
    if not connection.in_atomic_block:
        bump()
        return
    if not _on_commit_pending(connection):
        connection.on_commit(bump)
        connection._answer_token = uuid.uuid4().hex
        connection._answer_writes = 0
    connection._answer_writes += 1


def watch_connection(sender=None, connection=None, **kwargs) -> None:
    """`connection_created` receiver: install the write watcher once per connection."""
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def watch_open_connections() -> None:
    for connection in connections.all(initialized_only=True):
        watch_connection(connection=connection)


# --- DRF answers ---------------------------------------------------------------------------


def _cacheable_request(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    media_type = getattr(request, "accepted_media_type", "") or ""
    return (
        enabled()
        and request.method == "GET"
        and renderer is not None
        and renderer.format == "json"
        and ";" not in media_type  # e.g. "; indent=4" renders differently
    )


def json_answer(request, parts: tuple, build, *, guessed_scope=None):
    """The JSON answer of `build()` (a DRF Response) for this request, from the
    cache when it holds it for `parts` at the current version.

    `parts` must name everything the answer depends on besides the request's
    path, query, host, language and today's date (added here): for a shared
    answer, the viewers' visibility class. `build()` may set on its Response
    `answer_cache_skip = True` (not shareable as computed) or
    `answer_valid_until` (it changes with time alone then).

    `guessed_scope`: (guess, forget), for a scope cheaper to guess than to
    read: `guess()` gives (scope, guard), guard being the write version the
    scope is known at (None: read just now); an answer looked up with a
    guarded scope is used only if the version is still the guard."""
    from django.http import HttpResponse
    from django.utils.translation import get_language

    if not _cacheable_request(request):
        return build()
    context = (
        request.get_full_path(),
        request.scheme,
        request.get_host(),
        get_language(),
        timezone.localdate().isoformat(),
    )
    if guessed_scope is None:
        key_parts = (*parts, *context)
        found = lookup(*key_parts)
    else:
        # (guess, forget): a scope known at some version, served with only if
        # the version is still that one; else it is looked up afresh.
        guess, forget = guessed_scope
        scope, guard = guess()
        key_parts = (*parts, scope, *context)
        found = lookup(*key_parts)
        if guard is not None and found.version != guard:
            forget()
            scope, _ = guess()
            key_parts = (*parts, scope, *context)
            found = lookup(*key_parts)
    if found.body is not None:
        return HttpResponse(found.body, content_type="application/json")
    claimed = claim_fill(found)
    if not claimed:
        filled = await_fill(found, *key_parts)
        if filled is not None:
            return HttpResponse(filled.body, content_type="application/json")
    try:
        response = build()
        if response.status_code != 200 or getattr(response, "answer_cache_skip", False):
            return response
        renderer = request.accepted_renderer
        body = renderer.render(response.data, request.accepted_media_type, {"request": request})
        store(found, body, valid_until=getattr(response, "answer_valid_until", None))
    finally:
        if claimed:
            release_fill(found)
    return HttpResponse(body, content_type="application/json")
