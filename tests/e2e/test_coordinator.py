"""A coordinator cancels and moves sessions, sees a waiting list and the figures."""

from __future__ import annotations

from playwright.sync_api import expect

from backend.bookings import services as booking_services
from tests.e2e.scenarios import one_off, ready


def test_a_coordinator_cancels_a_session_with_a_reason(world, app, axe_check, screenshot):
    session = one_off(world, title="Bike repair", capacity=1)
    booking_services.booking_create(actor=world.learner, session=session)
    booking_services.booking_create(actor=world.man, session=session)
    page = app("/#/coordinate", user=world.coordinator)
    ready(page, "coordinate")
    axe_check(page, "coordinate")
    screenshot(page, "coordinate")

    card = page.locator("li.session", has_text="Bike repair")
    card.get_by_role("link", name="Waiting list", exact=True).click()
    ready(page, "line")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").nth(1)).to_contain_text("Waiting: number 1")
    axe_check(page, "waiting list")
    screenshot(page, "waiting-list")

    page.go_back()
    ready(page, "coordinate")
    page.locator("li.session", has_text="Bike repair").get_by_role("button", name="Cancel").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reason (people booked are told)").fill("The mechanic is ill")
    dialog.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_text("Session cancelled. People booked will be told.")).to_be_visible()
    session.refresh_from_db()
    assert session.status == "cancelled" and session.cancel_reason == "The mechanic is ill"
    expect(page.locator("li.session.cancelled", has_text="Bike repair")).to_contain_text(
        "The mechanic is ill"
    )


def test_figures_are_charted_with_a_csv_download(world, app, axe_check, screenshot):
    page = app("/#/figures", user=world.coordinator)
    ready(page, "figures")
    expect(page.locator(".tiles li")).to_have_count(8)
    expect(page.locator("svg.chart")).to_be_visible()
    csv = page.get_by_role("link", name="Download as CSV")
    assert "/api/v1/reports/figures.csv?" in csv.get_attribute("href")
    with page.expect_download() as download:
        csv.click()
    assert download.value.suggested_filename.endswith(".csv")
    axe_check(page, "figures")
    screenshot(page, "figures")


# --- setting up the timetable (issue 14) --------------------------------------------------


def _wednesday_weeks_ahead(weeks: int):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return today + timedelta(days=(2 - today.weekday()) % 7 + 7 * weeks)


def test_a_new_coordinator_sets_up_a_weekly_class_with_a_skipped_date(
    world, app, axe_check, screenshot
):
    """Conversation Club, every Wednesday 14:00-15:30 for half a year, not in
    half-term, Room 2, 12 places: she sees its dates (and a clash) before saving."""
    from datetime import time, timedelta

    from backend.timetable.models import Activity
    from tests.factories import RoomFactory, coordinator_of, make_activity

    newcomer = coordinator_of(world.org, username="amina", known_as="Amina")
    room = RoomFactory(name="Room 2", capacity=20)
    first = _wednesday_weeks_ahead(5)
    last = first + timedelta(weeks=27)  # 28 Wednesdays
    half_term = first + timedelta(weeks=6)
    taken = first + timedelta(weeks=10)
    make_activity(
        actor=world.coordinator, organisation=world.org, room=room, title="Job club",
        start_date=taken, start_time=time(15), end_time=time(16), recurrence=None,
    )  # fmt: skip

    page = app("/#/coordinate", user=newcomer)
    ready(page, "coordinate")
    page.get_by_role("link", name="Activities", exact=True).click()
    ready(page, "activities")
    page.get_by_role("link", name="New activity").click()
    ready(page, "activity-form")
    axe_check(page, "new activity")
    screenshot(page, "new-activity-empty")

    page.get_by_role("radio", name="Social").check()
    page.get_by_label("Title").fill("Conversation Club")
    page.get_by_label("What to bring").fill("Nothing: tea is on us")
    page.get_by_label("Room").select_option(label="Room 2 (holds 20)")
    page.get_by_label("Places").fill("12")
    page.get_by_label("Every week").check()
    page.get_by_label("Wednesday").check()
    page.get_by_label("First date").fill(first.isoformat())
    page.get_by_label("Starts at").fill("14:00")
    page.get_by_label("Ends at").fill("15:30")
    page.get_by_label("On a date").check()
    page.get_by_label("Last date").fill(last.isoformat())
    page.get_by_label("Add a date").fill(half_term.isoformat())
    page.get_by_role("button", name="Skip this date").click()
    expect(page.locator(".chips li")).to_have_count(1)
    page.get_by_role("button", name="Check the dates").click()

    preview = page.locator(".preview-card")
    expect(preview.locator(".dates .date")).to_have_count(27)
    expect(preview).to_contain_text("27 dates")
    clash = preview.locator(f'.date.clash[data-day="{taken.isoformat()}"]')
    expect(clash).to_contain_text("Job club")
    expect(preview.get_by_role("button", name="Save the activity")).to_be_disabled()
    axe_check(page, "schedule preview")
    screenshot(page, "schedule-preview-with-clash")

    clash.get_by_role("button", name="Skip this date").click()
    expect(preview.locator(".dates .date")).to_have_count(26)
    expect(preview.locator(".date.clash")).to_have_count(0)
    screenshot(page, "schedule-preview")
    preview.get_by_role("button", name="Save the activity").click()
    ready(page, "activities")
    expect(page.get_by_text("Conversation Club is saved")).to_be_visible()
    card = page.locator("li.activity", has_text="Conversation Club")
    expect(card).to_contain_text("Every week on Wednesday")
    screenshot(page, "activities")

    activity = Activity.objects.get(title="Conversation Club")
    assert activity.capacity == 12 and activity.room == room and activity.kind == "social"
    assert activity.excluded_dates == sorted([half_term.isoformat(), taken.isoformat()])
    assert activity.start_time == time(14) and activity.duration == timedelta(minutes=90)
    assert activity.sessions.count() > 0

    # Her desk at 1280 px, and the edit form, filled from what she saved.
    page.set_viewport_size({"width": 1280, "height": 900})
    card.get_by_role("link", name="Edit Conversation Club").click()
    ready(page, "activity-form")
    expect(page.get_by_label("Title")).to_have_value("Conversation Club")
    expect(page.get_by_label("Wednesday")).to_be_checked()
    expect(page.locator(".chips li")).to_have_count(2)
    screenshot(page, "edit-activity-wide")


