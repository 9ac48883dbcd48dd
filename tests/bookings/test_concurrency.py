"""On real PostgreSQL, through a live HTTP server: 200 people press "book" for
10 places at once; then cancellations race promotions and late bookings."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
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


def post(base_url, path, headers, body=None):
    request = urllib.request.Request(
        base_url + path, data=json.dumps(body or {}).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def full_house(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Up to 48 requests queue on one session row here, on a loaded machine:
    # more than production's bounded app threads ever would, so the booking
    # lock wait (5 s, a 503 `busy` after) is lifted; these tests are about
    # capacity and order, and tests/reliability/test_lock_timeouts.py about it.
    settings.HARBOUR_BOOKING_LOCK_TIMEOUT_MS = 60_000
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
        results = list(pool.map(lambda h: post(live_server.url, path, h, body), headers[:200]))

    codes = [code for code, _ in results]
    assert codes.count(201) == 200, sorted(set(codes))
    assert sorted(r["status"] for _, r in results).count("confirmed") == 10
    positions = sorted(r["position"] for _, r in results if r["status"] == "waiting")
    assert positions == list(range(1, 191))
    session.refresh_from_db()
    assert session.booked_places == 10
    assert Booking.objects.filter(session=session, status="confirmed").count() == 10
    assert len(line(session)) == 190


@pytest.mark.postgres
def test_cancellations_racing_promotions_and_late_bookings(live_server, full_house):
    session, people, headers = full_house
    path = "/api/v1/bookings/"
    body = {"session": str(session.pk)}
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        first = list(pool.map(lambda h: post(live_server.url, path, h, body), headers[:200]))
    by_user = {p.pk: h for p, h in zip(people, headers, strict=False)}
    confirmed = Booking.objects.filter(session=session, status="confirmed").select_related(
        "participant"
    )
    head_of_line = [b.pk for b in line(session)[:10]]

    jobs = [(by_user[b.participant.user_id], f"{path}{b.pk}/cancel/", None) for b in confirmed] + [
        (h, path, body) for h in headers[200:260]
    ]
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        second = list(pool.map(lambda job: post(live_server.url, job[1], job[0], job[2]), jobs))

    assert all(code < 500 for code, _ in first + second)
    assert [code for code, _ in second].count(200) == 10  # the cancellations
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
