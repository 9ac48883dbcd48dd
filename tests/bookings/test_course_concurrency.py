"""On real PostgreSQL, through a live HTTP server: 200 mothers enrol for a
course at once, most with a baby for the crèche, for 10 places on each of its
sessions and 6 crèche places (two staff, three babies each). Exactly 10 and 6
are given, on every session, and the course's line is gapless.

Why the numbers are exact whatever the arrival order: 196 ask for a crèche
place and 4 do not. Crèche requests are enrolled until the crèche is full (6);
the 4 without children fit whenever they come, because 6 + 4 = 10 places."""

from __future__ import annotations

import time as clock
from concurrent.futures import ThreadPoolExecutor
from datetime import time, timedelta

import pytest
from django.utils import timezone

from backend.bookings import creche
from backend.bookings.models import Booking, CourseEnrolment
from backend.timetable.models import Activity
from tests.bookings.test_concurrency import CLIENTS, keyed, post, signed_in
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    UserFactory,
    coordinator_of,
    make_activity,
)


@pytest.fixture
def term(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # As in test_concurrency.py: up to 48 requests queue on the course's rows
    # on a loaded machine; this test is about capacity and order, not busy 503s.
    settings.HARBOUR_BOOKING_LOCK_TIMEOUT_MS = 60_000
    org = OrganisationFactory()
    start = timezone.localdate() + timedelta(days=3)
    course = make_activity(
        actor=coordinator_of(org), organisation=org, room=RoomFactory(capacity=40), capacity=10,
        title="Women's English term", kind=Activity.Kind.ENGLISH_CLASS, start_date=start,
        start_time=time(10), end_time=time(12), recurrence="RRULE:FREQ=WEEKLY;COUNT=3",
        is_course=True, creche_staff=2,
    )  # fmt: skip
    people = [UserFactory(username=f"m{i:03d}") for i in range(200)]
    return course, people, [signed_in(p) for p in people]


def enrol_until_answered(base_url, headers, body):
    """POST, and on a 503 `busy` (on a loaded machine 48 requests queue on the
    course's rows longer than the 20 s statement timeout) try again with the
    same Idempotency-Key, as the app's "try again" does: a busy answer rolled
    everything back, and the key makes a retry return the first enrolment if
    one was made. So retrying can never enrol anyone twice."""
    for attempt in range(8):
        code, answer = post(base_url, "/api/v1/enrolments/", headers, body)
        if not (code == 503 and answer.get("code") == "busy"):
            return code, answer
        clock.sleep(0.2 * 2**attempt)
    return code, answer


def body_for(course, index: int) -> dict:
    body: dict = {"activity": str(course.pk)}
    if index % 50 != 0:  # 4 of the 200 (0, 50, 100, 150) bring no child
        year = timezone.localdate().year - 1
        body["children"] = [{"birth_year": year, "birth_month": 1}]
    return body


@pytest.mark.postgres
def test_200_enrolments_with_creche_requests_give_exactly_10_and_6(live_server, term):
    course, _people, headers = term
    jobs = [(keyed(h), body_for(course, i)) for i, h in enumerate(headers)]
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda job: enrol_until_answered(live_server.url, *job), jobs))

    codes = [code for code, _ in results]
    assert set(codes) <= {200, 201}, sorted(set(codes))
    assert len({r["id"] for _, r in results}) == 200
    statuses = [r["status"] for _, r in results]
    assert statuses.count("confirmed") == 10
    positions = sorted(r["position"] for _, r in results if r["status"] == "waiting")
    assert positions == list(range(1, 191))  # gapless
    enrolled = CourseEnrolment.objects.filter(activity=course, status="confirmed")
    assert sum(e.creche_children.count() for e in enrolled) == 6
    for session in course.sessions.all():
        session.refresh_from_db()
        assert session.booked_places == 10
        assert Booking.objects.filter(session=session, status="confirmed").count() == 10
        assert len(creche.children_holding(session)) == 6
    seqs = sorted(CourseEnrolment.objects.filter(activity=course).values_list("seq", flat=True))
    assert seqs == list(range(1, 201))
