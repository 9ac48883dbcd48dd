"""A coordinator manages a session's waiting list and an activity's queue
(issue 14 item 5): offer now, confirm for her, add someone, remove with a
reason; and none of it reaches what the actor cannot see."""

from __future__ import annotations

import uuid

from backend.accounts.services import participant_for_user
from backend.bookings import services as booking_services
from backend.bookings.models import ActivityQueueEntry, Booking, BookingEvent
from backend.notifications.models import Notification
from tests.conftest import client_for
from tests.e2e.scenarios import one_off
from tests.factories import UserFactory


def _full_session_with_a_line(world, capacity=1):
    session = one_off(world, title="Bike repair", capacity=capacity)
    first = booking_services.booking_create(actor=world.learner, session=session)[0]
    waiting = booking_services.booking_create(actor=world.man, session=session)[0]
    assert (first.status, waiting.status) == ("confirmed", "waiting")
    return session, first, waiting


def test_offer_now_needs_a_free_place_and_then_offers_it(world):
    session, _first, waiting = _full_session_with_a_line(world)
    type(waiting.participant).objects.filter(pk=waiting.participant_id).update(phone="07700900123")
    coordinator = client_for(world.coordinator)

    refused = coordinator.post(f"/api/v1/bookings/{waiting.pk}/offer-now/")
    assert refused.status_code == 409 and refused.json()["code"] == "no_free_place"
    waiting.refresh_from_db()
    assert waiting.status == "waiting"

    # A place opens (the room is bigger now): she is offered it at once.
    session.refresh_from_db()
    session.capacity = 2
    session.save(update_fields=["capacity"])
    offered = coordinator.post(f"/api/v1/bookings/{waiting.pk}/offer-now/")
    assert offered.status_code == 200, offered.json()
    assert offered.json()["status"] == "offered" and offered.json()["offer_expires_at"]
    session.refresh_from_db()
    assert session.booked_places == 2
    assert Notification.objects.filter(kind="place_offered", participant__user=world.man).exists()

    # She said yes on the phone: the coordinator confirms it for her.
    confirmed = coordinator.post(f"/api/v1/bookings/{waiting.pk}/accept/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"


def test_offer_now_is_for_the_coordinator_only(world):
    _, _, waiting = _full_session_with_a_line(world)
    url = f"/api/v1/bookings/{waiting.pk}/offer-now/"
    # A tutor of another activity does not see this line; the man waiting sees his own place.
    assert client_for(world.tutor_elsewhere).post(url).status_code == 404
    assert client_for(world.man).post(url).status_code == 403


def test_removing_someone_needs_a_reason_is_recorded_and_frees_the_place(world):
    _session, first, waiting = _full_session_with_a_line(world)
    coordinator = client_for(world.coordinator)

    url = f"/api/v1/bookings/{first.pk}/remove/"
    no_reason = coordinator.post(url, {"reason": " "}, format="json")
    assert no_reason.status_code == 400
    first.refresh_from_db()
    assert first.status == "confirmed"

    removed = coordinator.post(
        f"/api/v1/bookings/{first.pk}/remove/", {"reason": "Moved to Leeds"}, format="json"
    )
    assert removed.status_code == 200 and removed.json()["status"] == "cancelled"
    event = BookingEvent.objects.get(booking=first, action="cancelled")
    assert event.note == "Moved to Leeds" and event.actor == world.coordinator
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"  # the freed place went to the line


def test_a_learner_cannot_remove_others_or_herself_through_the_coordinators_action(world):
    _, first, _ = _full_session_with_a_line(world)
    response = client_for(world.learner).post(
        f"/api/v1/bookings/{first.pk}/remove/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403


def test_a_coordinator_adds_someone_to_the_line_by_search(world):
    session, _, _ = _full_session_with_a_line(world)
    newcomer = UserFactory(username="samira")
    person = participant_for_user(user=newcomer)
    person.organisations.add(world.org)
    coordinator = client_for(world.coordinator)
    found = coordinator.get("/api/v1/participants/", {"q": person.known_as})
    assert str(person.pk) in [p["id"] for p in found.json()["results"]]
    added = coordinator.post(
        "/api/v1/bookings/", {"session": str(session.pk), "participant": str(person.pk)},
        format="json",
    )  # fmt: skip
    assert added.status_code == 201 and added.json()["status"] == "waiting"
    assert added.json()["position"] == 2


def test_the_activity_queue_is_hers_to_add_to_and_remove_from(world):
    activity = world.public_activity
    newcomer = UserFactory(username="samira")
    person = participant_for_user(user=newcomer)
    person.organisations.add(world.org)
    # Every session full, so the queue waits.
    for session in activity.sessions.all():
        type(session).objects.filter(pk=session.pk).update(booked_places=session.capacity)
    coordinator = client_for(world.coordinator)
    added = coordinator.post(
        "/api/v1/queue-entries/", {"activity": str(activity.pk), "participant": str(person.pk)},
        format="json",
    )  # fmt: skip
    assert added.status_code == 201, added.json()
    entry = ActivityQueueEntry.objects.get(pk=added.json()["id"])
    assert entry.participant == person and entry.status == "waiting"

    listed = coordinator.get("/api/v1/queue-entries/", {"activity": str(activity.pk)})
    assert [e["participant"]["known_as"] for e in listed.json()["results"]] == [person.known_as]

    no_reason = coordinator.post(f"/api/v1/queue-entries/{entry.pk}/remove/", {}, format="json")
    assert no_reason.status_code == 400
    removed = coordinator.post(
        f"/api/v1/queue-entries/{entry.pk}/remove/", {"reason": "Found a bike"}, format="json"
    )
    assert removed.status_code == 200 and removed.json()["status"] == "left"
    event = BookingEvent.objects.get(queue_entry=entry, action="removed")
    assert event.note == "Found a bike"


def test_a_learner_cannot_queue_someone_else(world):
    person = participant_for_user(user=world.man)
    response = client_for(world.learner).post(
        "/api/v1/queue-entries/",
        {"activity": str(world.public_activity.pk), "participant": str(person.pk)},
        format="json",
    )
    # She cannot see him: the same answer as for a participant that does not exist.
    unknown = client_for(world.learner).post(
        "/api/v1/queue-entries/",
        {"activity": str(world.public_activity.pk), "participant": str(uuid.uuid4())},
        format="json",
    )
    assert response.status_code == 400 and response.content == unknown.content


def test_a_man_cannot_be_queued_for_the_womens_class(world):
    person = participant_for_user(user=world.man)
    person.registered_in_space = None
    person.save()
    response = client_for(world.space_coordinator).post(
        "/api/v1/queue-entries/",
        {"activity": str(world.protected_activity.pk), "participant": str(person.pk)},
        format="json",
    )
    assert response.status_code == 400 and response.json()["fields"] == {
        "participant": ["Not found."]
    }
    assert not ActivityQueueEntry.objects.filter(participant=person).exists()


def test_an_organisation_coordinator_cannot_reach_the_womens_line(world):
    session = world.protected_activity.sessions.order_by("start").first()
    booking = booking_services.booking_create(actor=world.learner_with_grant, session=session)[0]
    coordinator = client_for(world.coordinator)
    for action, body in (("offer-now", None), ("remove", {"reason": "x"})):
        response = coordinator.post(f"/api/v1/bookings/{booking.pk}/{action}/", body, format="json")
        unknown = coordinator.post(
            f"/api/v1/bookings/00000000-0000-0000-0000-000000000000/{action}/", body, format="json"
        )
        assert response.status_code == 404
        assert response.content == unknown.content
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
