"""Issue 12, item 1: a place she holds somewhere the actor may not see never
refuses, skips or holds anything he can observe; she is told herself.

Each probe asks the same thing of a world where she holds a place at the
women-only session at that time and of one where she does not."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.accounts.services import participant_for_user
from backend.bookings import services
from backend.notifications.models import Notification
from backend.organisations.services import organisation_role_assign
from backend.timetable.models import Session
from backend.timetable.services import activity_tutor_assign, session_cancel
from tests.conftest import client_for
from tests.factories import RoomFactory, UserFactory, make_activity
from tests.probes import assert_same_answer

BOOKINGS = reverse("booking-list")


@pytest.fixture
def scene(world):
    """Coffee (public, one-off) at the time of her women's class; she is known
    to the coordinator from a public booking earlier that day."""
    protected = world.protected_activity.sessions.order_by("start").first()
    coffee = make_activity(
        actor=world.coordinator, organisation=world.org, room=RoomFactory(), title="Coffee",
        start_date=timezone.localtime(protected.start).date(), start_time=time(13, 30),
        end_time=time(14), recurrence=None,
    )  # fmt: skip
    organisation_role_assign(organisation=world.org, user=world.tutor_elsewhere, role="tutor")
    activity_tutor_assign(actor=world.coordinator, activity=coffee, tutor=world.tutor_elsewhere)
    services.booking_create(
        actor=world.learner_with_grant,
        session=world.public_activity.sessions.order_by("start").first(),
    )
    her = participant_for_user(user=world.learner_with_grant)
    her.phone = "07700 900123"  # messages are queued per channel she can be reached on
    her.save(update_fields=["phone"])

    def hidden_place():
        services.booking_create(actor=world.learner_with_grant, session=protected)

    return {"coffee": coffee, "session": coffee.sessions.get(), "her": her, "hidden": hidden_place}


def _book_her(actor, scene):
    return client_for(actor).post(
        BOOKINGS,
        {"session": str(scene["session"].pk), "participant": str(scene["her"].pk)},
        format="json",
    )


@pytest.mark.parametrize("role", ["coordinator", "tutor_elsewhere"])
def test_booking_her_answers_as_if_her_hidden_place_did_not_exist(world, scene, role):
    actor = getattr(world, role)
    status, body = assert_same_answer(scene["hidden"], lambda: _book_her(actor, scene))
    assert status == 201 and body["status"] == "confirmed" and body["overlaps_another"] is False


def test_a_cancelled_session_refuses_first_so_the_refusal_is_no_oracle(world, scene):
    session_cancel(actor=world.coordinator, session=scene["session"], reason="Snow")
    status, body = assert_same_answer(scene["hidden"], lambda: _book_her(world.coordinator, scene))
    assert (status, body["code"]) == (409, "session_cancelled")


def test_booking_not_open_refuses_before_any_overlap(world, scene):
    scene["coffee"].booking_opens_days = 0
    scene["coffee"].save(update_fields=["booking_opens_days"])
    status, body = assert_same_answer(scene["hidden"], lambda: _book_her(world.coordinator, scene))
    assert (status, body["code"]) == (409, "booking_not_open")


def test_she_is_told_of_the_overlap_and_sees_it_on_her_bookings(world, scene):
    scene["hidden"]()
    assert _book_her(world.coordinator, scene).status_code == 201
    told = Notification.objects.filter(participant=scene["her"], kind="booking_overlaps")
    assert told.exists()
    assert "Women" not in told.first().body  # names only the session she was booked onto
    mine = client_for(world.learner_with_grant).get(BOOKINGS).json()["results"]
    flagged = {b["session"]["title"]: b["overlaps_another"] for b in mine}
    assert flagged["Coffee"] is True and flagged["Women's English"] is True
    line = client_for(world.coordinator).get(BOOKINGS, {"session": str(scene["session"].pk)})
    assert [b["overlaps_another"] for b in line.json()["results"]] == [False]


def test_a_visible_overlap_is_still_refused_and_named(world, scene):
    public = world.public_activity.sessions.order_by("start").first()
    other = make_activity(
        actor=world.coordinator, organisation=world.org, room=RoomFactory(), title="Tea",
        start_date=timezone.localtime(public.start).date(), start_time=time(11),
        end_time=time(11, 30), recurrence=None,
    )  # fmt: skip
    response = client_for(world.coordinator).post(
        BOOKINGS,
        {"session": str(other.sessions.get().pk), "participant": str(scene["her"].pk)},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "overlapping_booking"
    assert "English: Entry 2" in response.json()["detail"]


def _full_with_her_waiting(world, scene):
    session = scene["session"]
    Session.objects.filter(pk=session.pk).update(capacity=1)
    holder, _ = services.booking_create(actor=world.learner, session=session)
    waiting, _ = services.booking_create(
        actor=world.coordinator, session=session, participant=scene["her"]
    )
    assert waiting.status == "waiting"
    return holder


def test_promotion_never_skips_her_for_a_hidden_place(world, scene):
    holder = _full_with_her_waiting(world, scene)

    def freed_then_line():
        services.booking_cancel(actor=world.learner, booking=holder)
        return client_for(world.coordinator).get(BOOKINGS, {"session": str(scene["session"].pk)})

    status, body = assert_same_answer(scene["hidden"], freed_then_line)
    assert status == 200
    assert [(b["participant"]["id"], b["status"]) for b in body["results"]] == [
        (str(scene["her"].pk), "confirmed")
    ]


def test_the_activity_queue_never_skips_her_for_a_hidden_place(world, scene):
    session = scene["session"]
    Session.objects.filter(pk=session.pk).update(capacity=1)
    holder, _ = services.booking_create(actor=world.learner, session=session)
    entry, _ = services.queue_join(
        actor=world.coordinator, activity=scene["coffee"], participant=scene["her"]
    )
    assert entry.status == "waiting"
    queue = reverse("queue-entry-list")

    def freed_then_lists():
        services.booking_cancel(actor=world.learner, booking=holder)
        client = client_for(world.coordinator)
        return client.get(queue, {"activity": str(scene["coffee"].pk)})

    # The booking the queue made for her is new in each run: its id is masked.
    status, body = assert_same_answer(scene["hidden"], freed_then_lists, mask=("booking",))
    assert status == 200
    assert [e["status"] for e in body["results"]] == ["placed"]


def test_a_promoted_place_overlapping_a_hidden_one_is_told_to_her(world, scene):
    holder = _full_with_her_waiting(world, scene)
    scene["hidden"]()
    services.booking_cancel(actor=world.learner, booking=holder)
    assert Notification.objects.filter(participant=scene["her"], kind="booking_overlaps").exists()


def test_promotion_still_skips_for_a_place_everyone_here_may_see(world, scene):
    holder = _full_with_her_waiting(world, scene)
    other = make_activity(
        actor=world.coordinator, organisation=world.org, room=RoomFactory(), title="Tea",
        start_date=timezone.localtime(scene["session"].start).date(), start_time=time(13),
        end_time=time(14), recurrence=None,
    )  # fmt: skip
    services.booking_create(actor=world.learner_with_grant, session=other.sessions.get())
    next_in_line = UserFactory()
    later, _ = services.booking_create(actor=next_in_line, session=scene["session"])
    services.booking_cancel(actor=world.learner, booking=holder)
    later.refresh_from_db()
    assert later.status == "confirmed"
