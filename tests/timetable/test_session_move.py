"""Moving a session: never into the past, never once it has taken place (a
move to last week was accepted and announced to the people booked). Time is
frozen on Tuesday 1 December 2026, 09:00 in London."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.notifications.models import Notification
from backend.timetable.models import Session
from tests.conftest import client_for
from tests.factories import RoomFactory, make_activity

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def session(world):
    activity = make_activity(
        actor=world.coordinator, organisation=world.org, room=RoomFactory(capacity=20),
        start_date=date(2026, 12, 3), start_time=time(18), end_time=time(20), recurrence=None,
    )  # fmt: skip
    return activity.sessions.get()


def test_a_move_into_the_past_is_refused_and_nothing_announced(world, session):
    before = (Notification.objects.count(), session.start, session.sequence)
    response = client_for(world.coordinator).post(
        f"/api/v1/sessions/{session.pk}/move/",
        {"start": "2026-11-24T18:00:00", "end": "2026-11-24T20:00:00"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "move_to_past"
    session.refresh_from_db()
    assert (Notification.objects.count(), session.start, session.sequence) == before


def test_a_session_that_took_place_cannot_be_moved(world, session):
    started = datetime(2026, 11, 30, 18, 0, tzinfo=LONDON)
    Session.objects.filter(pk=session.pk).update(
        start=started, end=started.replace(hour=20), original_start=started
    )
    response = client_for(world.coordinator).post(
        f"/api/v1/sessions/{session.pk}/move/",
        {"start": "2026-12-10T18:00:00", "end": "2026-12-10T20:00:00"},
        format="json",
    )
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "session_started"
    session.refresh_from_db()
    assert session.start == started and not session.is_moved


def test_a_move_to_a_later_day_and_another_room_still_works(world, session):
    other = RoomFactory(capacity=20)
    response = client_for(world.coordinator).post(
        f"/api/v1/sessions/{session.pk}/move/",
        {"start": "2026-12-04T18:00:00", "end": "2026-12-04T19:30:00", "room": str(other.pk)},
        format="json",
    )
    assert response.status_code == 200, response.json()
    session.refresh_from_db()
    assert session.room == other and session.is_moved
