"""An activity's reminder timing through the API: read, written, validated,
and used by the next reminder run."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.notifications.models import Notification
from backend.notifications.reminders import reminders_send
from backend.timetable.models import Activity
from tests.conftest import client_for
from tests.factories import RoomFactory
from tests.timetable.test_api import activity_payload

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)
ACTIVITIES = "/api/v1/activities/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _create(world, **extra):
    payload = {**activity_payload(world.org, RoomFactory(capacity=20)), **extra}
    return client_for(world.coordinator).post(ACTIVITIES, payload, format="json")


def test_the_default_is_the_evening_before_and_it_is_read_back(world):
    response = _create(world)
    assert response.status_code == 201, response.content
    assert response.json()["reminder_timing"] == "day_before"
    url = f"{ACTIVITIES}{response.json()['id']}/"
    assert client_for(world.coordinator).get(url).json()["reminder_timing"] == "day_before"


def test_a_coordinator_chooses_two_hours_and_changes_it_back(world):
    response = _create(world, reminder_timing="two_hours")
    assert response.status_code == 201, response.content
    activity = Activity.objects.get(pk=response.json()["id"])
    assert activity.reminder_timing == Activity.ReminderTiming.TWO_HOURS
    url = f"{ACTIVITIES}{activity.pk}/"
    changed = client_for(world.coordinator).patch(
        url, {"reminder_timing": "day_before"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["activity"]["reminder_timing"] == "day_before"
    activity.refresh_from_db()
    assert activity.reminder_timing == Activity.ReminderTiming.DAY_BEFORE


@pytest.mark.parametrize("bad", ["an hour before", "", None, 2])
def test_an_unknown_timing_is_refused_and_nothing_changes(world, bad):
    response = _create(world)
    url = f"{ACTIVITIES}{response.json()['id']}/"
    refused = client_for(world.coordinator).patch(
        url, {"reminder_timing": bad, "title": "Changed"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert "reminder_timing" in refused.json()["fields"]
    activity = Activity.objects.get(pk=response.json()["id"])
    assert activity.title != "Changed"
    assert activity.reminder_timing == Activity.ReminderTiming.DAY_BEFORE


def test_a_learner_cannot_change_it(world):
    response = _create(world)
    url = f"{ACTIVITIES}{response.json()['id']}/"
    refused = client_for(world.learner).patch(url, {"reminder_timing": "two_hours"}, format="json")
    assert refused.status_code in (403, 404)
    assert Activity.objects.get(pk=response.json()["id"]).reminder_timing == "day_before"


def test_the_next_reminder_run_follows_the_timing_set_through_the_api(world):
    response = _create(world, reminder_timing="two_hours")
    activity = Activity.objects.get(pk=response.json()["id"])
    session = activity.sessions.order_by("start").first()
    person = participant_for_user(user=world.learner)
    person.phone = "07700 900123"
    person.save()
    booking_services.booking_create(actor=world.learner, session=session)
    start = session.start.astimezone(LONDON)
    evening_before = datetime.combine(start.date() - timedelta(days=1), time(18), LONDON)
    assert start.time() >= time(10), "two hours before must be out of quiet hours"
    with time_machine.travel(evening_before, tick=False):
        assert reminders_send() == 0  # not the evening before: 2 hours before
    with time_machine.travel(session.start - timedelta(hours=2, minutes=1), tick=False):
        assert reminders_send() == 0
    with time_machine.travel(session.start - timedelta(hours=2), tick=False):
        assert reminders_send() == 1
    assert Notification.objects.filter(kind="session_reminder").count() == 1
