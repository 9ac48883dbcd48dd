"""Idempotency, Stripe-style (issue 17, item 6): the same key sent 20 times at
once gives one booking and the same answer to all; the same key with a
different request is refused with `idempotency_key_reused`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from backend.bookings.models import Booking
from tests.bookings.test_concurrency import full_house, post  # noqa: F401
from tests.conftest import client_for


@pytest.mark.postgres
def test_the_same_key_20_times_at_once_books_once_and_answers_alike(live_server, full_house):  # noqa: F811
    session, _people, headers = full_house
    keyed = {**headers[0], "Idempotency-Key": "tap-tap-tap"}
    body = {"session": str(session.pk)}
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(
            pool.map(lambda _: post(live_server.url, "/api/v1/bookings/", keyed, body), range(20))
        )
    codes = sorted(code for code, _ in results)
    assert codes == [200] * 19 + [201], [r for r in results if r[0] not in (200, 201)]
    assert len({answer["id"] for _, answer in results}) == 1
    assert Booking.objects.filter(session=session).count() == 1


@pytest.mark.parametrize("places", [3, 2])
def test_the_same_key_with_a_different_request_is_refused(world, places):
    session = world.public_activity.sessions.order_by("start").first()
    client = client_for(world.coordinator)
    url = reverse("booking-list")
    first = client.post(
        url, {"session": str(session.pk), "places": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert first.status_code == 201, first.json()
    again_body = {"session": str(session.pk), "places": places}
    again = client.post(url, again_body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 409, again.json()
    assert again.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.filter(session=session).count() == 1
    # The same request again is still the first booking.
    replay = client.post(
        url, {"session": str(session.pk), "places": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
