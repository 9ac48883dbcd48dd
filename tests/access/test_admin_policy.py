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


def test_a_venue_history_never_names_a_room_that_became_hidden(world):
    """The superuser adds a room; a women's group then uses it alone, so it is
    hidden from him: its line leaves the venue's history."""
    assert _add_room(world, "Rose room").status_code == 302
    client = admin_client(world.superuser)
    history = f"/admin/organisations/venue/{world.room.venue_id}/history/"
    assert "Rose room" in client.get(history).content.decode()  # the probe reaches it
    make_activity(
        actor=world.space_coordinator, organisation=world.org, space=world.space,
        room=Room.objects.get(name="Rose room"), title="Sewing circle", capacity=8,
    )  # fmt: skip
    page = client.get(history)
    assert page.status_code == 200
    assert "Rose room" not in page.content.decode()
    assert list(page.context["action_list"]) == []  # the empty entry goes too


def test_recent_actions_forget_what_she_may_no_longer_see(world):
    from backend.access import services as access_services

    coordinator = world.space_coordinator
    client = admin_client(coordinator)
    url = f"/admin/timetable/activity/{world.protected_activity.pk}/change/"
    data = form_data(client.get(url))
    data["description"] = "Bring a notebook"
    assert client.post(url, data).status_code == 302
    assert "Women&#x27;s English" in client.get("/admin/").content.decode()
    # Appointed by the operator, she is stood down the same way: now she may not see it.
    access_services.space_revoke(
        actor=access_services_actor(world), space=world.space, user=coordinator
    )
    index = client.get("/admin/")
    assert "Women" not in index.content.decode()


def access_services_actor(world):
    from backend.access import services as access_services
    from tests.factories import UserFactory

    other = UserFactory(username="coord-space-2")
    access_services.space_coordinator_appoint(space=world.space, user=other)
    return other
