"""A tutor takes a register on her phone: walk-ins, a dropped connection, sync."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backend.registers.models import Attendance
from tests.e2e.scenarios import all_day_today, go, ready


def marks_of(session) -> dict[str, str]:
    rows = Attendance.objects.filter(session=session)
    return dict(rows.values_list("participant__known_as", "mark"))


def test_a_tutor_takes_a_register_with_two_walk_ins_goes_offline_and_syncs(
    world, app, axe_check, screenshot
):
    session = all_day_today(world, title="Conversation club", booked=[world.learner, world.man])
    from backend.timetable import services as timetable_services

    timetable_services.activity_tutor_assign(
        actor=world.coordinator, activity=session.activity, tutor=world.tutor_elsewhere
    )
    fatima, ahmed = world.learner.known_as, world.man.known_as

    page = app("/#/today", user=world.tutor_elsewhere)
    ready(page, "today")
    axe_check(page, "today")
    screenshot(page, "today")
    page.locator("li.session", has_text="Conversation club").get_by_role("link").click()
    ready(page, "register")
    expect(page.locator(".sync")).to_have_text("All marks saved.")

    def row(name):
        return page.locator("li.row", has_text=name)

    row(fatima).get_by_role("radio", name="Present").check()
    expect(page.locator(".sync")).to_have_text("All marks saved.")
    for name in ("Samira", "Yusuf"):
        page.get_by_label("Find or add a name").fill(name)
        page.get_by_role("button", name="Add new person").click()
        expect(row(name)).to_contain_text("First visit")
        expect(page.locator(".result")).to_have_text(f"{name} added and marked present.")
    axe_check(page, "register")
    screenshot(page, "register-online")

    page.context.set_offline(True)
    row(ahmed).get_by_role("radio", name="Late").check()
    row(fatima).get_by_role("radio", name="Absent").check()
    row("Samira").get_by_role("radio", name="Late").check()
    expect(page.locator(".sync")).to_contain_text("3 marks waiting to be sent")
    screenshot(page, "register-offline")
    marks = marks_of(session)
    assert marks == {fatima: "present", "Samira": "present", "Yusuf": "present"}

    page.context.set_offline(False)
    expect(page.locator(".sync")).to_have_text("All marks saved.")
    marks = marks_of(session)
    assert marks == {fatima: "absent", ahmed: "late", "Samira": "late", "Yusuf": "present"}
    assert Attendance.objects.filter(session=session).count() == 4  # no duplicates
    expect(page.locator(".counts")).to_have_text("3 here of 4 on the list")
    screenshot(page, "register-synced")


def test_one_refused_mark_does_not_hold_back_the_others(world, app):
    from backend.bookings.models import Booking

    session = all_day_today(world, title="Sewing", booked=[world.learner, world.man])
    page = app(f"/#/register/{session.pk}", user=world.coordinator)
    ready(page, "register")
    page.context.set_offline(True)
    # By name: a row marked present moves from Booked to Came, so the n-th row changes.
    for person in (world.learner, world.man):
        row = page.locator("li.row", has_text=person.known_as)
        row.get_by_role("radio", name="Present").check()
    # Meanwhile one of them leaves the register (her booking is cancelled).
    Booking.objects.filter(session=session, participant__user=world.man).update(status="cancelled")
    page.context.set_offline(False)
    expect(page.locator(".sync")).to_contain_text("1 mark was not saved")
    assert marks_of(session) == {world.learner.known_as: "present"}
    page.get_by_role("button", name="Discard them").click()
    expect(page.locator(".sync")).to_have_text("All marks saved.")


def test_marks_made_offline_survive_a_reload_and_are_sent_later(world, app):
    session = all_day_today(world, title="Music group", booked=[world.learner])
    page = app(f"/#/register/{session.pk}", user=world.coordinator)
    ready(page, "register")
    page.context.set_offline(True)
    page.locator("li.row").get_by_role("radio", name="Present").check()
    expect(page.locator(".sync")).to_contain_text("1 mark waiting to be sent")
    page.context.set_offline(False)
    page.reload()  # the queue is on the phone, and is sent when the register opens again
    ready(page, "register")
    expect(page.locator(".sync")).to_have_text("All marks saved.")
    assert Attendance.objects.get(session=session).mark == "present"


# --- issue 15: the tutor's Thursday -------------------------------------------------------------

SCREEN = 740
FIRST = ["Fatima", "Ahmed", "Samira", "Yusuf", "Mariam", "Omar", "Layla", "Hassan", "Zainab", "Ali"]
LAST = ["Ahmadi", "Karimi", "Hassan", "Noori", "Rahimi", "Osman", "Haidari", "Saleh",
        "Jaber", "Mansour", "Tahir", "Yilmaz", "Kaya", "Abebe", "Tesfaye", "Bakr"]  # fmt: skip


def drop_in_today(world, *, title: str, booked: int, walk_ins: int, regulars: int = 0):
    """A 120-person Thursday drop-in at a big hall, running all day today:
    `booked` people booked, `walk_ins` already marked in, and `regulars` who
    came last week without booking. Returns (session, [booked participants])."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from backend.accounts.models import Participant
    from backend.bookings.services import booking_create
    from backend.registers import services as register_services
    from backend.timetable import services as timetable_services
    from backend.timetable.models import Activity, Session
    from tests.factories import RoomFactory, UserFactory, make_activity

    london = ZoneInfo("Europe/London")
    today = timezone.localdate()
    activity = make_activity(
        actor=world.coordinator, organisation=world.org, room=RoomFactory(capacity=200),
        title=title, kind=Activity.Kind.SOCIAL, capacity=150, recurrence=None,
        start_date=today + timedelta(days=1), start_time=time(10), end_time=time(12),
    )  # fmt: skip
    timetable_services.activity_tutor_assign(
        actor=world.coordinator, activity=activity, tutor=world.tutor_elsewhere
    )
    session = activity.sessions.get()
    names = iter(f"{f} {last}" for last in LAST for f in FIRST)
    people = []
    for n in range(booked):
        user = UserFactory(username=f"dropin{n}", known_as=next(names))
        booking_create(actor=user, session=session)
        people.append(Participant.objects.get(user=user))
    start = datetime.combine(today, time(0, 1), tzinfo=london)
    Session.objects.filter(pk=session.pk).update(
        start=start, end=datetime.combine(today, time(23, 59), tzinfo=london), original_start=start
    )
    session.refresh_from_db()
    for _ in range(walk_ins):
        register_services.walk_in_add(
            actor=world.tutor_elsewhere, session=session, known_as=next(names)
        )
    if regulars:
        last_week = start - timedelta(days=6)
        earlier = Session.objects.create(
            activity=activity, original_start=last_week, start=last_week,
            end=last_week + timedelta(hours=2), room=session.room, capacity=150,
        )  # fmt: skip
        for n in range(regulars):
            register_services.walk_in_add(
                actor=world.tutor_elsewhere, session=earlier, known_as=f"Regular {n} Osman"
            )
    return session, people


