"""Smoke test: the timetable at "/" in a real Chromium, as an anonymous visitor
on a phone-sized screen."""

from __future__ import annotations

from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from backend.access import services as access_services
from tests import factories


def _timetable():
    """Tomorrow (always inside the default 7-day list): a public class, a
    drop-in, and a women-only class in a protected space."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    org = factories.OrganisationFactory(name="Upbeat Communities", slug="upbeat")
    coordinator = factories.coordinator_of(org, username="coord")
    space = factories.SpaceFactory(organisation=org, name="Upbeat Women")
    space_coordinator = factories.UserFactory(username="coord-space")
    access_services.space_coordinator_appoint(space=space, user=space_coordinator)
    public = factories.make_activity(
        actor=coordinator, organisation=org, title="English: Entry 2 — الإنجليزية",
        room=factories.RoomFactory(name="Classroom 1", capacity=20), start_date=tomorrow,
        start_time=time(10), end_time=time(12),
    )  # fmt: skip
    drop_in = factories.make_activity(
        actor=coordinator, organisation=org, title="Bike repair", kind="bike_repair",
        booking_required=False, start_date=tomorrow, recurrence=None,
        start_time=time(14), end_time=time(16),
    )  # fmt: skip
    women = factories.make_activity(
        actor=space_coordinator, organisation=org, space=space, title="Women's English",
        room=factories.RoomFactory(name="Quiet room", capacity=14, space=space),
        start_date=tomorrow,
        start_time=time(13), end_time=time(15),
    )  # fmt: skip
    return public, drop_in, women


def test_anonymous_visitor_sees_this_weeks_timetable(app, wait_for_screen, axe_check, screenshot):
    public, drop_in, women = _timetable()

    page = app("/")
    wait_for_screen(page)

    sessions = page.locator("main li.session")
    titles = sessions.locator("strong").all_text_contents()
    assert public.title in titles
    assert drop_in.title in titles
    assert sessions.filter(has_text=drop_in.title).locator(".places").inner_text() == (
        "Drop in, no booking"
    )
    assert "places left" in sessions.filter(has_text=public.title).locator(".places").inner_text()

    # The policy hides the women-only class from everyone without the grant:
    # not its title, not its room, not a count that includes it.
    html = page.content()
    assert women.title not in html
    assert "Quiet room" not in html
    assert page.locator(".count").inner_text() == f"{len(titles)} sessions"

    # The app's own files came from /static/app/ (no bundler: served as they are).
    loaded = page.evaluate(
        """() => performance.getEntriesByType("resource")
              .map((e) => [new URL(e.name).pathname, e.responseStatus])"""
    )
    assert ["/static/app/js/app.js", 200] in loaded
    assert ["/static/app/js/screens/timetable.js", 200] in loaded

    axe_check(page, "timetable")
    screenshot(page, "timetable")


def test_a_woman_with_the_grant_sees_the_women_only_class(app, wait_for_screen):
    # The other side of the test above: the class is hidden by the policy, not
    # missing from the data.
    public, _, women = _timetable()
    learner = factories.UserFactory(username="learner-granted")
    space_coordinator = get_user_model().objects.get(username="coord-space")
    access_services.space_grant(actor=space_coordinator, space=women.space, user=learner)

    page = app("/", user=learner)
    wait_for_screen(page)
    titles = page.locator("main li.session strong").all_text_contents()
    assert women.title in titles
    assert public.title in titles
