"""A tutor takes a register on her phone: walk-ins, a dropped connection, sync."""

from __future__ import annotations

from playwright.sync_api import expect

from backend.registers.models import Attendance
from tests.e2e.scenarios import all_day_today, ready


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
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_role("button", name="Add new person").click()
        expect(row(name)).to_contain_text("Walk-in")
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
    for row in page.locator("li.row").all():
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