def test_a_120_person_drop_in_fits_five_screens_with_search_sections_and_undo(
    world, app, screenshot, axe_check
):
    session, _ = drop_in_today(world, title="Thursday drop-in", booked=80, walk_ins=39, regulars=3)
    from backend.registers import services as register_services

    register_services.walk_in_add(
        actor=world.tutor_elsewhere, session=session, known_as="أحمد كريمي", phone="07700 900321"
    )
    page = app(f"/#/register/{session.pk}", user=world.tutor_elsewhere)
    ready(page, "register")
    expect(page.locator(".counts")).to_have_text("40 here of 120 on the list")
    # Every row laid out as it is, not at the height rows out of view are given.
    height = page.evaluate(
        """() => {
          for (const row of document.querySelectorAll('.register .row'))
            row.style.contentVisibility = 'visible';
          const parts = document.querySelectorAll('.register-part.booked, .register-part.came');
          return [...parts].reduce((sum, el) => sum + el.getBoundingClientRect().height, 0);
        }"""
    )
    print(f"\n120 people on the register take {height:.0f} px = "
          f"{height / SCREEN:.2f} screens of {SCREEN} px")  # fmt: skip
    assert height <= 5 * SCREEN
    assert page.locator(".register-part.booked li.row").count() == 80
    assert page.locator(".register-part.came li.row").count() == 40
    assert page.locator(".register-part.regulars li.row").count() == 3
    screenshot(page, "drop-in-120")
    page.locator(".register-part.came").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot(page, "drop-in-120").with_name("drop-in-120-came.png")))
    first_screen = screenshot(page, "drop-in-120").with_name("drop-in-120-first-screen.png")
    page.screenshot(path=str(first_screen))
    axe_check(page, "register-120")

    # Search as she types: a typo, and Arabic script with its own spellings.
    find = page.get_by_label("Find or add a name")
    find.fill("fatma ahmdi")
    expect(page.locator(".register-lists li.row")).to_have_count(1)
    expect(page.locator(".register-lists li.row")).to_contain_text("Fatima Ahmadi")
    find.fill("احمد")
    expect(page.locator(".register-lists li.row")).to_have_count(1)
    expect(page.locator(".register-lists li.row")).to_contain_text("أحمد كريمي")
    find.fill("Regular 1")
    expect(page.locator(".register-lists li.row")).to_have_count(1)
    screenshot(page, "drop-in-search")
    find.fill("")

    # One tap for a regular who did not book.
    page.get_by_role("button", name="Regular 0 Osman is here").click()
    expect(page.locator(".just-added li.row")).to_contain_text("Regular 0 Osman")
    expect(page.locator(".sync")).to_have_text("All marks saved.")  # the server has her
    assert Attendance.objects.get(session=session, participant__known_as="Regular 0 Osman").walk_in

    # Every mark can be undone for a few seconds.
    fatima = page.locator("li.row", has_text="Fatima Ahmadi")
    fatima.get_by_role("radio", name="Late").check()
    expect(page.locator(".sync")).to_have_text("All marks saved.")
    assert marks_of(session)["Fatima Ahmadi"] == "late"
    page.locator(".undo-bar").get_by_role("button", name="Undo").click()
    expect(page.locator(".sync")).to_have_text("All marks saved.")
    assert "Fatima Ahmadi" not in marks_of(session)

    # Everyone else present, then undone: back to exactly what it was.
    before = marks_of(session)
    page.get_by_role("button", name="Mark everyone else present").click()
    expect(page.locator(".undo-bar")).to_contain_text("80 people marked present.")
    # 80 marks in one request: give a loaded machine time.
    expect(page.locator(".sync")).to_have_text("All marks saved.", timeout=30_000)
    assert len(marks_of(session)) == len(before) + 80
    screenshot(page, "drop-in-all-present")
    page.locator(".undo-bar").get_by_role("button", name="Undo").click()
    expect(page.locator(".sync")).to_have_text("All marks saved.", timeout=30_000)
    assert marks_of(session) == before
    expect(page.locator(".counts")).to_have_text("41 here of 121 on the list")


