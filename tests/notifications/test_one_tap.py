"""One-tap links in messages: valid, used, expired, tampered; never a 500."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from rest_framework.test import APIClient

from backend.bookings import services as booking_services
from backend.bookings.models import Booking, BookingEvent
from backend.notifications.one_tap import reply_token_make
from tests.notifications.conftest import at

DAY = date(2027, 5, 4)
BEFORE = at(DAY, 9)  # the morning of the session (18:00)


def url(booking, purpose):
    return f"/api/v1/replies/{reply_token_make(booking_id=booking.pk, purpose=purpose)}/"


@pytest.fixture
def booking(booked):
    return booked(DAY)


def test_i_cannot_come_frees_my_place_once(booking):
    client = APIClient()
    with time_machine.travel(BEFORE, tick=False):
        looked = client.get(url(booking, "cancel"))
        assert looked.status_code == 200
        assert looked.json()["state"] == "ready"
        assert looked.json()["activity"] == "Bike repair"
        booking.refresh_from_db()
        assert booking.status == "confirmed"  # looking does nothing (link previews)
        used = client.post(url(booking, "cancel"))
        assert used.status_code == 200, used.content
        assert used.json()["state"] == "done"
        booking.refresh_from_db()
        assert booking.status == "cancelled"
        booking.session.refresh_from_db()
        assert booking.session.booked_places == 0
        again = client.post(url(booking, "cancel"))
    assert again.status_code == 409
    assert again.json()["code"] == "reply_link_used"


def test_freeing_a_place_gives_it_to_the_line_at_once(world, booking):
    session = booking.session
    session.capacity = 1
    session.save()
    with time_machine.travel(BEFORE, tick=False):
        waiting, _ = booking_services.booking_create(actor=world.man, session=session)
        assert waiting.status == "waiting"
        assert APIClient().post(url(booking, "cancel")).status_code == 200
    waiting.refresh_from_db()
    assert waiting.status in ("offered", "confirmed")


def test_i_will_come_is_recorded_once(booking):
    with time_machine.travel(BEFORE, tick=False):
        assert APIClient().post(url(booking, "come")).json()["state"] == "done"
        assert APIClient().post(url(booking, "come")).status_code == 409
    assert BookingEvent.objects.filter(booking=booking, action="reply_coming").count() == 1
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_one_purpose_per_link(booking):
    with time_machine.travel(BEFORE, tick=False):
        APIClient().post(url(booking, "come"))
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_a_link_expires_with_its_session(booking):
    with time_machine.travel(at(DAY, 18, 1), tick=False):
        looked = APIClient().get(url(booking, "cancel"))
        used = APIClient().post(url(booking, "cancel"))
    assert looked.json()["state"] == "expired"
    assert used.status_code == 410
    assert used.json()["code"] == "reply_link_expired"
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature
        lambda t: ("A" if t[0] != "A" else "B") + t[1:],  # booking id
        lambda t: t[:23] + "a" + t[24:] if t[23] != "a" else t[:23] + "x" + t[24:],  # purpose
        lambda t: t[:-3],
        lambda t: "x" * 40,
        lambda t: t + "%00",
        lambda t: "%27;DROP TABLE x;--",
    ],
)
def test_tampered_links_get_one_clear_answer(booking, mangle):
    token = mangle(reply_token_make(booking_id=booking.pk, purpose="cancel"))
    with time_machine.travel(BEFORE, tick=False):
        looked = APIClient().get(f"/api/v1/replies/{token}/")
        used = APIClient().post(f"/api/v1/replies/{token}/")
    assert looked.status_code == used.status_code == 404
    assert looked.json()["code"] == used.json()["code"] == "reply_link_invalid"
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_a_link_for_a_booking_that_does_not_exist_looks_tampered(booking):
    import uuid

    token = reply_token_make(booking_id=uuid.uuid4(), purpose="cancel")
    response = APIClient().get(f"/api/v1/replies/{token}/")
    assert response.status_code == 404
    assert response.json()["code"] == "reply_link_invalid"


def test_accepting_an_offer_with_one_tap(world, booked):
    first = booked(DAY)
    session = first.session
    session.capacity = 1
    session.save()
    with time_machine.travel(BEFORE, tick=False):
        mine, _ = booking_services.booking_create(actor=world.man, session=session)
        booking_services.booking_cancel(actor=world.learner, booking=first)
        mine.refresh_from_db()
        if mine.status == "offered":
            assert APIClient().post(url(mine, "accept")).json()["state"] == "done"
        mine.refresh_from_db()
        assert mine.status == "confirmed"
        assert APIClient().post(url(mine, "accept")).status_code == 409


def test_a_women_only_link_page_says_only_when(world, booked):
    booking = booked(DAY, title="Women's swimming", space=world.space)
    with time_machine.travel(BEFORE, tick=False):
        body = APIClient().get(url(booking, "cancel")).json()
    assert body["activity"] is None and body["venue"] is None
    assert "swimming" not in str(body).lower()


def test_the_short_link_opens_the_page_in_her_language(booking):
    participant = booking.participant
    participant.preferred_language = "fa"
    participant.save()
    token = reply_token_make(booking_id=booking.pk, purpose="cancel")
    response = APIClient().get(f"/r/{token}")
    assert response.status_code == 302
    assert response["Location"] == f"/#/reply/{token}"
    assert response.cookies["django_language"].value == "fa"
    chosen = APIClient()
    chosen.cookies["django_language"] = "ar"
    assert "django_language" not in chosen.get(f"/r/{token}").cookies
    assert APIClient().get("/r/nonsense").status_code == 302
