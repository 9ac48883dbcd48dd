"""On real PostgreSQL, through a live HTTP server: 200 people press "book" for
10 places at once; then cancellations race promotions and late bookings."""

from __future__ import annotations

import http.client
import json
import random
import time as clock
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from backend.bookings.models import Booking
from backend.timetable.models import Activity, Session
from tests.conftest import session_and_csrf
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    UserFactory,
    coordinator_of,
    make_activity,
)

# PostgreSQL allows 100 connections here; each in-flight request holds one.
CLIENTS = 48


def signed_in(user) -> dict[str, str]:
    """Session cookie and CSRF pair for one user, made without a login round trip."""
    session_key, csrf = session_and_csrf(user)
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/json",
    }


def keyed(headers: dict[str, str]) -> dict[str, str]:
    """The headers with a fresh Idempotency-Key, as the browser app sends one."""
    return {**headers, "Idempotency-Key": uuid.uuid4().hex}


# A connection the server refused or reset before answering (on a loaded
# machine a live server's accept queue overflows when 48 clients connect at
# once) is tried again, like a client that never got an answer would.
_NOT_ANSWERED = (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected)
ATTEMPTS = 5
BUSY_ATTEMPTS = 100  # 503s tried again, at most (a crowd of 48 on a few waiters)


def _not_answered(error: Exception) -> bool:
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        error = error.reason if isinstance(error.reason, Exception) else error
    return isinstance(error, _NOT_ANSWERED)


