import pytest

from backend.timetable.models import Activity
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    UserFactory,
    coordinator_of,
    make_activity,
)


@pytest.fixture
def org(db):
    return OrganisationFactory()


@pytest.fixture
def coordinator(org):
    return coordinator_of(org, username="coordinator")


@pytest.fixture
def make_session(org, coordinator):
    """A bookable session of a new one-off activity, 3 days ahead by default."""

    def make(capacity=2, **activity_fields):
        from datetime import time, timedelta

        from django.utils import timezone

        activity_fields.setdefault("start_date", timezone.localdate() + timedelta(days=3))
        activity_fields.setdefault("recurrence", None)
        activity_fields.setdefault("start_time", time(18))
        activity_fields.setdefault("end_time", time(20))
        activity_fields.setdefault("title", "Day trip to Matlock Bath")
        activity_fields.setdefault("kind", Activity.Kind.DAY_TRIP)
        activity = make_activity(
            actor=coordinator, organisation=org, room=RoomFactory(capacity=60),
            capacity=capacity, **activity_fields,
        )  # fmt: skip
        return activity.sessions.order_by("start").first()

    return make


@pytest.fixture
def people(db):
    return [UserFactory(username=f"learner{i}", email=f"l{i}@example.org") for i in range(6)]
