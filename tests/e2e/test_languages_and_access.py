"""Arabic and Farsi lay out right to left; every screen passes axe-core."""

from __future__ import annotations

import pytest
from django.utils.translation import trans_real
from playwright.sync_api import expect

from tests.e2e.scenarios import go, one_off, ready


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_the_timetable_lays_out_right_to_left(world, app, screenshot, axe_check, language):
    one_off(world, title="English: Entry 1")
    page = app("/", locale=language)
    ready(page, "timetable")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        language,
        "rtl",
    ]
    this_week = trans_real.DjangoTranslation(language, domain="djangojs").gettext("This week")
    assert page.locator("h1").inner_text() == this_week != "This week"
    # Right to left: the brand sits at the right edge, the title of a session too.
    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] + brand["width"] > width * 0.6
    title = page.locator("li.session .title").first.bounding_box()
    assert title["x"] + title["width"] > width - 40
    axe_check(page, f"timetable-{language}")
    screenshot(page, f"timetable-{language}")


def test_every_screen_passes_axe_for_each_role(world, app, axe_check, screenshot):
    from backend.timetable.services import activity_tutor_assign

    session = one_off(world, title="Day trip")
    activity_tutor_assign(
        actor=world.coordinator, activity=session.activity, tutor=world.tutor_elsewhere
    )
    learner = [("/bookings", "bookings"), ("/calendar", "calendar"), ("/settings", "settings")]
    coordinator = [
        ("/coordinate", "coordinate"),
        ("/figures", "figures"),
        ("/learners", "learners"),
        ("/activities", "activities"),
        ("/activity/new", "activity-form"),
        ("/closures", "closures"),
        ("/venues", "venues"),
    ]
    screens = {
        None: [("/sign-in", "sign-in"), ("/", "timetable"), (f"/session/{session.pk}", "session")],
        world.learner_with_grant: [*learner, ("/spaces", "spaces")],
        world.tutor_elsewhere: [("/today", "today"), (f"/register/{session.pk}", "register")],
        world.coordinator: [*coordinator, (f"/line/{session.pk}", "line")],
    }
    for user, paths in screens.items():
        page = app("/", user=user)
        ready(page)
        for path, name in paths:
            go(page, path, name)
            axe_check(page, name)
            screenshot(page, name)


def test_the_settings_give_a_calendar_link_to_copy_and_scan(world, app, screenshot):
    page = app("/#/settings", user=world.learner)
    ready(page, "settings")
    page.get_by_role("button", name="Get my calendar link").click()
    subscribe = page.get_by_role("link", name="Subscribe on this phone")
    assert subscribe.get_attribute("href").startswith("webcal://")
    assert page.get_by_label("Calendar link").input_value().startswith("http")
    screenshot(page, "calendar-link")
    discreet = page.get_by_label(
        "Discreet: women-only sessions get a plain title and no place in your calendar, "
        "texts and emails (for a shared phone)"
    )
    expect(discreet).to_be_checked()  # until she chooses the full wording
    discreet.uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    world.learner.personal_feed.refresh_from_db()
    assert world.learner.personal_feed.discreet is False


def test_the_activity_form_lays_out_right_to_left_in_farsi(world, app, screenshot, axe_check):
    page = app("/#/activity/new", user=world.coordinator, locale="fa")
    ready(page, "activity-form")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    catalogue = trans_real.DjangoTranslation("fa", domain="djangojs")
    assert page.locator("h1").inner_text() == catalogue.gettext("New activity") != "New activity"
    button = page.get_by_role("button", name=catalogue.gettext("Check the dates"))
    box = button.bounding_box()
    assert box["x"] + box["width"] > page.viewport_size["width"] - 40  # starts at the right
    axe_check(page, "activity-form-fa")
    screenshot(page, "activity-form-fa")
