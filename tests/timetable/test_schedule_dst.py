"""A weekly 18:00 class stays at 18:00 local across both clock changes, and an
excluded date either side of each change is honoured, after a database round trip."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.timetable import schedule
from backend.timetable.models import Activity, Session
from backend.timetable.services import sessions_sync
from tests.factories import OrganisationFactory, RoomFactory, coordinator_of, make_activity

LONDON = ZoneInfo("Europe/London")
# 2027: clocks go forward on 28 March, back on 31 October.
EXCLUDED = (date(2027, 3, 25), date(2027, 4, 1), date(2027, 10, 28), date(2027, 11, 4))


@pytest.fixture
def weekly_thursday(db):
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=LONDON), tick=False):
        org = OrganisationFactory()
        activity = make_activity(
            actor=coordinator_of(org),
            organisation=org,
            room=RoomFactory(),
            start_date=date(2027, 3, 4),
            start_time=time(18, 0),
            end_time=time(20, 0),
            recurrence="RRULE:FREQ=WEEKLY;BYDAY=TH",
            excluded_dates=EXCLUDED,
        )
        activity = Activity.objects.get(pk=activity.pk)  # round trip through the database
        sessions_sync(activity=activity, horizon_weeks=45)
    return activity


def test_weekly_class_keeps_local_time_across_both_clock_changes(weekly_thursday):
    sessions = list(Session.objects.filter(activity=weekly_thursday).order_by("start"))
    local_starts = [s.start.astimezone(LONDON) for s in sessions]
    assert local_starts[0].date() == date(2027, 3, 4)
    assert local_starts[-1].date() >= date(2027, 11, 25)
    assert {(d.hour, d.minute) for d in local_starts} == {(18, 0)}
    assert {d.weekday() for d in local_starts} == {3}
    # UTC hour really does change: 18:00 GMT then 17:00 UTC in summer.
    utc_hours = {s.start.astimezone(ZoneInfo("UTC")).hour for s in sessions}
    assert utc_hours == {17, 18}
    assert all((s.end - s.start).total_seconds() == 7200 for s in sessions)


def test_excluded_dates_either_side_of_each_change_are_honoured(weekly_thursday):
    local_dates = {
        s.start.astimezone(LONDON).date() for s in Session.objects.filter(activity=weekly_thursday)
    }
    for day in EXCLUDED:
        assert day not in local_dates
    # Their neighbours still run.
    for day in (date(2027, 3, 18), date(2027, 4, 8), date(2027, 10, 21), date(2027, 11, 11)):
        assert day in local_dates


def test_expand_from_stored_rule_matches_sessions(weekly_thursday):
    expanded = schedule.expand(
        rec=weekly_thursday.recurrence,
        start_date=weekly_thursday.start_date,
        start_time=weekly_thursday.start_time,
        tz_name=weekly_thursday.timezone,
        excluded_dates=[date.fromisoformat(d) for d in weekly_thursday.excluded_dates],
        window_start=datetime(2027, 3, 1, tzinfo=LONDON),
        window_end=datetime(2027, 6, 1, tzinfo=LONDON),
    )
    stored = list(
        Session.objects.filter(
            activity=weekly_thursday, start__lt=datetime(2027, 6, 1, tzinfo=LONDON)
        ).values_list("original_start", flat=True)
    )
    assert sorted(expanded) == sorted(stored)


def test_until_is_inclusive_of_its_local_day_in_summer(db):
    rec = schedule.parse_rule("RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20270715", tz=LONDON)
    starts = schedule.expand(
        rec=rec,
        start_date=date(2027, 7, 1),
        start_time=time(18),
        tz_name="Europe/London",
        window_start=datetime(2027, 6, 1, tzinfo=LONDON),
        window_end=datetime(2027, 9, 1, tzinfo=LONDON),
    )
    assert [s.date() for s in starts] == [date(2027, 7, 1), date(2027, 7, 8), date(2027, 7, 15)]


def test_until_survives_serialising_and_parsing_again():
    rec = schedule.parse_rule("RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20270715", tz=LONDON)
    again = schedule.parse_rule(schedule.rule_text(rec), tz=LONDON)
    assert again.rrules[0].until == rec.rrules[0].until


@pytest.mark.parametrize(
    "text",
    [
        "RRULE:FREQ=WEEKLYX",
        "RRULE:FREQ=WEEKLY;BYDAY=XX",
        "RRULE:FREQ=HOURLY",
        "DTSTART:20270101T100000Z\nRRULE:FREQ=DAILY",
        "EXDATE:20270101T100000Z",
        "every thursday",
        "RRULE:FREQ=WEEKLY;INTERVAL=0",
        "RRULE:FREQ=WEEKLY;COUNT=0",
    ],
)
def test_invalid_rules_are_refused_with_a_code(text):
    from backend.common.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        schedule.parse_rule(text, tz=LONDON)
    assert caught.value.code == "invalid_recurrence"
    assert caught.value.fields["recurrence"]


def test_start_date_off_the_rule_is_not_an_occurrence():
    rec = schedule.parse_rule("RRULE:FREQ=WEEKLY;BYDAY=TH", tz=LONDON)
    starts = schedule.expand(
        rec=rec,
        start_date=date(2027, 9, 6),  # a Monday
        start_time=time(18),
        tz_name="Europe/London",
        window_start=datetime(2027, 9, 1, tzinfo=LONDON),
        window_end=datetime(2027, 9, 20, tzinfo=LONDON),
    )
    assert [s.date() for s in starts] == [date(2027, 9, 9), date(2027, 9, 16)]


# --- local times that do not exist, or happen twice (issue 17) -------------------------
# 2027 in London: 01:00-02:00 GMT does not exist on 28 March (clocks go to 02:00
# BST); 01:00-02:00 happens twice on 31 October (BST, then GMT again).
UTC = ZoneInfo("UTC")


def _sessions_of(start_date, start_time, end_time, recurrence):
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=LONDON), tick=False):
        org = OrganisationFactory()
        activity = make_activity(
            actor=coordinator_of(org), organisation=org, room=RoomFactory(),
            start_date=start_date, start_time=start_time, end_time=end_time,
            recurrence=recurrence,
        )  # fmt: skip
        activity = Activity.objects.get(pk=activity.pk)
        sessions_sync(activity=activity, horizon_weeks=40)
    return {
        s.start.astimezone(LONDON).date(): s
        for s in Session.objects.filter(activity=activity).order_by("start")
    }


@pytest.mark.django_db
def test_a_start_in_the_spring_gap_moves_on_by_the_gap_and_keeps_its_length():
    days = _sessions_of(date(2027, 3, 27), time(1, 30), time(2, 30), "RRULE:FREQ=DAILY;COUNT=3")
    assert sorted(days) == [date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)]
    gap_day = days[date(2027, 3, 28)]
    # 01:30 does not exist that night: RFC 5545 takes it with the offset before
    # the gap, i.e. 01:30 GMT, which is 02:30 BST.
    assert gap_day.start.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert gap_day.start.astimezone(LONDON).time() == time(2, 30)
    assert days[date(2027, 3, 27)].start.astimezone(LONDON).time() == time(1, 30)
    assert days[date(2027, 3, 29)].start.astimezone(LONDON).time() == time(1, 30)
    for session in days.values():
        assert session.end - session.start == timedelta(hours=1)


@pytest.mark.django_db
def test_a_start_in_the_repeated_autumn_hour_is_the_first_of_the_two():
    days = _sessions_of(date(2027, 10, 30), time(1, 30), time(2, 30), "RRULE:FREQ=DAILY;COUNT=3")
    repeated = days[date(2027, 10, 31)]
    assert repeated.start.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # BST
    # One hour of elapsed time: it ends at the second 01:30 (GMT).
    assert repeated.end - repeated.start == timedelta(hours=1)
    assert repeated.end.astimezone(UTC) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert days[date(2027, 11, 1)].start.astimezone(UTC) == datetime(2027, 11, 1, 1, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_a_session_over_a_clock_change_lasts_its_duration_in_elapsed_time():
    days = _sessions_of(date(2027, 3, 28), time(0, 30), time(2, 30), None)
    (night,) = days.values()
    assert night.start.astimezone(UTC) == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert night.end - night.start == timedelta(hours=2)
    assert night.end.astimezone(LONDON).time() == time(3, 30)  # BST by then


def test_an_excluded_gap_day_is_still_excluded():
    rec = schedule.parse_rule("RRULE:FREQ=DAILY;COUNT=3", tz=LONDON)
    starts = schedule.expand(
        rec=rec, start_date=date(2027, 3, 27), start_time=time(1, 30), tz_name="Europe/London",
        excluded_dates=[date(2027, 3, 28)],
        window_start=datetime(2027, 3, 1, tzinfo=LONDON),
        window_end=datetime(2027, 4, 1, tzinfo=LONDON),
    )  # fmt: skip
    assert [s.date() for s in starts] == [date(2027, 3, 27), date(2027, 3, 29)]
