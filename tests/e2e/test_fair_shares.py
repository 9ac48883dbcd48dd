"""Fair shares on a 360 px phone (issue 19 items 3-5): a learner sees the next
draw of a lottery list, her missed sessions and when they fade, her levels and
her certificate; a coordinator runs the list's draws, turns on the no-show
rule, confirms a held place with a reason, records a level and prints a
certificate."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from backend.accounts.services import participant_for_user
from backend.bookings import draws
from backend.bookings import services as booking_services
from backend.bookings.models import Booking, QueueDraw
from backend.people import esol
from backend.registers import no_shows
from backend.registers.models import Attendance
from backend.timetable import closures
from tests.e2e.scenarios import one_off, ready


def _missed(world, person, days_ago):
    start = timezone.now() - timedelta(days=days_ago)
    activity = world.public_activity
    session = activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=2), room=activity.room,
        capacity=activity.capacity,
    )  # fmt: skip
    Booking.objects.create(
        session=session, participant=person, status="confirmed", queued_at=start, seq=1
    )
    Attendance.objects.create(session=session, participant=person, mark="absent")
    return session


def test_a_learner_sees_the_next_draw_her_record_levels_and_certificate(
    world, app, axe_check, screenshot
):
    bikes = one_off(world, title="Donated bikes", capacity=1, days_ahead=3).activity
    draws.queue_rules_set(actor=world.coordinator, activity=bikes, allocation="lottery",
                          reason="Fair")  # fmt: skip
    booking_services.queue_join(actor=world.learner, activity=bikes)
    draws.draw_announce(actor=world.coordinator, activity=bikes, places=3,
                        draw_at=timezone.now() + timedelta(days=2))  # fmt: skip
    her = participant_for_user(user=world.learner)
    her.organisations.add(world.org)
    _missed(world, her, days_ago=9)
    for days in (14, 21):
        session = _missed(world, her, days_ago=days)
        Attendance.objects.filter(session=session).update(mark="present")
    esol.level_set(actor=world.tutor_elsewhere, participant=her, skill="speaking", level="entry_2")
    esol.level_set(actor=world.tutor_elsewhere, participant=her, skill="writing", level="entry_1")
    esol.name_own_script_set(actor=world.learner, participant=her, name="مريم")
    term = closures.term_create(
        actor=world.coordinator, organisation=world.org, name="Autumn term",
        start_date=timezone.localdate() - timedelta(days=40),
        end_date=timezone.localdate() + timedelta(days=40),
    )  # fmt: skip
    esol.threshold_set(actor=world.coordinator, term=term, percent=60)

    page = app("/#/bookings", user=world.learner)
    ready(page, "bookings")
    expect(page.locator("li.booking", has_text="Donated bikes")).to_contain_text("Next draw:")
    expect(page.locator("li.booking", has_text="Donated bikes")).to_contain_text("3 places")
    axe_check(page, "bookings with a lottery")
    screenshot(page, "bookings-lottery")

    page.get_by_role("link", name="My progress and record").click()
    ready(page, "progress")
    expect(page.locator("dd[data-skill=speaking]")).to_contain_text("Entry 2")
    expect(page.get_by_text("Classes at Entry 1 suit you best:")).to_be_visible()
    expect(page.locator("ul.no-shows li")).to_have_count(1)
    expect(page.locator("ul.no-shows li")).to_contain_text("Forgotten on")
    link = page.get_by_role("link", name="Print my certificate")
    assert f"term={term.pk}" in link.get_attribute("href")
    axe_check(page, "progress")
    screenshot(page, "progress")
    certificate = page.context.new_page()
    certificate.goto(link.get_attribute("href"))
    expect(certificate.locator(".own-script")).to_have_text("مريم")
    expect(certificate.get_by_role("heading", name="Certificate of attendance")).to_be_visible()
    certificate.screenshot(path=str(screenshot(page, "progress").parent / "certificate.png"))


def test_a_coordinator_runs_a_lottery_list_and_its_no_show_rule(world, app, axe_check, screenshot):
    bikes = one_off(world, title="Donated bikes", capacity=1, days_ahead=3).activity
    for user in (world.learner, world.man, world.tutor_elsewhere):
        booking_services.queue_join(actor=user, activity=bikes)
    page = app(f"/#/fair/{bikes.pk}", user=world.coordinator)
    ready(page, "fair-list")
    page.get_by_role("button", name="Change how places are given").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Places go by").select_option("lottery")
    dialog.get_by_label("Why? (kept in the record)").fill("Too many names for first come")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. The change is recorded.")).to_be_visible()

    page.get_by_role("button", name="Announce a draw").click()
    dialog = page.get_by_role("dialog")
    soon = timezone.localtime(timezone.now() + timedelta(days=1))
    dialog.get_by_label("Date and time of the draw").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    dialog.get_by_label("Places in this draw").fill("1")
    dialog.get_by_role("button", name="Announce").click()
    expect(page.get_by_text("Draw announced.")).to_be_visible()
    draw = QueueDraw.objects.get(activity=bikes)
    assert draw.places == 1 and draw.status == "announced"
    axe_check(page, "list and rules")
    screenshot(page, "fair-list-announced")

    QueueDraw.objects.filter(pk=draw.pk).update(draw_at=timezone.now() - timedelta(minutes=1))
    page.reload()
    ready(page, "fair-list")
    page.get_by_role("button", name="Draw now").click()
    expect(page.get_by_text("Drawn. Everyone who entered has been told.")).to_be_visible()
    draw.refresh_from_db()
    assert draw.status == "drawn" and len(draw.winners) == 1
    expect(page.locator(f'li.draw[data-draw="{draw.pk}"] .seed code')).to_have_text(draw.seed)
    expect(page.locator(f'li.draw[data-draw="{draw.pk}"] ol.winners li')).to_have_count(1)
    # The record for a trustee: every ticket, checkable with any SHA-256 tool.
    card = page.locator(f'li.draw[data-draw="{draw.pk}"]')
    card.locator("summary", has_text="Record").click()
    csv_link = card.get_by_role("link", name="Download the record for a trustee (CSV)")
    expect(csv_link).to_have_attribute("href", f"/api/v1/queue-draws/{draw.pk}/record/")
    record = page.request.get(csv_link.get_attribute("href"))
    assert record.status == 200 and "MATCH" in record.text() and draw.seed in record.text()
    screenshot(page, "fair-list-record")

    page.get_by_role("button", name="Turn the rule on").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Missed sessions").fill("2")
    dialog.get_by_label("Within how many weeks").fill("8")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("p.rule")).to_contain_text("after 2 missed sessions in 8 weeks")
    axe_check(page, "list drawn")
    screenshot(page, "fair-list-drawn")


def test_a_coordinator_confirms_a_held_place_with_a_reason(world, app, axe_check, screenshot):
    no_shows.no_show_rule_set(actor=world.coordinator, activity=world.public_activity, after=1,
                              weeks=8)  # fmt: skip
    her = participant_for_user(user=world.learner)
    _missed(world, her, days_ago=5)
    session = world.public_activity.sessions.filter(start__gt=timezone.now()).order_by("start")[0]
    booking, _ = booking_services.booking_create(actor=world.learner, session=session)
    assert booking.needs_confirmation
    page = app(f"/#/line/{session.pk}", user=world.coordinator)
    ready(page, "line")
    row = page.locator(f'tr[data-booking="{booking.pk}"]')
    expect(row).to_contain_text("waits for confirmation")
    row.get_by_role("button", name="Confirm").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Why? (kept in the record)").fill("She phoned: her son was ill")
    dialog.get_by_role("button", name="Confirm the place").click()
    expect(row).not_to_contain_text("waits for confirmation", timeout=20_000)
    booking.refresh_from_db()
    assert booking.needs_confirmation is False
    axe_check(page, "line after confirming")
    screenshot(page, "line-confirmed")


def test_a_coordinator_records_a_level_and_prints_a_certificate(world, app, axe_check, screenshot):
    her = participant_for_user(user=world.learner)
    her.known_as = "Maryam"
    her.save()
    her.organisations.add(world.org)
    for days in (7, 14, 21):
        session = _missed(world, her, days_ago=days)
        Attendance.objects.filter(session=session).update(mark="present")
    term = closures.term_create(
        actor=world.coordinator, organisation=world.org, name="Autumn term",
        start_date=timezone.localdate() - timedelta(days=40),
        end_date=timezone.localdate() + timedelta(days=40),
    )  # fmt: skip
    page = app("/#/learner-progress", user=world.coordinator)
    ready(page, "learner-progress")
    page.get_by_label("Find a learner (name or phone)").fill("Maryam")
    page.get_by_role("button", name="Search").click()
    page.locator(".found").get_by_role("button", name="Maryam").click()
    form = page.locator("form", has_text="Record a level")
    form.get_by_label("Skill").select_option("reading")
    form.get_by_label("Level").select_option("entry_3")
    form.get_by_role("button", name="Record the level").click()
    expect(page.locator("dd[data-skill=reading]")).to_contain_text("Entry 3")
    page.get_by_label("Her name as she writes it (for her certificate)").fill("مریم")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    axe_check(page, "learner progress")
    screenshot(page, "learner-progress")

    page.get_by_label("Term").select_option(str(term.pk))
    page.get_by_label("Attendance needed (%)").fill("75")
    page.get_by_role("button", name="Save the threshold").click()
    expect(page.get_by_text("Threshold saved.")).to_be_visible()
    page.get_by_role("button", name="Show the class list").click()
    row = page.locator(f'tr[data-participant="{her.pk}"]')
    expect(row).to_contain_text("3 of 3")
    href = row.get_by_role("link", name="Print").get_attribute("href")
    assert f"participant={her.pk}" in href
    axe_check(page, "class list")
    screenshot(page, "class-list")