def test_walk_in_suggestions_tell_two_ahmeds_apart_and_the_new_one_stays_in_view(
    world, app, screenshot
):
    from datetime import timedelta

    from backend.accounts.models import Participant
    from backend.registers import services as register_services

    session, _ = drop_in_today(world, title="Thursday drop-in", booked=30, walk_ins=0)
    earlier = session.activity.sessions.create(
        original_start=session.start - timedelta(days=6), start=session.start - timedelta(days=6),
        end=session.start - timedelta(days=6, hours=-2), room=session.room, capacity=150,
    )  # fmt: skip
    register_services.walk_in_add(
        actor=world.tutor_elsewhere, session=earlier, known_as="Ahmed Rezaei",
        phone="07700 900123", languages=["fa"],
    )  # fmt: skip
    other = Participant.objects.create(
        known_as="Ahmed Rezaei", phone="07700 900456", languages=["ar"]
    )
    other.organisations.add(world.org)
    page = app(f"/#/register/{session.pk}", user=world.tutor_elsewhere)
    ready(page, "register")
    page.get_by_label("Find or add a name").fill("Ahmed Rez")
    options = page.locator(".suggestions li")
    expect(options).to_have_count(2)
    expect(options.filter(has_text="phone …123")).to_contain_text("fa")
    expect(options.filter(has_text="phone …456")).to_contain_text("not been yet")
    screenshot(page, "two-ahmeds")
    options.filter(has_text="phone …456").get_by_role("button").click()
    expect(page.locator(".result")).to_have_text("Ahmed Rezaei added and marked present.")
    added = page.locator(".just-added li.row")
    expect(added).to_have_count(1)
    expect(added).to_be_in_viewport()
    expect(page.locator(".sync")).to_have_text("All marks saved.")  # the server has her
    assert Attendance.objects.get(session=session, participant=other).mark == "present"
    screenshot(page, "just-added")


