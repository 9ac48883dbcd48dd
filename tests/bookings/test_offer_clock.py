"""An offer's clock pauses in quiet hours (21:00-08:00 in the activity's time
zone): an offer made at 20:30 is not lost while she sleeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.bookings import services
from backend.common.quiet_hours import add_awake_time
from backend.timetable.models import Activity

LONDON = ZoneInfo("Europe/London")
TEHRAN = ZoneInfo("Asia/Tehran")


def at(day: date, hour: int, minute: int = 0, zone=LONDON) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def expiry(made: datetime, hours: int, zone=LONDON) -> datetime:
    return add_awake_time(made, timedelta(hours=hours), zone).astimezone(zone)


@pytest.mark.parametrize(
    ("made", "hours", "expires"),
    [
        (at(date(2027, 5, 3), 20, 30), 12, at(date(2027, 5, 4), 19, 30)),  # over a night
        (at(date(2027, 5, 3), 10), 11, at(date(2027, 5, 3), 21)),  # just before the night
        (at(date(2027, 5, 3), 10), 12, at(date(2027, 5, 4), 9)),
        (at(date(2027, 5, 3), 23), 1, at(date(2027, 5, 4), 9)),  # made in the night
        (at(date(2027, 5, 4), 7, 30), 1, at(date(2027, 5, 4), 9)),
        (at(date(2027, 5, 3), 20, 30), 48, at(date(2027, 5, 7), 16, 30)),  # 3 nights
    ],
)
def test_the_clock_runs_only_outside_quiet_hours(made, hours, expires):
    assert expiry(made, hours) == expires


@pytest.mark.parametrize(
    ("saturday", "night"),
    [(date(2027, 3, 27), timedelta(hours=10)), (date(2027, 10, 30), timedelta(hours=12))],
    ids=["march", "october"],
)
def test_across_a_clock_change_she_still_gets_12_waking_hours(saturday, night):
    made = at(saturday, 20, 30)
    expires = expiry(made, 12)
    assert expires == at(saturday + timedelta(days=1), 19, 30)  # 19:30 local either way
    # Real time: 12 waking hours plus a night an hour shorter or longer than usual.
    assert expires.astimezone(UTC) - made.astimezone(UTC) == timedelta(hours=12) + night


def test_quiet_hours_are_the_activitys_own_time_zone():
    made = at(date(2027, 5, 3), 23, zone=TEHRAN)  # 20:30 in London
    assert expiry(made, 12, zone=TEHRAN) == at(date(2027, 5, 4), 20, zone=TEHRAN)
    assert expiry(made, 12, zone=LONDON) == at(date(2027, 5, 4), 19, 30, zone=LONDON)


def test_without_quiet_hours_the_clock_just_runs(settings):
    settings.HARBOUR_QUIET_START = settings.HARBOUR_QUIET_END = 0
    made = at(date(2027, 5, 3), 20, 30)
    assert expiry(made, 12) == made + timedelta(hours=12)


def test_other_quiet_hours_from_settings(settings):
    settings.HARBOUR_QUIET_START, settings.HARBOUR_QUIET_END = 22, 7
    assert expiry(at(date(2027, 5, 3), 20, 30), 12) == at(date(2027, 5, 4), 17, 30)


def test_an_offer_made_at_20_30_does_not_expire_while_she_sleeps(make_session, people):
    with time_machine.travel(at(date(2027, 5, 1), 12), tick=False):
        session = make_session(
            capacity=1, waitlist_mode=Activity.WaitlistMode.OFFER, offer_hours=12,
            start_date=date(2027, 5, 6),
        )  # fmt: skip
        first, _ = services.booking_create(actor=people[0], session=session)
        second, _ = services.booking_create(actor=people[1], session=session)
    with time_machine.travel(at(date(2027, 5, 3), 20, 30), tick=False):
        services.booking_cancel(actor=people[0], booking=first)
    second.refresh_from_db()
    assert second.status == "offered"
    assert second.offer_expires_at == at(date(2027, 5, 4), 19, 30)
    with time_machine.travel(at(date(2027, 5, 4), 8, 31), tick=False):  # 12 h later
        assert services.offers_expire_due() == 0
        services.offer_accept(actor=people[1], booking=second)
    second.refresh_from_db()
    assert second.status == "confirmed"


def test_an_unanswered_offer_expires_after_her_waking_hours(make_session, people):
    with time_machine.travel(at(date(2027, 5, 1), 12), tick=False):
        session = make_session(
            capacity=1, waitlist_mode=Activity.WaitlistMode.OFFER, offer_hours=12,
            start_date=date(2027, 5, 6),
        )  # fmt: skip
        first, _ = services.booking_create(actor=people[0], session=session)
        second, _ = services.booking_create(actor=people[1], session=session)
    with time_machine.travel(at(date(2027, 5, 3), 20, 30), tick=False):
        services.booking_cancel(actor=people[0], booking=first)
    with time_machine.travel(at(date(2027, 5, 4), 19, 29), tick=False):
        assert services.offers_expire_due() == 0
    with time_machine.travel(at(date(2027, 5, 4), 19, 30), tick=False):
        assert services.offers_expire_due() == 1
    second.refresh_from_db()
    assert second.status == "expired"