def post(base_url, path, headers, body=None, *, repeatable=None, busy=None):
    """POST and return (status, JSON body). Retried only when no answer came
    back AND repeating is harmless: by default only for a request carrying an
    Idempotency-Key, because the server may have made the booking before the
    connection broke, and the key makes the retry return that same booking
    (a 200 replay) instead of making a second one. So a retry here can never
    double-book. `repeatable=True` is for requests harmless twice by nature
    (a cancellation: cancelling twice is a no-op).

    A 503 with Retry-After, `busy` (nothing was written) or
    `service_unavailable` (on a loaded machine the app's database connection
    can time out), is tried again on the same terms, after a pause growing
    with each one, as a client honouring Retry-After does. `busy`: a list to
    which each busy answer's Retry-After is appended."""
    if repeatable is None:
        repeatable = "Idempotency-Key" in headers
    data = json.dumps(body or {}).encode()
    attempt = busy_answers = 0
    while True:
        request = urllib.request.Request(base_url + path, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            answer = json.loads(error.read() or b"{}")
            code = answer.get("code")
            retry = repeatable and error.code == 503 and code in ("busy", "service_unavailable")
            if not retry or busy_answers == BUSY_ATTEMPTS:
                return error.code, answer
            if code == "busy" and busy is not None:
                busy.append(error.headers.get("Retry-After"))
            busy_answers += 1
            # Shorter than the Retry-After a real client honours, to keep the
            # test quick; growing, with jitter, so a crowd spreads out.
            clock.sleep(random.uniform(0.05, 0.1) * 2 ** min(busy_answers, 4))
        except (OSError, http.client.HTTPException) as error:
            attempt += 1
            if not (repeatable and _not_answered(error)) or attempt == ATTEMPTS:
                raise
            clock.sleep(0.1 * 2**attempt)


@pytest.fixture
def full_house(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Up to 48 requests queue on one session row here, on a loaded machine:
    # these tests are about capacity and order, so the fail-fast rule for the
    # session lock (a few waiters per process for 1 s, the others 503 `busy`)
    # and the booking lock wait (5 s) are lifted and everyone waits her turn.
    # `test_a_crowd_under_the_fail_fast_rule_is_all_answered` keeps the shipped
    # rule; tests/reliability/test_lock_timeouts.py is about the waits.
    settings.HARBOUR_BOOKING_LOCK_TIMEOUT_MS = 60_000
    settings.HARBOUR_SESSION_LOCK_WAIT_MS = 60_000
    settings.HARBOUR_SESSION_LOCK_WAITERS = CLIENTS
    org = OrganisationFactory()
    activity = make_activity(
        actor=coordinator_of(org), organisation=org, room=RoomFactory(capacity=40), capacity=10,
        title="Day trip", kind=Activity.Kind.DAY_TRIP, recurrence=None,
        start_date=timezone.localdate() + timedelta(days=5), start_time=time(9),
        end_time=time(17),
    )  # fmt: skip
    session = activity.sessions.get()
    people = [UserFactory(username=f"p{i:03d}") for i in range(260)]
    return session, people, [signed_in(p) for p in people]


def line(session) -> list[Booking]:
    return list(
        Booking.objects.filter(session=session, status="waiting").order_by("-priority", "seq")
    )


@pytest.mark.postgres
def test_200_at_once_give_exactly_10_places_and_a_gapless_line(live_server, full_house):
    session, _people, headers = full_house
    path = "/api/v1/bookings/"
    body = {"session": str(session.pk)}
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(
            pool.map(lambda h: post(live_server.url, path, keyed(h), body), headers[:200])
        )

    # 201, or the 200 replay of a booking whose first answer was lost (post()).
    codes = [code for code, _ in results]
    assert set(codes) <= {200, 201}, sorted(set(codes))
    assert len({r["id"] for _, r in results}) == 200
    assert sorted(r["status"] for _, r in results).count("confirmed") == 10
    positions = sorted(r["position"] for _, r in results if r["status"] == "waiting")
    assert positions == list(range(1, 191))
    session.refresh_from_db()
    assert session.booked_places == 10
    assert Booking.objects.filter(session=session, status="confirmed").count() == 10
    assert len(line(session)) == 190


@pytest.mark.postgres
def test_a_crowd_under_the_fail_fast_rule_is_all_answered(live_server, full_house, settings):
    """The shipped rule: a few requests per process wait for the session's row
    (HARBOUR_SESSION_LOCK_WAITERS, 1 s at most), the others are told 503
    `busy` with Retry-After at once (nothing written) and their client tries
    again with the same key. Everyone ends with her booking, exactly 10
    places, the line gapless."""
    from backend.config import settings as shipped

    settings.HARBOUR_SESSION_LOCK_WAIT_MS = shipped.HARBOUR_SESSION_LOCK_WAIT_MS
    settings.HARBOUR_SESSION_LOCK_WAITERS = shipped.HARBOUR_SESSION_LOCK_WAITERS
    assert settings.HARBOUR_SESSION_LOCK_WAITERS < CLIENTS
    session, _people, headers = full_house
    busy: list = []
    body = {"session": str(session.pk)}
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(
            pool.map(
                lambda h: post(live_server.url, "/api/v1/bookings/", keyed(h), body, busy=busy),
                headers[:200],
            )
        )

    codes = [code for code, _ in results]
    assert set(codes) <= {200, 201}, sorted(set(codes))
    assert len({r["id"] for _, r in results}) == 200
    assert sorted(r["status"] for _, r in results).count("confirmed") == 10
    positions = sorted(r["position"] for _, r in results if r["status"] == "waiting")
    assert positions == list(range(1, 191))
    session.refresh_from_db()
    assert session.booked_places == 10
    assert Booking.objects.filter(session=session).count() == 200
    # The rule was at work (a crowd of 48 on a few waiters), and said when to retry.
    assert busy, "nobody was told busy: the session lock was not taken fail-fast"
    assert all(retry_after and int(retry_after) >= 1 for retry_after in busy)


@pytest.mark.postgres
def test_cancellations_racing_promotions_and_late_bookings(live_server, full_house):
    session, people, headers = full_house
    path = "/api/v1/bookings/"
    body = {"session": str(session.pk)}
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        first = list(pool.map(lambda h: post(live_server.url, path, keyed(h), body), headers[:200]))
    by_user = {p.pk: h for p, h in zip(people, headers, strict=False)}
    confirmed = Booking.objects.filter(session=session, status="confirmed").select_related(
        "participant"
    )
    head_of_line = [b.pk for b in line(session)[:10]]

    cancels = [(by_user[b.participant.user_id], f"{path}{b.pk}/cancel/", None) for b in confirmed]
    jobs = cancels + [(keyed(h), path, body) for h in headers[200:260]]

    def send(job):
        # A cancellation has no key, but cancelling twice is harmless.
        return post(live_server.url, job[1], job[0], job[2], repeatable=job[2] is None)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        second = list(pool.map(send, jobs))

    assert all(code < 500 for code, _ in first + second)
    assert [code for code, _ in second[: len(cancels)]] == [200] * 10  # the cancellations
    session = Session.objects.get(pk=session.pk)
    now_confirmed = set(
        Booking.objects.filter(session=session, status="confirmed").values_list("pk", flat=True)
    )
    # Exactly full, and the places went to the first ten in line, not to latecomers.
    assert session.booked_places == 10
    assert now_confirmed == set(head_of_line)
    waiting = line(session)
    assert len(waiting) == 180 + 60
    positions = sorted(Booking.objects.filter(pk__in=[w.pk for w in waiting]).count() for _ in [0])
    assert positions == [240]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_person_booking_two_overlapping_sessions_at_once_gets_one(monkeypatch):
    import threading
    import time as clock

    from django.db import connection as db_connection

    from backend.bookings import rules, services
    from backend.common.errors import ApplicationError

    # Widen the gap between her overlap check and the commit, as a slow
    # request would: only a lock on her record keeps the second one out.
    weekly_limit = rules.check_weekly_limit

    def slow_weekly_limit(*args, **kwargs):
        clock.sleep(0.5)
        return weekly_limit(*args, **kwargs)

    monkeypatch.setattr(rules, "check_weekly_limit", slow_weekly_limit)

    org = OrganisationFactory()
    actor = coordinator_of(org)
    day = timezone.localdate() + timedelta(days=3)
    sessions = [
        make_activity(
            actor=actor, organisation=org, room=RoomFactory(), title=title, recurrence=None,
            start_date=day, start_time=time(10), end_time=time(12),
        ).sessions.get()
        for title in ("Football", "Music")
    ]  # fmt: skip
    person = UserFactory()
    from backend.accounts.services import participant_for_user

    participant_for_user(user=person)  # she has booked before: her record exists
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(session):
        try:
            barrier.wait()
            booking, _ = services.booking_create(actor=person, session=session)
            outcomes.append(booking.status)
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=book, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["confirmed", "overlapping_booking"]