def test_a_future_register_is_listed_and_read_only(world, app, screenshot):
    from backend.organisations.services import organisation_role_assign
    from backend.timetable import services as timetable_services
    from tests.e2e.scenarios import one_off
    from tests.factories import UserFactory

    tutor = UserFactory(username="bike-tutor")
    organisation_role_assign(organisation=world.org, user=tutor, role="tutor")
    session = one_off(world, title="Bike repair", days_ahead=9)
    timetable_services.activity_tutor_assign(
        actor=world.coordinator, activity=session.activity, tutor=tutor
    )
    page = app("/#/today", user=tutor)
    ready(page, "today")
    expect(page.get_by_text("No sessions for you today.")).to_be_visible()
    card = page.locator("li.session", has_text="Bike repair")
    expect(card).to_contain_text("Opens at 17:00")
    screenshot(page, "today-next-session")
    card.get_by_role("link").click()
    ready(page, "register")
    expect(page.locator(".notice.warn")).to_contain_text("This register opens at 17:00")
    expect(page.get_by_role("button", name="Mark everyone else present")).to_have_count(0)
    expect(page.get_by_role("button", name="Add new person")).to_have_count(0)
    screenshot(page, "register-not-open")
    assert not Attendance.objects.filter(session=session).exists()


def test_she_opens_her_registers_offline_after_one_visit(world, app, screenshot):
    session = all_day_today(world, title="Conversation club", booked=[world.learner, world.man])
    from backend.timetable import services as timetable_services

    timetable_services.activity_tutor_assign(
        actor=world.coordinator, activity=session.activity, tutor=world.tutor_elsewhere
    )
    page = app("/#/today", user=world.tutor_elsewhere)
    ready(page, "today")
    page.wait_for_selector("html[data-offline=ready]", timeout=20_000)
    page.context.set_offline(True)
    page.reload()
    ready(page, "today")
    expect(page.locator("li.session", has_text="Conversation club")).to_be_visible()
    assert page.evaluate("fetch('/static/app/icons.svg').then(r => r.ok)")  # icons too
    page.locator("li.session", has_text="Conversation club").get_by_role("link").click()
    ready(page, "register")
    saved = page.evaluate(
        "id => fetch(`/api/v1/registers/${id}/`).then(r => r.headers.get('X-Harbour-Saved'))",
        str(session.pk),
    )
    assert saved == "1"  # from the phone, not the network
    page.locator("li.row", has_text=world.learner.known_as).get_by_role(
        "radio", name="Present"
    ).check()
    expect(page.locator(".sync")).to_contain_text("1 mark waiting to be sent")
    screenshot(page, "offline-register")
    # Leaving the register breaks nothing; a screen not saved says so, in the app.
    go(page, "/today", "today")
    expect(page.locator(".badge.warn")).to_have_text("Marks waiting to be sent")
    page.locator("nav").get_by_role("link", name="Timetable").click()
    page.wait_for_selector("html[data-app=ready] main[aria-busy=false]")
    assert page.locator("#nav a").count() > 1
    screenshot(page, "offline-timetable")
    page.context.set_offline(False)
    go(page, f"/register/{session.pk}", "register")
    expect(page.locator(".sync")).to_have_text("All marks saved.")
    assert marks_of(session) == {world.learner.known_as: "present"}


