"""Reminders before booked sessions: when, once, not in quiet hours, discreet."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command

from backend.bookings import services as booking_services
from backend.notifications.messages import MESSAGES
from backend.notifications.models import Notification, Reminder
from backend.notifications.reminders import reminder_due, reminders_send
from backend.timetable import services as timetable_services
from backend.timetable.models import Activity, Session
from tests.notifications.conftest import LONDON, at


def reminders(booking):
    return Notification.objects.filter(
        participant=booking.participant, kind__startswith="session_reminder"
    )


@pytest.mark.parametrize(
    "monday",
    [date(2027, 3, 29), date(2027, 11, 1)],  # the day after the March and October clock changes
    ids=["march", "october"],
)
def test_the_day_before_at_18_local_on_both_sides_of_a_clock_change(booked, monday):
    booking = booked(monday)
    sunday = monday - timedelta(days=1)
    assert reminder_due(booking.session) == at(sunday, 18)
    with time_machine.travel(at(sunday, 17, 59), tick=False):
        assert reminders_send() == 0
    with time_machine.travel(at(sunday, 18, 0), tick=False):
        assert reminders_send() == 1
    [note] = reminders(booking)
    assert "Bike repair" in note.body
    assert "/r/" in note.body


def test_running_it_again_sends_nothing_twice(booked):
    booking = booked(date(2027, 5, 4))
    with time_machine.travel(at(date(2027, 5, 3), 18, 30), tick=False):
        assert reminders_send() == 1
        assert reminders_send() == 0
        call_command("send_reminders")
    assert reminders(booking).count() == 1
    assert Reminder.objects.filter(booking=booking).count() == 1


def test_not_in_quiet_hours_then_in_the_morning(booked, settings):
    booking = booked(date(2027, 5, 4))  # Tuesday 18:00
    booking.session.refresh_from_db()
    with time_machine.travel(at(date(2027, 5, 3), 22), tick=False):
        assert reminders_send() == 0  # due since 18:00, but it is 22:00
    with time_machine.travel(at(date(2027, 5, 4), 7, 50), tick=False):
        assert reminders_send() == 0
    with time_machine.travel(at(date(2027, 5, 4), 8, 0), tick=False):
        assert reminders_send() == 1
    assert reminders(booking).count() == 1


def test_a_cancelled_booking_or_session_is_not_reminded(world, booked):
    mine = booked(date(2027, 5, 4), title="Football")
    booking_services.booking_cancel(actor=world.learner, booking=mine)
    other = booked(date(2027, 5, 4), title="Cooking")
    with time_machine.travel(at(date(2027, 4, 30), 12), tick=False):
        timetable_services.session_cancel(
            actor=world.coordinator, session=other.session, reason="Storm"
        )
    with time_machine.travel(at(date(2027, 5, 3), 18, 30), tick=False):
        assert reminders_send() == 0
    assert not Notification.objects.filter(kind__startswith="session_reminder").exists()


def test_a_moved_session_is_reminded_again_for_its_new_time(world, booked):
    booking = booked(date(2027, 5, 4))
    with time_machine.travel(at(date(2027, 5, 3), 18, 30), tick=False):
        assert reminders_send() == 1
    session = booking.session
    session.start += timedelta(days=2)
    session.end += timedelta(days=2)
    session.save()
    with time_machine.travel(at(date(2027, 5, 4), 18, 30), tick=False):
        assert reminders_send() == 0  # the new time is Thursday: not yet
    with time_machine.travel(at(date(2027, 5, 5), 18, 30), tick=False):
        assert reminders_send() == 1
    assert reminders(booking).count() == 2


def test_a_women_only_reminder_names_neither_the_activity_nor_the_place(world, booked):
    booking = booked(date(2027, 5, 4), title="Women's swimming", space=world.space)
    with time_machine.travel(at(date(2027, 5, 3), 18, 30), tick=False):
        assert reminders_send() == 1
    [note] = reminders(booking)
    assert note.kind == "session_reminder_discreet"
    text = note.subject + note.body
    assert "swimming" not in text.lower()
    assert booking.session.room.venue.name not in text
    assert booking.session.room.name not in text
    assert "/r/" in note.body  # the one-tap links are there, and say nothing either


def test_a_woman_who_chose_the_full_wording_gets_it_in_her_reminder(world, booked):
    from backend.feeds import services as feed_services

    feed_services.feed_settings_update(user=world.learner_with_grant, discreet=False)
    booking = booked(date(2027, 5, 4), title="Women's swimming", space=world.space)
    with time_machine.travel(at(date(2027, 5, 3), 18, 30), tick=False):
        assert reminders_send() == 1
    [note] = reminders(booking)
    assert note.kind == "session_reminder"
    assert "swimming" in (note.subject + note.body).lower()


def test_messages_about_a_booking_end_with_a_real_link(world, booked, settings):
    settings.HARBOUR_SITE_URL = "https://harbour.example.org"
    booking = booked(date(2027, 5, 4))
    booking_services.booking_cancel(actor=world.learner, booking=booking)
    [cancelled] = Notification.objects.filter(
        participant=booking.participant, kind="booking_cancelled"
    )
    assert cancelled.body.endswith("https://harbour.example.org/")
    for _subject, body in MESSAGES.values():
        assert "open Harbour" not in str(body)
        assert "_link}" in str(body)


def two_hours_before(booking, *, hour: int = 18):
    activity = booking.session.activity
    activity.reminder_timing = Activity.ReminderTiming.TWO_HOURS
    activity.save(update_fields=["reminder_timing"])
    start = booking.session.start.astimezone(LONDON).replace(hour=hour)
    end = start + timedelta(hours=2)
    Session.objects.filter(pk=booking.session_id).update(start=start, end=end)
    booking.session.refresh_from_db()
    return booking


def test_the_day_before_is_the_default(booked):
    booking = booked(date(2027, 5, 4))
    assert booking.session.activity.reminder_timing == Activity.ReminderTiming.DAY_BEFORE


def test_an_activity_may_choose_two_hours_before(booked):
    booking = two_hours_before(booked(date(2027, 5, 4)))
    assert reminder_due(booking.session) == at(date(2027, 5, 4), 16)
    with time_machine.travel(at(date(2027, 5, 3), 18, 30), tick=False):
        assert reminders_send() == 0  # not the evening before
    with time_machine.travel(at(date(2027, 5, 4), 15, 59), tick=False):
        assert reminders_send() == 0
    with time_machine.travel(at(date(2027, 5, 4), 16), tick=False):
        assert reminders_send() == 1
        assert reminders_send() == 0
    assert reminders(booking).count() == 1


def test_two_hours_before_a_morning_class_waits_for_the_end_of_quiet_hours(booked):
    booking = two_hours_before(booked(date(2027, 5, 4)), hour=9)
    assert reminder_due(booking.session) == at(date(2027, 5, 4), 7)
    with time_machine.travel(at(date(2027, 5, 4), 7, 30), tick=False):
        assert reminders_send() == 0
    with time_machine.travel(at(date(2027, 5, 4), 8), tick=False):
        assert reminders_send() == 1
