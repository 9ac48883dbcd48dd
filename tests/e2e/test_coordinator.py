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
