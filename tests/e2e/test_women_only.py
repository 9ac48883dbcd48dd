"""A man never sees the women's class; a woman with the grant does, with quick exit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.scenarios import go, one_off, ready

NEUTRAL = "https://neutral.example/weather"


@pytest.fixture
def women_only(world):
    return one_off(world, title="Women's swimming", space=world.space)


@pytest.fixture
def neutral_page(settings):
    settings.HARBOUR_QUICK_EXIT_URL = NEUTRAL


def test_a_man_never_sees_the_womens_class(world, women_only, app, screenshot):
    page = app("/", user=world.man)
    ready(page, "timetable")
    assert "Women's swimming" not in page.content()
    expect(page.locator("li.session").first).to_be_visible()  # the rest of the week is there
    expect(page.locator(".quick-exit")).to_have_count(0)

    go(page, f"/session/{women_only.pk}", "error")  # exactly like an id that never existed
    nobody = page.locator("main").inner_text()
    go(page, "/session/00000000-0000-0000-0000-000000000000", "error")
    assert page.locator("main").inner_text() == nobody
    go(page, "/calendar", "calendar")
    assert "Women's swimming" not in page.content()
    screenshot(page, "man-timetable")

    anonymous = app("/")
    assert "Women's swimming" not in anonymous.content()  # not in the server-rendered shell either
    ready(anonymous, "timetable")
    assert "Women's swimming" not in anonymous.content()


def test_a_woman_with_the_grant_sees_it_and_can_leave_at_once(
    world, women_only, app, neutral_page, screenshot, axe_check
):
    page = app("/", user=world.learner_with_grant)
    page.route(
        NEUTRAL,
        lambda route: route.fulfill(body="<title>Weather</title>Sunny", content_type="text/html"),
    )
    ready(page, "timetable")
    card = page.locator("li.session", has_text="Women's swimming")
    expect(card).to_contain_text("Upbeat Women")
    card.get_by_role("link").click()
    ready(page, "session")
    exit_button = page.get_by_role("button", name="Quick exit")
    expect(exit_button).to_be_visible()
    axe_check(page, "women-only session")
    screenshot(page, "women-only-session")

    # A second screen, by the app's own menu: the app adds no history for her.
    page.locator("#nav").get_by_role("link", name="Settings").click()
    ready(page, "settings")
    page.get_by_role("button", name="Quick exit").click()
    page.wait_for_url(NEUTRAL)
    page.go_back()
    page.wait_for_load_state()
    # Back leaves Harbour behind altogether: the app kept a single history entry.
    assert page.url == "about:blank"
    page.goto(app.url("/"))
    ready(page)
    assert page.evaluate("fetch('/api/v1/me/').then(r => r.status)") == 403  # and she is signed out


def test_escape_twice_is_a_quick_exit_too(world, women_only, app, neutral_page):
    page = app(f"/#/session/{women_only.pk}", user=world.learner_with_grant)
    page.route(NEUTRAL, lambda route: route.fulfill(body="Sunny", content_type="text/html"))
    ready(page, "session")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)


def test_she_can_ask_to_join_a_space_and_a_coordinator_approves(world, app, axe_check, screenshot):
    from backend.access.policy import granted_spaces

    page = app("/#/spaces", user=world.learner)
    ready(page, "spaces")
    axe_check(page, "spaces")
    space = page.locator("li.card", has_text="Upbeat Women")
    space.get_by_label("A few words for the coordinator (optional)").fill(
        "I come on Tuesdays with my friend."
    )
    space.get_by_role("button", name="Ask to join").click()
    expect(page.get_by_text("You have asked. A coordinator will reply.")).to_be_visible()
    screenshot(page, "asked")

    desk = app("/#/coordinate", user=world.space_coordinator)
    ready(desk, "coordinate")
    request = desk.locator("li.card", has_text="I come on Tuesdays")
    request.get_by_role("button", name="Approve").click()
    desk.get_by_role("dialog").get_by_role("button", name="Approve").click()
    expect(desk.get_by_text("Done.")).to_be_visible()
    assert granted_spaces(world.learner).filter(pk=world.space.pk).exists()
