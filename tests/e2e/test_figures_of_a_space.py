"""A women-only space's coordinator gets her space's figures (issue 12 item 3):
the screen that used to end in "Figures are for an organisation's coordinators."."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from backend.registers import services as register_services
from tests.e2e.scenarios import ready


def _held(activity, days_ago):
    start = timezone.now() - timedelta(days=days_ago)
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


def test_the_space_coordinator_sees_her_space_figures(world, app, axe_check, screenshot):
    session = _held(world.protected_activity, 1)
    for name in ("Roya", "Hana"):
        register_services.walk_in_add(actor=world.space_coordinator, session=session, known_as=name)
    register_services.walk_in_add(
        actor=world.coordinator, session=_held(world.public_activity, 2), known_as="Omar"
    )
    for width, height in ((360, 740), (1280, 800)):
        page = app(
            "/#/figures", user=world.space_coordinator, viewport={"width": width, "height": height}
        )
        ready(page, "figures")
        expect(page.get_by_label("Organisation")).to_have_value(f"space:{world.space.pk}")
        tiles = page.locator(".tiles li")
        expect(tiles.first).to_contain_text("2")  # people supported: her two, not Omar
        expect(page.get_by_text("Figures for Upbeat Women alone.")).to_be_visible()
        expect(page.locator(".hbars").last).to_contain_text("Women's English")
        csv = page.get_by_role("link", name="Download as CSV")
        assert f"space={world.space.pk}" in csv.get_attribute("href")
        axe_check(page, "figures-space")
        screenshot(page, f"figures-space-{width}")
        # Closed before the next sign-in: on SQLite the live server's writes to
        # the session table must not race a page still talking to it.
        page.close()

    page = app("/#/figures", user=world.coordinator)
    ready(page, "figures")
    expect(page.locator(".tiles li").first).to_contain_text("1")
    assert "Women" not in page.content()
    screenshot(page, "figures-coordinator-without-grant")