def test_a_christmas_closure_cancels_sessions_and_is_undone(world, app, axe_check, screenshot):
    from datetime import timedelta

    from django.utils import timezone

    from backend.accounts.models import Participant
    from backend.notifications.models import Notification

    session = world.public_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=world.learner, session=session)
    Participant.objects.filter(user=world.learner).update(phone="+447700900123")
    start = timezone.localtime(session.start).date()
    covered = [
        s for s in world.public_activity.sessions.all()
        if start <= timezone.localtime(s.start).date() <= start + timedelta(days=8)
    ]  # fmt: skip
    assert len(covered) == 2

    page = app("/#/closures", user=world.coordinator)
    ready(page, "closures")
    axe_check(page, "terms and closures")
    page.get_by_label("Reason (people booked are told)").fill("Closed for Christmas")
    page.locator("#closure-start").fill(start.isoformat())
    page.locator("#closure-end").fill((start + timedelta(days=8)).isoformat())
    page.get_by_role("button", name="Close these days").click()
    page.get_by_role("dialog").get_by_role("button", name="Close and tell everyone").click()
    expect(page.get_by_text("Closed. 2 sessions cancelled")).to_be_visible()
    for s in covered:
        s.refresh_from_db()
        assert (s.status, s.cancel_reason) == ("cancelled", "Closed for Christmas")
    told = Notification.objects.get(kind="session_cancelled")
    assert "Closed for Christmas" in told.body and told.participant.user == world.learner
    card = page.locator("li.closure", has_text="Closed for Christmas")
    expect(card).to_contain_text("2 sessions cancelled")
    screenshot(page, "closure-made")

    card.get_by_role("button", name="Undo “Closed for Christmas”").click()
    page.get_by_role("dialog").get_by_role("button", name="Undo the closure").click()
    expect(page.get_by_text("2 sessions are back on.")).to_be_visible()
    for s in covered:
        s.refresh_from_db()
        assert s.status == "scheduled"
    assert Notification.objects.filter(kind="session_reinstated").count() == 1
    expect(page.locator("li.closure.undone")).to_have_count(1)
    screenshot(page, "closure-undone")


def test_a_coordinator_adds_a_venue_and_a_room(world, app, axe_check, screenshot):
    from backend.organisations.models import Venue

    page = app("/#/venues", user=world.coordinator)
    ready(page, "venues")
    page.get_by_text("Add a venue").click()
    page.get_by_label("Name").fill("St Anne's Church")
    page.get_by_label("Address").fill("1 Church Lane, Derby")
    page.get_by_label("Accessibility notes").fill("Step-free entrance at the side")
    page.get_by_label("Map link").fill("https://www.openstreetmap.org/#map=18/52.92/-1.47")
    page.get_by_role("button", name="Add the venue").click()
    expect(page.get_by_text("Venue added.")).to_be_visible()
    card = page.locator("li.venue", has_text="St Anne's Church")
    card.get_by_text("Add a room to St Anne's Church").click()
    card.get_by_label("Room name").fill("Hall")
    card.get_by_label("Holds (people)").fill("40")
    card.get_by_role("button", name="Add the room").click()
    expect(page.get_by_text("Room added.")).to_be_visible()
    card = page.locator("li.venue", has_text="St Anne's Church")
    expect(card.locator(".room")).to_contain_text("holds 40")
    axe_check(page, "venues")
    screenshot(page, "venues")
    venue = Venue.objects.get(name="St Anne's Church")
    assert venue.organisation == world.org and venue.rooms.get().capacity == 40


def test_a_move_into_the_past_is_refused_and_a_room_move_works(world, app, screenshot):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import RoomFactory

    session = one_off(world, title="Bike repair", capacity=4)
    hall = RoomFactory(name="Big hall", capacity=30)
    page = app("/#/coordinate", user=world.coordinator)
    ready(page, "coordinate")
    card = page.locator("li.session", has_text="Bike repair")
    card.get_by_role("button", name="Move").click()
    dialog = page.get_by_role("dialog")
    last_week = timezone.localtime(session.start) - timedelta(days=7)
    dialog.get_by_label("New start").fill(last_week.strftime("%Y-%m-%dT%H:%M"))
    dialog.get_by_label("New end").fill((last_week + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    dialog.get_by_role("button", name="Move the session").click()
    expect(page.get_by_text("Choose a time that has not passed yet.")).to_be_visible()
    screenshot(page, "move-refused")
    session.refresh_from_db()
    assert not session.is_moved

    page.locator("li.session", has_text="Bike repair").get_by_role("button", name="Move").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Room").select_option(label=f"{hall.venue.name}: Big hall (holds 30)")
    dialog.get_by_role("button", name="Move the session").click()
    expect(page.get_by_text("Session moved. People booked will be told.")).to_be_visible()
    session.refresh_from_db()
    assert session.room == hall and session.is_moved
