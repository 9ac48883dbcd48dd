"""The admin answers every viewer as if what he may not see did not exist
(issue 12 items 5-7): validation errors, history, recent actions, and the
accounts of the women a space protects."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from backend.organisations.models import Room
from tests.access.admin_forms import add_inline_row, form_data
from tests.factories import RoomFactory, make_activity


def admin_client(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def hidden_room(world):
    """A room at the public class's venue that only the women's group uses."""
    room = RoomFactory(venue=world.room.venue, name="Rose room", capacity=12)
    make_activity(
        actor=world.space_coordinator, organisation=world.org, room=room, space=world.space,
        title="Sewing circle", start_time=time(13, 17), end_time=time(14, 43),
    )  # fmt: skip
    return room


def _add_room(world, name):
    client = admin_client(world.superuser)
    url = f"/admin/organisations/venue/{world.room.venue_id}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = add_inline_row(form_data(page), "rooms", name=name, capacity="10", accessibility="")
    return client.post(url, data)


@pytest.mark.parametrize("hidden", [False, True])
def test_a_room_named_like_a_hidden_room_is_simply_added(world, request, hidden):
    if hidden:
        request.getfixturevalue("hidden_room")
    response = _add_room(world, "Rose room")
    assert response.status_code == 302, response.content[:500]
    assert Room.objects.filter(venue=world.room.venue, name="Rose room").count() == 1 + hidden


@pytest.mark.parametrize("hidden", [False, True])
def test_a_room_named_like_a_visible_room_is_refused_the_same_way(world, request, hidden):
    if hidden:
        request.getfixturevalue("hidden_room")
    response = _add_room(world, world.room.name)
    assert response.status_code == 200
    errors = [form.errors for form in response.context["inline_admin_formsets"][0].formset]
    assert {"name": ["Another room at this venue has this name."]} in errors
    assert "Rose" not in response.content.decode()
