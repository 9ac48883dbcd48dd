"""The tutor's day offline (issue 15 item 4), beyond tests/e2e/test_tutor.py:
no page she opens offline is the browser's own, a release while her tab is
open waits and then replaces the cache cleanly, and a mark queued offline for a
session that moved to next week is refused by the sync, never stored."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from backend.registers.models import Attendance
from backend.timetable import services as timetable_services
from backend.timetable.models import Session
from tests.e2e.scenarios import all_day_today, go, ready

STATIC_CACHES = "caches.keys().then(k => k.filter(n => n.startsWith('harbour-static-')))"


def her_register(world, app, path):
    session = all_day_today(world, title="Conversation club", booked=[world.learner])
    timetable_services.activity_tutor_assign(
        actor=world.coordinator, activity=session.activity, tutor=world.tutor_elsewhere
    )
    page = app(path.format(session=session.pk), user=world.tutor_elsewhere)
    ready(page, "register" if "register" in path else "today")
    page.wait_for_selector("html[data-offline=ready]", state="attached", timeout=20_000)
    return session, page


def test_offline_a_page_that_is_not_saved_is_ours_and_back_is_her_register(world, app, screenshot):
    _, page = her_register(world, app, "/#/register/{session}")
    page.context.set_offline(True)
    page.get_by_role("link", name="Download as CSV").click()  # a navigation off the app
    expect(page.locator("body")).to_contain_text("No connection. Please try again")
    expect(page.locator("body")).to_contain_text("لا يوجد اتصال")
    screenshot(page, "offline-page-of-ours")
    page.go_back()
    ready(page, "register")
    expect(page.locator("li.row", has_text=world.learner.known_as)).to_be_visible()


def test_a_release_while_her_tab_is_open_waits_then_replaces_the_cache(world, app, monkeypatch):
    from backend.common import offline

    session, page = her_register(world, app, "/#/today")
    (old,) = page.evaluate(STATIC_CACHES)
    source = offline.worker_source()
    version = old.removeprefix("harbour-static-")
    assert f'const VERSION = "{version}";' in source
    monkeypatch.setattr(offline, "worker_source", lambda: source.replace(version, "f" * 16, 1))
    page.evaluate("window.sameTab = true")

    # The release is out: her phone finds the new worker, which waits.
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_function(
        "navigator.serviceWorker.getRegistration().then(r => Boolean(r && r.waiting))"
    )
    # Her tab goes on with the release it started with: no reload, and a
    # screen whose module it had not loaded yet still opens.
    go(page, f"/register/{session.pk}", "register")
    page.locator("li.row", has_text=world.learner.known_as).get_by_role(
        "radio", name="Present"
    ).check()
    expect(page.locator(".sync")).to_have_text("All marks saved.")
    assert page.evaluate("window.sameTab") is True
    assert sorted(page.evaluate(STATIC_CACHES)) == sorted([old, "harbour-static-" + "f" * 16])

    # Her Harbour tabs closed, the next visit runs the new release alone.
    context = page.context
    page.close()
    again = context.new_page()
    again.goto(f"{app.base_url}/#/today")
    again.wait_for_function(f"{STATIC_CACHES}.then(k => k.length === 1 && k[0].endsWith('ffff'))")
    ready(again, "today")
    assert Attendance.objects.get(session=session).mark == "present"


def test_a_mark_queued_offline_is_refused_when_the_session_moved_to_next_week(world, app):
    session, page = her_register(world, app, "/#/register/{session}")
    page.context.set_offline(True)
    page.locator("li.row", has_text=world.learner.known_as).get_by_role(
        "radio", name="Present"
    ).check()
    expect(page.locator(".sync")).to_contain_text("1 mark waiting to be sent")
    # Meanwhile a coordinator moves the session a week on: its register is not open yet.
    week = timedelta(days=7)
    Session.objects.filter(pk=session.pk).update(start=session.start + week, end=session.end + week)
    page.context.set_offline(False)
    expect(page.locator(".sync")).to_contain_text(
        "1 mark was not saved: This register is not open yet."
    )
    assert not Attendance.objects.filter(session=session).exists()
    page.get_by_role("button", name="Discard them").click()
    expect(page.locator(".sync")).to_have_text("All marks saved.")
    assert not Attendance.objects.filter(session=session).exists()


def test_on_a_slow_connection_her_registers_are_drawn_from_the_phone_at_once(
    world, app, monkeypatch
):
    """A weak signal that neither answers nor fails: her list (and then the
    register) come from what the phone saved, before the server answers."""
    import threading
    import time

    from backend.registers import selectors

    _, page = her_register(world, app, "/#/today")
    go(page, "/", "timetable")
    real, answered = selectors.my_registers, threading.Event()

    def slow(*args, **kwargs):
        time.sleep(10)
        try:
            return real(*args, **kwargs)
        finally:
            answered.set()

    monkeypatch.setattr(selectors, "my_registers", slow)
    started = time.monotonic()
    page.evaluate("location.hash = '#/today'")
    page.wait_for_selector('main[aria-busy=false][data-screen="today"]', timeout=6_000)
    card = page.locator("li.session", has_text="Conversation club")
    expect(card).to_contain_text("Open the register", timeout=1_000)
    assert time.monotonic() - started < 8 and not answered.is_set()
    card.get_by_role("link").click()
    ready(page, "register")
    expect(page.locator("li.row", has_text=world.learner.known_as)).to_be_visible()
    assert answered.wait(20)  # the server's answer, when it comes, changes nothing she sees
    expect(page.locator("li.row", has_text=world.learner.known_as)).to_be_visible()


def test_on_a_weak_signal_the_app_starts_from_what_the_phone_saved(world, app, monkeypatch):
    """The shell and /me/ (what every start of the app waits for) come from the
    phone when the network has not answered in 4 s, and her list with them."""
    import time

    from backend.accounts import api as accounts_api
    from backend.shell import views as shell_views

    _, page = her_register(world, app, "/#/today")
    answered = []

    def slow(real):
        def held_back(*args, **kwargs):
            time.sleep(15)
            try:
                return real(*args, **kwargs)
            finally:
                answered.append(True)

        return held_back

    monkeypatch.setattr(shell_views, "first_screen_context", slow(shell_views.first_screen_context))
    monkeypatch.setattr(accounts_api, "me_data", slow(accounts_api.me_data))
    started = time.monotonic()
    page.reload()
    page.wait_for_selector(
        'html[data-app=ready] main[aria-busy=false][data-screen="today"]', timeout=14_000
    )
    expect(page.locator("li.session", has_text="Conversation club")).to_be_visible(timeout=1_000)
    assert not answered, f"drawn after the server answered ({time.monotonic() - started:.1f} s)"
    # Let the held-back answers finish before the test's database goes.
    deadline = time.monotonic() + 40
    while len(answered) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