def test_quick_exit_forgets_the_registers_saved_on_the_phone(world, app, settings):
    neutral = "https://neutral.example/weather"
    settings.HARBOUR_QUICK_EXIT_URL = neutral
    session = world.protected_activity.sessions.order_by("start").first()
    page = app("/#/today", user=world.tutor_in_space)
    page.route(neutral, lambda route: route.fulfill(body="Sunny", content_type="text/html"))
    ready(page, "today")
    page.wait_for_selector("html[data-offline=ready]", timeout=20_000)
    keys = "caches.keys().then(k => k.filter(n => n.startsWith('harbour-data-')))"
    assert len(page.evaluate(keys)) == 1
    saved = page.evaluate(
        "id => caches.match(`/api/v1/registers/${id}/`).then(r => r ? r.text() : '')",
        str(session.pk),
    )
    assert "Women's English" in saved
    page.get_by_role("button", name="Quick exit").click()
    page.wait_for_url(neutral)
    again = page.context.new_page()
    again.goto(app.url("/healthz"))
    again.wait_for_function(f"{keys}.then(k => k.length === 0)")
    assert again.evaluate("caches.keys()") == [
        k for k in again.evaluate("caches.keys()") if k.startswith("harbour-static-")
    ]


def test_new_walk_ins_added_offline_survive_a_reload_and_are_recorded_once(world, app, screenshot):
    """Offline she adds two new people and marks one late; the phone reloads
    with no connection and opens the register from its saved copy; back online
    the first reply is lost, so the phone sends that walk-in again: one person,
    one mark each."""
    from backend.accounts.models import Participant
    from backend.registers.models import AttendanceChange
    from backend.timetable import services as timetable_services
    from tests.conftest import client_for

    session = all_day_today(world, title="Conversation club", booked=[world.learner])
    timetable_services.activity_tutor_assign(
        actor=world.coordinator, activity=session.activity, tutor=world.tutor_elsewhere
    )
    fatima = world.learner.known_as
    page = app("/#/today", user=world.tutor_elsewhere)
    ready(page, "today")
    page.wait_for_selector("html[data-offline=ready]", timeout=20_000)
    page.locator("li.session", has_text="Conversation club").get_by_role("link").click()
    ready(page, "register")

    def row(name):
        return page.locator("li.row", has_text=name)

    page.context.set_offline(True)
    find = page.get_by_label("Find or add a name")
    find.fill("Samira Noori")
    page.get_by_label("Phone (optional)").fill("07700 900111")
    page.get_by_role("button", name="Add new person").click()
    expect(page.locator(".result")).to_contain_text(
        "Samira Noori added and marked present on this phone"
    )
    expect(page.locator(".just-added li.row")).to_contain_text("Not sent yet")
    row("Samira Noori").get_by_role("radio", name="Late").check()
    row(fatima).get_by_role("radio", name="Present").check()
    expect(page.locator(".sync")).to_have_text(
        "1 mark waiting to be sent. It will be sent when the connection returns. "
        "1 walk-in waiting to be sent (Samira Noori). It will be sent when the connection returns."
    )
    screenshot(page, "walk-in-offline")

    page.reload()  # no connection: the shell, the modules and the register come from the phone
    ready(page, "register")
    expect(row("Samira Noori")).to_contain_text("Not sent yet")
    expect(row("Samira Noori").get_by_role("radio", name="Late")).to_be_checked()
    expect(row(fatima).get_by_role("radio", name="Present")).to_be_checked()
    find.fill("Yusuf Haidari")
    page.get_by_role("button", name="Add new person").click()
    expect(page.locator(".sync")).to_contain_text(
        "2 walk-ins waiting to be sent (Samira Noori, Yusuf Haidari)"
    )
    expect(page.locator(".counts")).to_have_text("3 here of 3 on the list")
    screenshot(page, "walk-in-offline-after-reload")
    assert not Participant.objects.filter(known_as__in=["Samira Noori", "Yusuf Haidari"]).exists()

    # The first walk-in reached the server once already and its answer was lost
    # (a weak signal): the server has her, the phone does not know it.
    waiting = page.evaluate(
        "() => Object.entries(localStorage).filter(([k]) => k.includes('register-walk-ins'))"
        ".map(([, v]) => JSON.parse(v))[0]"
    )[str(session.pk)]
    assert [w["known_as"] for w in waiting] == ["Samira Noori", "Yusuf Haidari"]
    first = waiting[0]
    answer = client_for(world.tutor_elsewhere).post(
        f"/api/v1/registers/{session.pk}/walk-ins/",
        {"walk_in_id": first["id"], "known_as": first["known_as"], "phone": first["phone"]},
        format="json",
    )
    assert answer.status_code == 201
    page.context.set_offline(False)
    expect(page.locator(".sync")).to_have_text("All marks saved.", timeout=20_000)
    assert Participant.objects.filter(known_as="Samira Noori").count() == 1
    assert Participant.objects.filter(known_as="Yusuf Haidari").count() == 1
    assert marks_of(session) == {
        fatima: "present",
        "Samira Noori": "late",
        "Yusuf Haidari": "present",
    }
    samira = Attendance.objects.get(session=session, participant__known_as="Samira Noori")
    assert samira.walk_in and samira.participant.phone == "07700 900111"
    assert [c.new_mark for c in AttendanceChange.objects.filter(attendance=samira)] == [
        "present",
        "late",
    ]
    expect(row("Samira Noori")).not_to_contain_text("Not sent yet")
    expect(page.locator(".counts")).to_have_text("3 here of 3 on the list")
    screenshot(page, "walk-in-synced")


