"""Data and page helpers shared by the browser scenario tests."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from backend.timetable.models import Activity
from tests.factories import RoomFactory, make_activity


def one_off(world, *, title: str, capacity: int = 5, days_ahead: int = 1, space=None,
            start=time(18), end=time(20), **extra):  # fmt: skip
    """A bookable one-off session `days_ahead` London days from today."""
    actor = world.space_coordinator if space else world.coordinator
    activity = make_activity(
        actor=actor, organisation=world.org, room=RoomFactory(capacity=40), title=title,
        kind=Activity.Kind.DAY_TRIP, capacity=capacity, recurrence=None,
        start_date=timezone.localdate() + timedelta(days=days_ahead), start_time=start,
        end_time=end, space=space, **extra,
    )  # fmt: skip
    return activity.sessions.get()


def all_day_today(world, *, title: str, booked=(), **extra):
    """A session running all day today, already started whenever the suite runs,
    with `booked` people booked (generation only makes future sessions and
    nobody books a started one, so its row is moved to today afterwards)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from backend.bookings.services import booking_create

    session = one_off(world, title=title, **extra)
    for user in booked:
        booking_create(actor=user, session=session)
    today = timezone.localdate()
    london = ZoneInfo("Europe/London")
    start = datetime.combine(today, time(0, 1), tzinfo=london)
    end = datetime.combine(today, time(23, 59), tzinfo=london)
    type(session).objects.filter(pk=session.pk).update(start=start, end=end, original_start=start)
    session.refresh_from_db()
    return session


def ready(page, screen: str | None = None, timeout: int = 10_000) -> None:
    """Wait until the app itself (not the server-rendered shell) shows `screen`."""
    selector = "html[data-app=ready] main[aria-busy=false]"
    if screen:
        selector += f'[data-screen="{screen}"]'
    page.wait_for_selector(selector, timeout=timeout)


def lang_dir(page) -> list[str]:
    return page.evaluate("[document.documentElement.lang, document.documentElement.dir]")


def go(page, path: str, screen: str) -> None:
    page.evaluate("path => { location.hash = '#' + path; }", path)
    page.wait_for_selector(f'main[aria-busy=false][data-screen="{screen}"]')
