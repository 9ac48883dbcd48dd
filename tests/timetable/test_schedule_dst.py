"""A weekly 18:00 class stays at 18:00 local across both clock changes, and an
excluded date either side of each change is honoured, after a database round trip."""

from datetime import date, datetime, time
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
