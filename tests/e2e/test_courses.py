"""A mother enrols for the women's term with crèche places for her two
children in one step on her phone; the coordinator reads the class list
(docs/courses.md). 360 px, as every browser test here."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backend.bookings.models import CourseEnrolment
from backend.timetable.models import Activity
from tests.e2e.scenarios import go, ready
from tests.factories import RoomFactory, make_activity


@pytest.fixture
def womens_term(world):
    start = timezone.localdate() + timedelta(days=2)
    return make_activity(
        actor=world.space_coordinator, organisation=world.org, space=world.space,
        room=RoomFactory(capacity=20, space=world.space), title="Women's English term",
        kind=Activity.Kind.ENGLISH_CLASS, capacity=8, start_date=start, start_time=time(10),
        end_time=time(12), recurrence="RRULE:FREQ=WEEKLY;COUNT=3", is_course=True,
        creche_staff=2,
    )  # fmt: skip


def test_a_mother_enrols_for_the_term_with_her_two_children_in_one_step(
    world, womens_term, app, screenshot, axe_check
):
    session = womens_term.sessions.order_by("start").first()
    page = app(f"/#/session/{session.pk}", user=world.learner_with_grant)
    ready(page, "session")
    # A course's session is not booked alone: it points to enrolment.
    expect(page.get_by_role("button", name="Book a place")).to_have_count(0)
    page.get_by_role("link", name="Enrol for the term").click()
    ready(page, "course")
    page.get_by_role("button", name="Add a child").click()
    page.get_by_role("button", name="Add a child").click()
    year = timezone.localdate().year
    first, second = page.locator("fieldset.child").all()
    first.get_by_label("Born in (month)").select_option("3")
    first.get_by_label("Year").select_option(str(year - 1))
    second.get_by_label("Born in (month)").select_option("9")
    second.get_by_label("Year").select_option(str(year - 3))
    second.get_by_label("Name (optional)").fill("Sara")
    axe_check(page, "enrol for the term")
    screenshot(page, "enrol-for-the-term")
    page.get_by_role("button", name="Enrol for the term").click()
    outcome = page.locator("main .result")
    expect(outcome).to_contain_text("You are enrolled for the term: 3 sessions")
    expect(outcome).to_contain_text("Crèche places for 2 children")
    expect(page.locator("main")).to_contain_text("Child 1, Sara")
    expect(page.get_by_role("button", name="Quick exit")).to_be_visible()
    screenshot(page, "enrolled-for-the-term")
    enrolment = CourseEnrolment.objects.get(activity=womens_term)
    assert enrolment.status == "confirmed"
    assert [(c.birth_year, c.birth_month, c.label) for c in enrolment.creche_children.all()] == [
        (year - 1, 3, ""),
        (year - 3, 9, "Sara"),
    ]
    # She cancels: every place goes back at once.
    page.get_by_role("button", name="Cancel my enrolment").click()
    page.get_by_role("button", name="Yes, cancel").click()
    expect(page.locator("main .result")).to_contain_text("Cancelled")
    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"


def test_the_coordinator_reads_the_class_list_and_a_man_finds_nothing(
    world, womens_term, app, screenshot, axe_check
):
    from backend.bookings import courses
    from backend.bookings.creche import Child

    year = timezone.localdate().year
    courses.enrolment_create(
        actor=world.learner_with_grant, activity=womens_term,
        children=[Child(year - 1, 3), Child(year - 3, 9)],
    )  # fmt: skip
    page = app(f"/#/class-list/{womens_term.pk}", user=world.space_coordinator)
    ready(page, "class-list")
    row = page.locator("tbody tr")
    expect(page.locator("main")).to_contain_text("Enrolled (1)")
    expect(row.first).to_contain_text("Child 1")
    expect(page.locator("main")).to_contain_text("Crèche room left")
    axe_check(page, "class list")
    screenshot(page, "class-list")
    # One session's crèche staff: not below what her two children need (one adult).
    first = page.locator("li.card[data-session]").first
    expect(first).to_contain_text("Crèche staff: 2")
    first.get_by_role("button", name="Change the crèche staff on").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Crèche staff").fill("0")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("main .result")).to_contain_text("need 1 crèche staff")
    first.get_by_role("button", name="Change the crèche staff on").click()
    page.get_by_role("dialog").get_by_label("Crèche staff").fill("1")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.locator("main .result")).to_contain_text("Saved.")
    expect(page.locator("li.card[data-session]").first).to_contain_text("Crèche staff: 1")
    session = womens_term.sessions.order_by("start").first()
    session.refresh_from_db()
    assert session.creche_staff == 1
    screenshot(page, "class-list-creche-staff")

    man = app("/", user=world.man)
    ready(man, "timetable")
    go(man, f"/class-list/{womens_term.pk}", "error")
    hidden = man.locator("main").inner_text()
    go(man, "/class-list/00000000-0000-0000-0000-000000000000", "error")
    assert man.locator("main").inner_text() == hidden
    assert "Women's English term" not in man.content()
