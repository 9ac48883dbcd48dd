"""Session generation: idempotent, to a horizon, and never deleting sessions
people are attached to when a coordinator edits the rule."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from backend.common.errors import ApplicationError
from backend.timetable import services
from backend.timetable.models import Activity, Session
from backend.timetable.services import ScheduleInput, activity_update, sessions_sync
from tests.factories import OrganisationFactory, RoomFactory, coordinator_of, make_activity

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)  # a Monday


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def coordinator(db):
    org = OrganisationFactory()
    return coordinator_of(org), org


def thursday_class(coordinator, **kwargs):
    actor, org = coordinator
    kwargs.setdefault("start_date", date(2027, 1, 7))
    kwargs.setdefault("recurrence", "RRULE:FREQ=WEEKLY;BYDAY=TH")
    return make_activity(actor=actor, organisation=org, **kwargs)


def reschedule(actor, activity, **schedule):
    """A coordinator's schedule edit; unspecified parts are the Thursday 18-20 class."""
    values = {
        "start_date": date(2027, 1, 7),
        "start_time": time(18),
        "end_time": time(20),
        "recurrence": "RRULE:FREQ=WEEKLY;BYDAY=TH",
        **schedule,
    }
    return activity_update(actor=actor, activity=activity, schedule_input=ScheduleInput(**values))


def dates_of(activity):
    return [
        s.original_start.astimezone(LONDON).date()
        for s in Session.objects.filter(activity=activity).order_by("original_start")
    ]


def test_generation_reaches_the_default_12_week_horizon(frozen, coordinator):
    activity = thursday_class(coordinator)
    days = dates_of(activity)
    assert days[0] == date(2027, 1, 7)
    assert days[-1] == date(2027, 3, 25)  # last Thursday before 4 Jan + 12 weeks
    assert len(days) == 12
    activity.refresh_from_db()
    assert activity.sessions_generated_until == date(2027, 3, 29)


def test_generation_is_idempotent(frozen, coordinator):
    activity = thursday_class(coordinator)
    before = list(Session.objects.filter(activity=activity).values_list("pk", "sequence"))
    result = sessions_sync(activity=Activity.objects.get(pk=activity.pk))
    assert result == services.SyncResult()
    call_command("generate_sessions")
    after = list(Session.objects.filter(activity=activity).values_list("pk", "sequence"))
    assert sorted(after) == sorted(before)


def test_the_horizon_moves_forward_with_time(frozen, coordinator):
    activity = thursday_class(coordinator)
    frozen.move_to(NOW + timedelta(weeks=2))
    result = services.sessions_generate_all()
    assert result.created == 2
    assert dates_of(activity)[-1] == date(2027, 4, 8)


def test_one_off_creates_exactly_one_session(frozen, coordinator):
    activity = thursday_class(
        coordinator, recurrence=None, start_date=date(2027, 2, 13), start_time=time(9),
        end_time=time(17),
    )  # fmt: skip
    assert dates_of(activity) == [date(2027, 2, 13)]
    services.sessions_generate_all()
    assert Session.objects.filter(activity=activity).count() == 1


def test_rule_edit_moves_unbooked_sessions_and_keeps_booked_ones(frozen, coordinator):
    actor, _ = coordinator
    activity = thursday_class(coordinator)
    booked = Session.objects.get(activity=activity, original_start__date=date(2027, 1, 21))
    booked.booked_places = 3
    booked.save()

    _, result = reschedule(
        actor, activity, start_date=date(2027, 1, 5), recurrence="RRULE:FREQ=WEEKLY;BYDAY=TU"
    )
    booked.refresh_from_db()
    assert booked.needs_review
    assert booked.status == Session.Status.SCHEDULED
    assert booked.review_note == services.REVIEW_NOT_IN_SCHEDULE
    weekdays = {
        s.original_start.astimezone(LONDON).weekday()
        for s in Session.objects.filter(activity=activity).exclude(pk=booked.pk)
    }
    assert weekdays == {1}
    assert result.deleted == 11 and result.flagged == 1 and result.created == 12


