from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.timetable.models import Activity
from tests.factories import RoomFactory, make_activity

LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def booked(world):
    """booked(day, title=..., space=None) -> a confirmed booking of world.learner
    (phone only) at 18:00 London on `day`, made a week before."""

    def make(day: date, *, title="Bike repair", space=None, user=None):
        user = user or (world.learner_with_grant if space else world.learner)
        with time_machine.travel(at(day - timedelta(days=7), 12), tick=False):
            activity = make_activity(
                actor=world.space_coordinator if space else world.coordinator,
                organisation=world.org, room=RoomFactory(capacity=30), title=title,
                kind=Activity.Kind.DAY_TRIP, capacity=5, recurrence=None, start_date=day,
                start_time=time(18), end_time=time(20), space=space,
            )  # fmt: skip
            person = participant_for_user(user=user)
            person.phone = "07700 900123"
            person.save()
            booking, _ = booking_services.booking_create(
                actor=user, session=activity.sessions.get()
            )
        return booking

    return make