LONG_NAMES = [
    "Mohammed Abdulrahman Al-Hassan", "Khadija Mohammadzadeh-Rahimi",
    "عبد الرحمن محمد الحسيني", "فاطمه محمدزاده رحیمی",
]  # fmt: skip
CUT = """() => {
  const cut = [];
  for (const row of document.querySelectorAll('.register .row')) {
    const marks = row.querySelector('.marks').getBoundingClientRect();
    for (const el of row.querySelectorAll('.name, .badge')) {
      const box = el.getBoundingClientRect();
      const clipped = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      const underMarks = box.left < marks.right - 1 && box.right > marks.left + 1;
      if (clipped || underMarks) cut.push(el.textContent);
    }
  }
  return cut;
}"""


@pytest.mark.parametrize("locale", ["en-GB", "ar"])
def test_every_name_and_badge_on_a_register_row_is_whole_at_360_px(world, app, screenshot, locale):
    """A tutor reads the whole of a long name, and its badge, on a small phone,
    in either direction; a row grows rather than cut either."""
    from backend.registers import services as register_services
    from backend.timetable import services as timetable_services

    session = all_day_today(world, title="Conversation club", booked=[world.learner])
    timetable_services.activity_tutor_assign(
        actor=world.coordinator, activity=session.activity, tutor=world.tutor_elsewhere
    )
    for name in LONG_NAMES:
        register_services.walk_in_add(actor=world.tutor_elsewhere, session=session, known_as=name)
    page = app(f"/#/register/{session.pk}", user=world.tutor_elsewhere, locale=locale)
    ready(page, "register")
    expect(page.locator(".register-part.came li.row")).to_have_count(len(LONG_NAMES))
    expect(page.locator(".register-part.came .badge")).to_have_count(len(LONG_NAMES))
    assert page.evaluate(CUT) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"long-names-{locale}")
