"""One locked row no longer stalls the site (issue 17, item 2), on real
PostgreSQL through a live HTTP server: while another connection holds a
session's row FOR UPDATE, a booking of that session answers a JSON 503 `busy`
with Retry-After once its short lock wait is over, the health checks and other
bookings answer at once, and nothing is half-written.

Timings are bounds with wide margins (a loaded 2-core machine): the session
lock is taken fail-fast (a few waiters per process for 1 s, the others not at
all), the bound 20 s; the holder lets go after 45 s, so on code without a lock
timeout the booking would succeed late, and fail the test."""

from __future__ import annotations

import json
import runpy
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from backend.bookings.models import Booking
from backend.timetable.models import Activity
from tests.bookings.test_concurrency import keyed, post, signed_in
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    UserFactory,
    coordinator_of,
    make_activity,
)

ROOT = Path(__file__).resolve().parents[2]
HOLD_SECONDS = 45
BOUND = 20.0


def _call(url, headers=None, body=None):
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers=headers or {},
        method="GET" if body is None else "POST",
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=HOLD_SECONDS + 20) as response:
            status, raw, head = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, head = error.code, error.read(), error.headers
    return status, json.loads(raw or b"{}"), head, time.monotonic() - started


def _dsn() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def two_trips(transactional_db):
    org = OrganisationFactory()
    coordinator = coordinator_of(org)
    sessions = []
    for title in ("Day trip", "Museum visit"):
        activity = make_activity(
            actor=coordinator, organisation=org, room=RoomFactory(capacity=40), capacity=10,
            title=title, kind=Activity.Kind.DAY_TRIP, recurrence=None,
            start_date=timezone.localdate() + timedelta(days=5), start_time=clock(9),
            end_time=clock(17),
        )  # fmt: skip
        sessions.append(activity.sessions.get())
    people = [UserFactory(username=f"p{i}") for i in range(5)]
    return sessions, [signed_in(p) for p in people]


@pytest.mark.postgres
def test_a_held_session_row_makes_bookings_busy_not_the_site_stalled(live_server, two_trips):
    (locked, other), headers = two_trips
    holder = psycopg.connect(_dsn())
    holder.execute("SELECT id FROM timetable_session WHERE id = %s FOR UPDATE", [locked.pk])
    release = threading.Timer(HOLD_SECONDS, holder.rollback)
    release.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            waiting = [
                pool.submit(
                    _call, live_server.url + "/api/v1/bookings/", h, {"session": str(locked.pk)}
                )
                for h in headers[:4]
            ]
            time.sleep(0.3)  # the bookings are now waiting on the lock
            # Meanwhile the health checks, and a booking of another session, answer.
            for path in ("/healthz", "/readyz", "/api/v1/ping/"):
                status, body, _head, took = _call(live_server.url + path)
                assert status == 200, (path, body)
                assert took < BOUND, (path, took)
            status, body, _head, took = _call(
                live_server.url + "/api/v1/bookings/", headers[4], {"session": str(other.pk)}
            )
            assert status == 201, body
            results = [f.result() for f in waiting]
        for status, body, head, took in results:
            assert status == 503, body
            assert body["code"] == "busy"
            assert int(head["Retry-After"]) >= 1
            assert took < BOUND, took
    finally:
        release.cancel()
        holder.rollback()
        holder.close()
    # Nothing half-written, and the session is bookable again once it is free
    # (for a second after a wait timed out this process answers busy without
    # waiting, HELD_MEMORY_S: the client tries again, as the app does).
    assert not Booking.objects.filter(session=locked).exists()
    status, body = post(
        live_server.url, "/api/v1/bookings/", keyed(headers[0]), {"session": str(locked.pk)},
        busy=[],
    )  # fmt: skip
    assert status == 201, body


@pytest.mark.postgres
def test_every_connection_carries_lock_and_statement_timeouts(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        lock = cursor.fetchone()[0]
        cursor.execute("SHOW statement_timeout")
        statement = cursor.fetchone()[0]
    assert lock == f"{settings.HARBOUR_DB_LOCK_TIMEOUT_MS // 1000}s"
    assert statement == f"{settings.HARBOUR_DB_STATEMENT_TIMEOUT_MS // 1000}s"
    # The booking services' own, shorter wait is for their transaction only,
    # and the session's row, which everyone queues on, is waited for least.
    assert settings.HARBOUR_BOOKING_LOCK_TIMEOUT_MS < settings.HARBOUR_DB_LOCK_TIMEOUT_MS
    assert settings.HARBOUR_SESSION_LOCK_WAIT_MS <= 1000
    # A few requests per process may wait (a booking holds the row for a few
    # ms), never more than half a worker's threads (deploy/gunicorn.conf.py).
    threads = runpy.run_path(str(ROOT / "deploy/gunicorn.conf.py"))["threads"]
    assert 1 <= settings.HARBOUR_SESSION_LOCK_WAITERS <= threads // 2


def _waiting_on_a_lock(dsn: str, at_least: int) -> bool:
    with psycopg.connect(dsn) as watcher:
        (count,) = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()"
        ).fetchone()
    return count >= at_least


