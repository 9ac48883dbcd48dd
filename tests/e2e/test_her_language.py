"""Her language in the content, in a real browser: Arabic and Farsi titles
where the coordinator gave them, English otherwise, charity text isolated;
and the "Booking opens ..." button, disabled until then."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.scenarios import one_off, ready

ARABIC_TITLE = "حلقة الخياطة"
BRING = "Fabric (we have spares)."


@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_content_in_her_language_with_english_fallback_isolated(world, app, screenshot, locale):
    session = one_off(
        world, title="Sewing circle", what_to_bring=BRING,
        translations={"ar": {"title": ARABIC_TITLE}},
    )  # fmt: skip
    page = app("/", user=world.learner, locale=locale)
    ready(page, "timetable")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    title = ARABIC_TITLE if locale == "ar" else "Sewing circle"  # no Farsi: English
    expect(page.get_by_role("link", name=re.compile(title))).to_be_visible()

    page.goto(f"{page.url.split('#')[0]}#/session/{session.pk}")
    ready(page, "session")
    heading = page.get_by_role("heading", level=1).locator("bdi")
    expect(heading).to_have_text(title)
    bring = page.locator("dd bdi", has_text=BRING)  # no translation: the original
    expect(bring).to_have_text(BRING)
    # Isolated: its direction is its own, so "(we have spares)." keeps its
    # punctuation at its end inside the right-to-left page.
    assert bring.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"
    assert bring.evaluate("el => getComputedStyle(el).direction") == "ltr"
    box = bring.bounding_box()
    assert box and box["width"] > 0
    screenshot(page, f"session-{locale}-fallback")


def test_booking_opens_later_shows_a_disabled_button_with_the_date(world, app, screenshot):
    session = one_off(world, title="Trip to the coast", days_ahead=20, booking_opens_days=7)
    page = app(f"/#/session/{session.pk}", user=world.learner)
    ready(page, "session")
    opens = timezone.localtime(session.start - timedelta(days=7))
    button = page.get_by_role("button", name=re.compile("^Booking opens"))
    expect(button).to_be_disabled()
    expect(button).to_contain_text(f"{opens.day} {opens:%b}")
    expect(page.get_by_role("button", name="Book a place")).to_have_count(0)
    screenshot(page, "session-booking-opens-later")


def test_a_coordinator_chooses_the_reminder_in_the_activity_form(world, app, screenshot):
    from backend.timetable.models import Activity

    session = one_off(world, title="Early swim", days_ahead=10)
    activity = session.activity
    page = app(f"/#/activity/{activity.pk}", user=world.coordinator)
    ready(page, "activity-form")
    evening = page.get_by_role("radio", name="The evening before, at 18:00")
    expect(evening).to_be_checked()  # the default
    two_hours = page.get_by_role("radio", name="2 hours before it starts")
    two_hours.check()
    box = two_hours.locator("xpath=..").bounding_box()
    assert box and box["height"] >= 44  # the whole label is the tap target
    screenshot(page, "activity-form-reminder")
    page.get_by_role("button", name="Check the dates").click()
    page.locator(".preview-card").get_by_role("button", name="Save the changes").click()
    ready(page, "activities")
    activity.refresh_from_db()
    assert activity.reminder_timing == Activity.ReminderTiming.TWO_HOURS
