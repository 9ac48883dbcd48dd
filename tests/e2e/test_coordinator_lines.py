"""A coordinator runs her sessions from the app (issue 14 items 4-6): she
messages everyone booked, manages a session's waiting list and an activity's
queue, and, coordinating a space, registers a learner with the space in the
same step and takes a member out with a reason."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from backend.access import policy
from backend.accounts.models import Participant
from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.bookings.models import ActivityQueueEntry, Booking, BookingEvent
from backend.notifications.models import Notification
from tests.e2e.scenarios import one_off, ready


def _reachable(user):
    person = participant_for_user(user=user)
    Participant.objects.filter(pk=person.pk).update(phone="+447700900123")
    return person


def _known(world, name):
    """Someone the organisation works with, found by its participant search."""
    person = Participant.objects.create(known_as=name, phone="+447700900456")
    person.organisations.add(world.org)
    return person


def test_a_coordinator_messages_everyone_booked(world, app, axe_check, screenshot):
    session = one_off(world, title="Bike repair", capacity=1)
    for user in (world.learner, world.man):
        _reachable(user)
    booking_services.booking_create(actor=world.learner, session=session)
    booking_services.booking_create(actor=world.man, session=session)  # waiting
    page = app("/#/coordinate", user=world.coordinator)
    ready(page, "coordinate")
    card = page.locator("li.session", has_text="Bike repair")
    card.get_by_role("button", name="Message everyone booked").click()
    dialog = page.get_by_role("dialog")
    words = dialog.get_by_label("Your message (up to 300 characters)")
    words.fill("Bring your bike lights, please.")
    dialog.get_by_label("Also tell the people on the waiting list").check()
    axe_check(page, "message dialog")
    screenshot(page, "message-dialog")
    dialog.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("Message sent to 2 people.")).to_be_visible()
    sent = Notification.objects.filter(kind="coordinator_message")
    assert sorted(n.participant.user.username for n in sent) == ["learner", "man"]
    assert all("Bring your bike lights, please." in n.body for n in sent)

    # On all of an activity's sessions, without the waiting list: one person.
    page.get_by_role("link", name="Activities", exact=True).click()
    ready(page, "activities")
    page.get_by_role("button", name="Message everyone booked on Bike repair").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Your message (up to 300 characters)").fill("The workshop moves upstairs.")
    dialog.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("Message sent to 1 person.")).to_be_visible()
    assert sent.filter(body__contains="upstairs").count() == 1
    screenshot(page, "message-sent")


def test_the_womens_class_message_dialog_asks_her_not_to_name_it(world, app):
    page = app("/#/activities", user=world.space_coordinator)
    ready(page, "activities")
    page.get_by_role("button", name="Message everyone booked on Women's English").click()
    expect(page.get_by_role("dialog")).to_contain_text("do not name the class or the place")
    # The organisation's coordinator without the grant has no such activity to message.
    other = app("/#/activities", user=world.coordinator)
    ready(other, "activities")
    expect(other.locator("main")).not_to_contain_text("Women's English")


def test_a_coordinator_manages_a_session_waiting_list(world, app, axe_check, screenshot):
    session = one_off(world, title="Bike repair", capacity=1)
    first = booking_services.booking_create(actor=world.learner, session=session)[0]
    waiting = booking_services.booking_create(actor=world.man, session=session)[0]
    _known(world, "Samira")
    page = app(f"/#/line/{session.pk}", user=world.coordinator)
    ready(page, "line")
    expect(page.locator(".summary")).to_contain_text("Waiting list: 1 person")
    expect(page.locator(".summary")).to_contain_text("Booked: 1 of 1 place")

    # Add a person found by search: she joins the end of the line.
    page.get_by_label("Name or phone").fill("Samira")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Add Samira").click()
    expect(page.get_by_text("Samira is on the waiting list: number 2.")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text("Waiting list: 2 people")

    # Move her up, with a reason.
    page.get_by_role("button", name="Move Samira up").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Why? (kept in the record)").fill("Safeguarding priority")
    dialog.get_by_role("button", name="Move up").click()
    expect(page.get_by_text("Samira is first on the waiting list.")).to_be_visible()
    samira = Booking.objects.get(session=session, participant__known_as="Samira")
    event = BookingEvent.objects.get(booking=samira, action="moved_up")
    assert event.note == "Safeguarding priority"
    axe_check(page, "waiting list")
    screenshot(page, "waiting-list-managed")

    # Take someone off, with a reason: her place goes to the head of the line.
    page.get_by_role("button", name=f"Take {first.participant.known_as} off").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Why? (kept in the record)").fill("Moved to Leeds")
    dialog.get_by_role("button", name="Take her off").click()
    taken_off = f"{first.participant.known_as} is taken off the session."
    expect(page.get_by_text(taken_off)).to_be_visible()
    first.refresh_from_db()
    samira.refresh_from_db()
    assert first.status == "cancelled" and samira.status == "confirmed"

    # A second place opens: she offers it now to the one still waiting, then
    # confirms it for him when he says yes on the phone.
    type(session).objects.filter(pk=session.pk).update(capacity=2)
    page.reload()
    ready(page, "line")
    name = waiting.participant.known_as
    page.get_by_role("button", name=f"Offer {name} a place now").click()
    page.get_by_role("dialog").get_by_role("button", name="Offer the place").click()
    expect(page.get_by_text(f"A place is offered to {name} until")).to_be_visible()
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    page.get_by_role("button", name=f"Confirm {name}'s place").click()
    expect(page.get_by_text(f"{name} is booked.")).to_be_visible()
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    expect(page.locator(".summary")).to_contain_text("Waiting list: 0 people")
    screenshot(page, "waiting-list-after")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "waiting-list-wide")


def test_the_waiting_list_reads_right_to_left_in_arabic(world, app, axe_check, screenshot):
    from django.utils.translation import trans_real

    session = one_off(world, title="Bike repair", capacity=1)
    booking_services.booking_create(actor=world.learner, session=session)
    booking_services.booking_create(actor=world.man, session=session)
    page = app(f"/#/line/{session.pk}", user=world.coordinator, locale="ar")
    ready(page, "line")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    catalogue = trans_real.DjangoTranslation("ar", domain="djangojs")
    words = catalogue.ngettext("Waiting list: %(n)s person", "Waiting list: %(n)s people", 1)
    assert words == "قائمة الانتظار: شخص واحد"  # Arabic's own form for one
    expect(page.locator(".summary")).to_contain_text(words)
    axe_check(page, "waiting-list-ar")
    screenshot(page, "waiting-list-ar")


def test_a_coordinator_manages_an_activity_queue(world, app, axe_check, screenshot):
    activity = world.public_activity
    for session in activity.sessions.all():  # every session full: the queue waits
        type(session).objects.filter(pk=session.pk).update(booked_places=session.capacity)
    _known(world, "Samira")
    _known(world, "Parisa")
    page = app("/#/activities", user=world.coordinator)
    ready(page, "activities")
    page.get_by_role("link", name=f"Queue for {activity.title}").click()
    ready(page, "queue")
    expect(page.get_by_text("0 people waiting for a place in any session.")).to_be_visible()
    for name in ("Samira", "Parisa"):
        page.get_by_label("Name or phone").fill(name)
        page.get_by_role("button", name="Search").click()
        page.get_by_role("button", name=f"Add {name}").click()
        expect(page.get_by_text(f"{name} is in the queue")).to_be_visible()
    expect(page.get_by_text("2 people waiting for a place in any session.")).to_be_visible()

    page.get_by_role("button", name="Move Parisa up").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Why? (kept in the record)").fill("Needs it for work")
    dialog.get_by_role("button", name="Move up").click()
    expect(page.get_by_text("Parisa is first in the queue.")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("Parisa")

    page.get_by_role("button", name="Take Samira off").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Why? (kept in the record)").fill("Found a bike elsewhere")
    dialog.get_by_role("button", name="Take her off").click()
    expect(page.get_by_text("Samira is taken off the queue.")).to_be_visible()
    entry = ActivityQueueEntry.objects.get(participant__known_as="Samira")
    assert entry.status == "left"
    axe_check(page, "queue")
    screenshot(page, "queue")


def test_a_space_coordinator_registers_a_learner_with_the_grant_and_she_sees_the_class(
    world, app, axe_check, screenshot
):
    session = world.protected_activity.sessions.order_by("start").first()
    page = app("/#/learners", user=world.space_coordinator)
    ready(page, "learners")
    grant = page.get_by_label("Give her access to Upbeat Women now: she sees its sessions at once")
    expect(grant).to_be_checked()
    axe_check(page, "learners in a space")
    page.get_by_label("Name she is known by").fill("Mariam")
    page.get_by_role("button", name="Create the account and a code").click()
    granted = "Mariam is a member of the space and sees its sessions now."
    expect(page.get_by_text(granted)).to_be_visible()
    screenshot(page, "learner-registered-with-grant")
    code = page.locator(".slip .code").inner_text()
    mariam = get_user_model().objects.get(known_as="Mariam")
    assert policy.has_grant(mariam, world.space)

    # She signs in with the code and sees the women-only class at once.
    learner = app(f"/#/code/{code}")
    ready(learner, "code")
    learner.get_by_label("Your new secret").fill("274918")
    learner.get_by_label("The same secret again").fill("274918")
    learner.get_by_role("button", name="Sign in with my code").click()
    ready(learner, "timetable")
    learner.evaluate(f"location.replace('#/session/{session.pk}')")
    ready(learner, "session")
    expect(learner.locator("h1")).to_contain_text("Women's English")
    screenshot(learner, "learner-sees-the-class")

    # The man without the grant cannot open it: it does not exist for him.
    man = app(f"/#/session/{session.pk}", user=world.man)
    ready(man)
    expect(man.locator("main")).not_to_contain_text("Women's English")

    # Her members list: she takes Mariam out again, with a reason.
    page.goto(app.url(f"/#/space/{world.space.pk}"))
    ready(page, "space")
    members = page.locator("li.member")
    expect(members.filter(has_text="Mariam")).to_have_count(1)
    axe_check(page, "space members")
    screenshot(page, "space-members")
    page.get_by_role("button", name="Take Mariam out").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Why? (kept in the space's log)").fill("Asked to leave the group")
    dialog.get_by_role("button", name="Take her out").click()
    expect(page.get_by_text("Mariam is no longer a member.")).to_be_visible()
    expect(page.locator(".log")).to_contain_text("Asked to leave the group")
    assert not policy.has_grant(mariam, world.space)

    # And gives her the space back directly, found by name among her people.
    search = page.locator("form.person-search")
    search.get_by_label("Name or phone").fill("Mariam")
    search.get_by_role("button", name="Search").click()
    search.get_by_role("button", name="Give Mariam access").click()
    expect(page.get_by_text("Mariam is now a member.")).to_be_visible()
    expect(page.locator("li.member").filter(has_text="Mariam")).to_have_count(1)
    assert policy.has_grant(mariam, world.space)
    screenshot(page, "space-give-access")
