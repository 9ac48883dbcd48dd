"""The Thursday class most register tests start from."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.accounts.models import Participant
from backend.bookings import services as booking_services
from backend.timetable.models import Activity
from tests.factories import (
    OrganisationFactory,
    RoomFactory,
    UserFactory,
    coordinator_of,
    make_activity,
)

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2027, 3, 1, 8, 0, tzinfo=LONDON)  # Thursdays: 4 and 11 March


@pytest.fixture
def thursday_dropin(db):
    """A booked Thursday class at St Anne's, its coordinator and tutor."""
    with time_machine.travel(MONDAY, tick=False):
        org = OrganisationFactory(name="Derbyshire Refugee Solidarity", slug="drs")
        coordinator = coordinator_of(org)
        tutor = UserFactory(username="tutor")
        from backend.organisations.services import organisation_role_assign
        from backend.timetable.services import activity_tutor_assign

        organisation_role_assign(organisation=org, user=tutor, role="tutor")
        activity = make_activity(
            actor=coordinator, organisation=org, room=RoomFactory(capacity=40), capacity=30,
            title="Thursday English", kind=Activity.Kind.ENGLISH_CLASS,
            start_date=date(2027, 3, 4), start_time=time(10), end_time=time(12),
            recurrence="RRULE:FREQ=WEEKLY;BYDAY=TH", booking_opens_days=14,
        )  # fmt: skip
        activity_tutor_assign(actor=coordinator, activity=activity, tutor=tutor)
        first, second = activity.sessions.order_by("start")[:2]
    return {"org": org, "coordinator": coordinator, "tutor": tutor, "activity": activity,
            "first": first, "second": second}  # fmt: skip


def book_people(session, n, prefix):
    people = []
    for i in range(n):
        user = UserFactory(username=f"{prefix}{i}")
        booking_services.booking_create(actor=user, session=session)
        people.append(Participant.objects.get(user=user))
    return people
