"""Benchmark (not a timed test): a personal feed with a year of weekly bookings
and 10 followed activities. Prints full generation time and 304 throughput,
each as a ratio to a plain Django view (/healthz) measured in the same run.
Run: `make bench` (add DATABASE_URL for PostgreSQL)."""

from __future__ import annotations

import time as clock
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backend.bookings.models import Booking
from backend.feeds import services as feed_services
from backend.feeds.models import Follow
from backend.timetable.models import Activity
from backend.timetable.services import sessions_sync
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    UserFactory,
    coordinator_of,
    make_activity,
)


def per_request_ms(client, url, n, **headers) -> tuple[float, int]:
    started = clock.perf_counter()
    for _ in range(n):
        response = client.get(url, **headers)
    return (clock.perf_counter() - started) * 1000 / n, response.status_code


@pytest.mark.bench
@pytest.mark.django_db
def test_personal_feed_generation_and_304_against_a_plain_view():
    from backend.accounts.services import participant_for_user

    org = OrganisationFactory()
    actor = coordinator_of(org)
    learner = UserFactory(username="fatima")
    person = participant_for_user(user=learner)
    activities = []
    for i in range(11):
        activity = make_activity(
            actor=actor, organisation=org, room=RoomFactory(), title=f"Class {i}",
            kind=Activity.Kind.ENGLISH_CLASS, start_date=timezone.localdate() + timedelta(days=1),
            start_time=time(9 + i % 8), end_time=time(10 + i % 8), recurrence="RRULE:FREQ=WEEKLY",
        )  # fmt: skip
        sessions_sync(activity=activity, horizon_weeks=52)
        activities.append(activity)
    booked = activities[0]
    Booking.objects.bulk_create(
        Booking(session=s, participant=person, status="confirmed", queued_at=timezone.now(), seq=1)
        for s in booked.sessions.all()
    )
    Follow.objects.bulk_create(Follow(user=learner, activity=a) for a in activities[1:])
    token = feed_services.feed_token_rotate(user=learner)
    url = reverse("feed-personal", kwargs={"token": token})
    client = Client()

    first = client.get(url)
    events = first.content.count(b"BEGIN:VEVENT")
    etag = first["ETag"]

    plain_ms, _ = per_request_ms(client, reverse("healthz"), 300)
    full_ms, full_status = per_request_ms(client, url, 10)
    not_modified_ms, cached_status = per_request_ms(client, url, 300, HTTP_IF_NONE_MATCH=etag)
    assert (full_status, cached_status) == (200, 304)

    print(
        f"\nPersonal feed ({connection.vendor}): {events} events "
        f"({booked.sessions.count()} booked, 10 followed activities), {len(first.content)} bytes"
    )
    print(f"{'request':<28}{'ms each':>9}{'req/s':>9}{'vs plain view':>15}")
    rows = [
        ("plain Django view", plain_ms),
        ("feed, full generation", full_ms),
        ("feed, 304 Not Modified", not_modified_ms),
    ]
    for name, ms in rows:
        print(f"{name:<28}{ms:>9.2f}{1000 / ms:>9.0f}{plain_ms / ms:>15.3f}")
