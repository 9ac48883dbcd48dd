"""A learner on her phone: books, cancels, waits, is promoted, sees her calendar."""

from __future__ import annotations

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from backend.access import services as access_services
from backend.accounts import services as account_services
from backend.bookings import services as booking_services
from backend.bookings.models import Booking
from backend.people import services as people_services
from tests.e2e.scenarios import go, lang_dir, one_off, ready


def test_a_learner_books_then_cancels(world, app, axe_check, screenshot):
    session = one_off(world, title="Trip to Matlock Bath", capacity=5)
    page = app("/", user=world.learner)
    ready(page, "timetable")
    axe_check(page, "timetable")
    screenshot(page, "timetable")

    page.get_by_role("link", name=re.compile("Trip to Matlock Bath")).click()
    ready(page, "session")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trip to Matlock Bath")
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_role("status").filter(has_text="Booked. See you there!")).to_be_visible()
    booking = Booking.objects.get(session=session, participant__user=world.learner)
    assert booking.status == "confirmed"
    axe_check(page, "session booked")
    screenshot(page, "session-booked")

    page.locator("#nav").get_by_role("link", name="My calendar").click()
    ready(page, "calendar")
    expect(page.locator("main li.session", has_text="Trip to Matlock Bath")).to_be_visible()
    axe_check(page, "calendar")
    screenshot(page, "calendar")

    page.locator("#nav").get_by_role("link", name="My bookings").click()
    ready(page, "bookings")
    card = page.locator("li.booking", has_text="Trip to Matlock Bath")
    expect(card).to_contain_text("You are booked")
    axe_check(page, "bookings")
    screenshot(page, "bookings")
    card.get_by_role("button", name="Cancel my place").click()
    dialog = page.get_by_role("dialog")
    axe_check(page, "cancel dialog")
    dialog.get_by_role("button", name="Yes, cancel").click()
    expect(page.get_by_text("Cancelled. Thank you for telling us.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    expect(page.locator("li.booking", has_text="Trip to Matlock Bath")).to_have_count(0)


def test_a_full_session_puts_her_on_the_waiting_list_and_a_cancellation_promotes_her(
    world, app, screenshot
):
    session = one_off(world, title="Football", capacity=1)
    first, _ = booking_services.booking_create(actor=world.learner_with_grant, session=session)
    page = app(f"/#/session/{session.pk}", user=world.learner)
    ready(page, "session")
    expect(page.locator(".places")).to_have_text("Full: join the waiting list")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_text("You are on the waiting list: number 1.")).to_be_visible()
    mine = Booking.objects.get(session=session, participant__user=world.learner)
    assert mine.status == "waiting"
    screenshot(page, "waiting")

    booking_services.booking_cancel(actor=world.learner_with_grant, booking=first)
    page.reload()
    ready(page, "session")
    expect(page.locator("p.mine")).to_have_text("You are booked")
    mine.refresh_from_db()
    assert mine.status == "confirmed"
    screenshot(page, "promoted")


def test_a_refusal_says_why_in_her_language(world, app, screenshot):
    session = one_off(world, title="Allotment", capacity=3, days_ahead=40)  # not open yet
    page = app(f"/#/session/{session.pk}", user=world.learner, locale="ar")
    ready(page, "session")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    # Not offered before booking opens: the button says when, and is disabled.
    opens = page.locator(".actions button.primary")
    expect(opens).to_be_disabled()
    assert re.search(r"[\u0600-\u06FF]", opens.inner_text())
    assert "," not in opens.inner_text()  # Arabic separators, not a Latin comma
    screenshot(page, "booking-opens-ar")
    # A refusal anyway (a stale screen) is still in her language.
    page.evaluate("document.querySelector('.actions button.primary').disabled = false")
    assert not Booking.objects.filter(session=session).exists()


def test_signing_in_with_a_one_time_code_from_a_coordinator(world, app, screenshot, axe_check):
    coordinator = app("/#/learners", user=world.coordinator)
    ready(coordinator, "learners")
    axe_check(coordinator, "learners")
    coordinator.get_by_label("Name she is known by").fill("Hana")
    coordinator.get_by_label("Her language for Harbour").select_option("fa")
    coordinator.get_by_role("button", name="Create the account and a code").click()
    slip = coordinator.locator(".slip")
    expect(slip).to_be_visible()
    # Printed in HER language, with the site's address, whatever the coordinator's.
    assert slip.get_attribute("lang") == "fa" and slip.get_attribute("dir") == "rtl"
    expect(slip.locator(".site bdi")).to_have_text(app.base_url)
    assert re.search(r"[\u0600-\u06FF]", slip.locator("h2").inner_text())
    code = slip.locator(".code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    expect(slip.get_by_role("img")).to_be_visible()  # the QR code
    screenshot(coordinator, "sign-in-slip")

    learner = app(f"/#/code/{code}")
    ready(learner, "code")
    # The code works: she chooses her secret before it is used up.
    learner.get_by_label("Your new secret").fill("274918")
    learner.get_by_label("The same secret again").fill("274918")
    screenshot(learner, "choose-secret")
    learner.get_by_role("button", name="Sign in with my code").click()
    ready(learner, "timetable")
    expect(learner.locator("#nav").get_by_role("link", name="My bookings")).to_be_visible()
    assert learner.evaluate("fetch('/api/v1/me/').then(r => r.json())")["known_as"] == "Hana"

    again = app("/#/sign-in")
    ready(again, "sign-in")
    again.get_by_label("Your sign-in code").fill(code)
    again.get_by_role("button", name="Sign in with my code").click()
    expect(again.get_by_role("alert")).to_be_visible()  # used once, never again


def test_signing_in_with_a_password_and_the_language_switch_is_remembered(world, app, axe_check):
    page = app("/#/sign-in")
    ready(page, "sign-in")
    axe_check(page, "sign-in")
    page.get_by_label("Username").fill(world.learner.username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in", exact=True).click()
    ready(page, "timetable")
    expect(page.locator("#nav").get_by_role("link", name="My bookings")).to_be_visible()

    # By keyboard: arrowing through the list does not switch; OK does.
    switch = page.get_by_label("Language / اللغة / زبان")
    switch.focus()
    page.keyboard.press("ArrowDown")
    assert lang_dir(page) == ["en", "ltr"]
    switch.select_option("fa")
    page.get_by_role("button", name="OK").click()
    page.wait_for_url("**/#/")
    ready(page)
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "fa",
        "rtl",
    ]
    page.goto(app.url("/"))
    ready(page, "timetable")
    assert page.evaluate("document.documentElement.lang") == "fa"
    world.learner.refresh_from_db()
    assert world.learner.preferred_language == "fa"
    go(page, "/settings", "settings")


NEUTRAL = "https://neutral.example/weather"


@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_after_a_quick_exit_she_signs_back_in_with_her_secret(
    world, app, settings, screenshot, axe_check, locale
):
    settings.HARBOUR_QUICK_EXIT_URL = NEUTRAL
    amina = people_services.learner_account_create(
        actor=world.coordinator, known_as="Amina", phone="07700 900555", organisation=world.org,
        preferred_language=locale,
    )  # fmt: skip
    access_services.space_grant(actor=world.space_coordinator, space=world.space, user=amina.user)
    _, code = account_services.sign_in_code_create(user=amina.user, issued_by=world.coordinator)
    one_off(world, title="Women's swimming", space=world.space)
    page = app(f"/#/code/{code}", locale=locale)
    page.route(NEUTRAL, lambda route: route.fulfill(body="Sunny", content_type="text/html"))
    ready(page, "code")
    expect(page.locator("input[name=newSecret]")).to_be_visible()
    page.locator("input[name=newSecret]").fill("۲۷۴۹۱۸")  # typed on a Persian keyboard
    page.locator("input[name=newSecretAgain]").fill("۲۷۴۹۱۸")
    screenshot(page, f"choose-secret-{locale}")
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    ready(page, "timetable")
    page.locator("button.quick-exit").click()
    page.wait_for_url(NEUTRAL)

    page.goto(app.url("/#/sign-in"))
    ready(page, "sign-in")
    assert page.evaluate("fetch('/api/v1/me/').then(r => r.status)") == 403
    axe_check(page, f"sign-in {locale}")
    screenshot(page, f"sign-in-{locale}")
    form = page.locator("form:has(input[name=who])")
    form.locator("input[name=who]").fill("+44 7700 900555")
    form.locator("input[name=secret]").fill("274918")
    form.locator("button[type=submit]").click()
    ready(page, "timetable")
    expect(page.locator("li.session", has_text="Women's swimming")).to_be_visible()


def test_wrong_secrets_lock_her_out_like_passwords(world, app):
    amina = people_services.learner_account_create(
        actor=world.coordinator, known_as="Amina", organisation=world.org
    )
    account_services.user_sign_in_secret_set(user=amina.user, secret="274918")
    page = app("/#/sign-in", locale="ar")
    ready(page, "sign-in")
    form = page.locator("form:has(input[name=who])")
    alert = page.get_by_role("alert")
    for attempt in range(5):
        form.locator("input[name=who]").fill("amina")
        form.locator("input[name=secret]").fill(f"90817{attempt}")
        form.locator("button[type=submit]").click()
        expect(alert).to_be_visible()
        expect(form.locator("button[type=submit]")).to_be_enabled()
        if attempt < 4:
            page.evaluate("document.querySelector('main .result').replaceChildren()")
    form.locator("input[name=secret]").fill("274918")
    form.locator("button[type=submit]").click()
    expect(alert).to_be_visible()
    assert re.search(r"[\u0600-\u06FF]", alert.inner_text())
    assert page.evaluate("fetch('/api/v1/me/').then(r => r.status)") == 403


@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_a_one_tap_link_frees_her_place_without_signing_in(
    world, app, screenshot, axe_check, locale
):
    from backend.accounts.services import participant_for_user
    from backend.notifications.one_tap import reply_token_make

    session = one_off(world, title="Trip to Matlock Bath", capacity=5)
    participant = participant_for_user(user=world.learner)
    participant.preferred_language = locale
    participant.save()
    booking, _ = booking_services.booking_create(actor=world.learner, session=session)
    token = reply_token_make(booking_id=booking.pk, purpose="cancel")
    page = app(f"/r/{token}")  # a phone that has chosen no language: hers, from the link
    ready(page, "reply")
    assert lang_dir(page) == [locale, "rtl"]
    expect(page.locator(".reply-what bdi").first).to_have_text("Trip to Matlock Bath")
    axe_check(page, f"reply {locale}")
    screenshot(page, f"reply-{locale}")
    page.locator(".reply button.danger").click()
    expect(page.get_by_role("status")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    screenshot(page, f"reply-done-{locale}")
    page.reload()
    ready(page, "reply")
    expect(page.locator(".reply button.danger")).to_have_count(0)  # used once


def test_after_joining_a_waiting_list_she_is_told_what_happens_next(world, app):
    session = one_off(world, title="Football", capacity=1)
    booking_services.booking_create(actor=world.learner_with_grant, session=session)
    page = app(f"/#/session/{session.pk}", user=world.learner, locale="fa")
    ready(page, "session")
    page.locator(".actions button.primary").click()
    status = page.get_by_role("status").filter(has_text="\u06f1")  # number 1, in Persian
    expect(status).to_be_visible()
    assert "پیام" in status.inner_text()  # "we send you a message"


@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_at_360px_filters_fold_and_three_sessions_show_above_the_fold(
    world, app, screenshot, locale
):
    for i in range(6):
        one_off(world, title=f"Session {i}", capacity=5, start=time(9 + i), end=time(10 + i))
    page = app("/", user=world.learner, locale=locale)
    ready(page, "timetable")
    expect(page.locator("details.filter-fold")).not_to_have_attribute("open", "")
    screenshot(page, f"timetable-360-{locale}")
    fold = page.evaluate("window.innerHeight")
    tops = page.locator("li.session").evaluate_all(
        "cards => cards.map(c => c.getBoundingClientRect().bottom)"
    )
    assert sum(1 for bottom in tops if bottom <= fold) >= 3, (tops, fold)
    expect(page.locator("li.session .title svg.kind").first).to_be_visible()  # pictogram
    page.locator("details.filter-fold > summary").click()
    expect(page.get_by_label(re.compile("."), exact=False).first).to_be_visible()
    screenshot(page, f"timetable-filters-open-{locale}")


def test_back_returns_to_the_same_place_in_the_list(world, app):
    for i in range(12):
        one_off(world, title=f"Class {i:02d}", capacity=5, days_ahead=1 + i % 5,
                start=time(8 + i), end=time(9 + i))  # fmt: skip
    page = app("/", user=world.learner)
    ready(page, "timetable")
    card = page.locator("li.session").nth(9)
    card.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    assert before > 200
    card.get_by_role("link").click()
    ready(page, "session")
    page.go_back()
    ready(page, "timetable")
    page.wait_for_function(f"Math.abs(window.scrollY - {before}) < 5")


def test_links_are_at_least_44px_tall(world, app):
    one_off(world, title="Trip", capacity=5)
    page = app("/", user=world.learner)
    ready(page, "timetable")
    heights = page.locator("main a, #nav a").evaluate_all(
        "links => links.filter(a => a.offsetParent).map(a => a.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights


def test_a_busy_answer_is_tried_again_with_the_same_key_until_she_is_booked(world, app):
    """Many people booking at once (or a held row) make the server answer 503
    `busy`, having written nothing; the app tries again by itself, with the
    same Idempotency-Key, after growing pauses, and she is simply booked."""
    session = one_off(world, title="Trip to Matlock Bath", capacity=5)
    page = app("/", user=world.learner)
    ready(page, "timetable")
    go(page, f"/session/{session.pk}", "session")
    # The server's answer is made in the page (its service worker would hide
    # the request from Playwright's routing): twice busy, then the real one.
    page.evaluate(
        """() => {
          const real = window.fetch;
          window.bookingKeys = [];
          window.fetch = (url, init = {}) => {
            if (init.method === "POST" && String(url).endsWith("/api/v1/bookings/")) {
              window.bookingKeys.push(init.headers["Idempotency-Key"]);
              if (window.bookingKeys.length <= 2) {
                return Promise.resolve(new Response(
                  JSON.stringify({ code: "busy", detail: "Many people.", fields: {} }),
                  { status: 503,
                    headers: { "Content-Type": "application/json", "Retry-After": "1" } },
                ));
              }
            }
            return real(url, init);
          };
        }"""
    )
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_role("status").filter(has_text="Booked. See you there!")).to_be_visible(
        timeout=15_000
    )
    keys = page.evaluate("() => window.bookingKeys")
    assert len(keys) == 3 and len(set(keys)) == 1 and keys[0]
    assert Booking.objects.get(session=session, participant__user=world.learner).status == (
        "confirmed"
    )