@pytest.mark.postgres
def test_a_few_requests_per_process_wait_for_a_session_row_the_others_are_busy_at_once(
    two_trips, settings
):
    """While the shipped number of bookings of a held session wait their turn
    (here up to 30 s), one more in the same process does not wait at all: 503
    busy at once, its thread given back; a booking of another session is not
    held up; and those waiting get their places when the row is let go.
    Ordered by events, not by the clock (a loaded machine)."""
    from backend.bookings import services
    from backend.common.errors import ApplicationError

    settings.HARBOUR_SESSION_LOCK_WAIT_MS = 30_000
    waiters = settings.HARBOUR_SESSION_LOCK_WAITERS
    assert waiters > 1  # a booking that waits a few ms for a short lock is not refused
    (locked, other), _headers = two_trips
    waiting_users = [UserFactory(username=f"w{i}") for i in range(waiters)]
    extra, third = UserFactory(username="extra"), UserFactory(username="third")
    dsn = _dsn()
    holder = psycopg.connect(dsn)
    holder.execute("SELECT id FROM timetable_session WHERE id = %s FOR UPDATE", [locked.pk])

    def book(user, session):
        try:
            return services.booking_create(actor=user, session=session)[0].status
        except Exception as exc:  # the view's answer for it, as the API would give
            from backend.common.db import unavailable_answer

            return exc.code if isinstance(exc, ApplicationError) else unavailable_answer(exc)[0]
        finally:
            connection.close()

    try:
        with ThreadPoolExecutor(max_workers=waiters + 2) as pool:
            waiting = [pool.submit(book, user, locked) for user in waiting_users]
            deadline = time.monotonic() + 25
            while not _waiting_on_a_lock(dsn, waiters):
                assert time.monotonic() < deadline, "they never all waited"
                assert not any(w.done() for w in waiting), [w.result() for w in waiting if w.done()]
                time.sleep(0.05)
            assert pool.submit(book, extra, locked).result() == "busy"
            assert pool.submit(book, third, other).result() == "confirmed"
            assert not any(w.done() for w in waiting)  # still waiting their turn
            holder.rollback()
            assert [w.result(timeout=60) for w in waiting] == ["confirmed"] * waiters
    finally:
        holder.rollback()
        holder.close()
    booked = Booking.objects.filter(session=locked).values_list("participant__user", flat=True)
    assert sorted(booked) == sorted(u.pk for u in waiting_users)


@pytest.mark.postgres
def test_after_a_wait_that_timed_out_nobody_in_the_process_waits_for_that_row(
    two_trips, settings, monkeypatch
):
    """A row held by something stuck costs this process one short wait per
    HELD_MEMORY_S, not one per request: after a waiter was told busy, the next
    booking of that session is told busy without waiting or working (RowBusy,
    no lock wait), while other sessions are booked as usual."""
    from backend.bookings import services
    from backend.common import db

    settings.HARBOUR_SESSION_LOCK_WAIT_MS = 300
    monkeypatch.setattr(db, "HELD_MEMORY_S", 60.0)  # wide: a loaded machine
    (locked, other), _headers = two_trips
    first, second, third = (UserFactory(username=f"h{i}") for i in range(3))
    holder = psycopg.connect(_dsn())
    holder.execute("SELECT id FROM timetable_session WHERE id = %s FOR UPDATE", [locked.pk])
    try:
        with pytest.raises(DatabaseError) as waited:
            services.booking_create(actor=first, session=locked)
        assert not isinstance(waited.value, db.RowBusy)  # it waited, and timed out
        assert db.unavailable_answer(waited.value)[0] == "busy"
        with pytest.raises(db.RowBusy) as told:
            services.booking_create(actor=second, session=locked)
        assert db.unavailable_answer(told.value)[:1] == ("busy",)
        assert services.booking_create(actor=third, session=other)[0].status == "confirmed"
    finally:
        holder.rollback()
        holder.close()
        db._held_until.clear()
    assert not Booking.objects.filter(session=locked).exists()


@pytest.mark.postgres
def test_a_lock_wait_longer_than_the_statement_timeout_is_not_cut_short_by_it(
    transactional_db, settings
):
    """A lock wait is one statement: asked for longer than the connection's
    statement timeout (20 s), it raises that timeout too, for the transaction
    only; otherwise the wait would end in a 503 busy at 20 s."""
    from django.db import transaction

    from backend.common.db import short_lock_wait

    settings.HARBOUR_BOOKING_LOCK_TIMEOUT_MS = settings.HARBOUR_DB_STATEMENT_TIMEOUT_MS + 40_000
    with transaction.atomic(), connection.cursor() as cursor:
        short_lock_wait()
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == f"{settings.HARBOUR_BOOKING_LOCK_TIMEOUT_MS // 1000 + 1}s"
    with connection.cursor() as cursor:  # the connection's own, after the transaction
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == f"{settings.HARBOUR_DB_STATEMENT_TIMEOUT_MS // 1000}s"