def test_excluding_a_booked_date_cancels_and_flags_it(frozen, coordinator):
    actor, _ = coordinator
    activity = thursday_class(coordinator)
    booked = Session.objects.get(activity=activity, original_start__date=date(2027, 1, 14))
    booked.booked_places = 2
    booked.save()
    unbooked_day = date(2027, 1, 28)
    reschedule(actor, activity, excluded_dates=(date(2027, 1, 14), unbooked_day))
    booked.refresh_from_db()
    assert booked.status == Session.Status.CANCELLED
    assert booked.cancel_reason == services.REASON_EXCLUDED
    assert booked.needs_review and booked.sequence == 1
    assert unbooked_day not in dates_of(activity)

    # Removing the exclusion brings the booked session back as it was.
    reschedule(actor, activity)
    booked.refresh_from_db()
    assert booked.status == Session.Status.SCHEDULED and not booked.needs_review
    assert unbooked_day in dates_of(activity)


def test_duration_change_updates_unmoved_sessions_and_bumps_sequence(frozen, coordinator):
    actor, _ = coordinator
    activity = thursday_class(coordinator)
    reschedule(actor, activity, end_time=time(21))
    for session in Session.objects.filter(activity=activity):
        assert session.end - session.start == timedelta(hours=3)
        assert session.sequence == 1


def test_past_sessions_are_never_touched(frozen, coordinator):
    actor, _ = coordinator
    activity = thursday_class(coordinator)
    first = Session.objects.filter(activity=activity).order_by("start").first()
    frozen.move_to(NOW + timedelta(weeks=1))
    reschedule(actor, activity, start_time=time(10), end_time=time(12))
    first.refresh_from_db()
    assert first.start.astimezone(LONDON).hour == 18


def test_lowering_capacity_below_bookings_is_refused(frozen, coordinator):
    actor, _ = coordinator
    activity = thursday_class(coordinator, capacity=12)
    Session.objects.filter(activity=activity).order_by("start").update(booked_places=0)
    session = Session.objects.filter(activity=activity).order_by("start")[3]
    session.booked_places = 10
    session.save()
    with pytest.raises(ApplicationError) as caught:
        activity_update(actor=actor, activity=activity, capacity=8)
    assert caught.value.code == "capacity_below_bookings"
    activity.refresh_from_db()
    assert activity.capacity == 12
    assert set(Session.objects.filter(activity=activity).values_list("capacity", flat=True)) == {12}

    activity_update(actor=actor, activity=activity, capacity=10)
    assert set(Session.objects.filter(activity=activity).values_list("capacity", flat=True)) == {10}


def test_schedule_that_produces_nothing_is_refused(frozen, coordinator):
    with pytest.raises(ApplicationError) as caught:
        thursday_class(coordinator, recurrence="RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20261201")
    assert caught.value.code == "no_occurrences"
    assert not Activity.objects.exists()


def test_periodic_generation_flags_a_clash_instead_of_double_booking_the_room(frozen, coordinator):
    actor, org = coordinator
    room = RoomFactory()
    weekly = thursday_class(coordinator, room=room, recurrence="RRULE:FREQ=WEEKLY;BYDAY=TH")
    # A one-off that lands just beyond the weekly class's horizon, in the same room.
    trip_day = date(2027, 4, 1)
    make_activity(
        actor=actor, organisation=org, room=room, recurrence=None, start_date=trip_day,
        start_time=time(17), end_time=time(19), title="Quiz night",
    )  # fmt: skip
    frozen.move_to(NOW + timedelta(weeks=1))
    services.sessions_generate_all()
    clashing = Session.objects.get(activity=weekly, original_start__date=trip_day)
    assert clashing.status == Session.Status.CANCELLED
    assert clashing.needs_review and clashing.review_note == services.REVIEW_CLASH
    live = Session.objects.filter(room=room, status="scheduled", start__date=trip_day)
    assert live.count() == 1
