"""Venues and rooms from the app: her organisation's coordinators add and edit
them; nobody else can, and a room or venue she may not see answers like one
that does not exist. Rooms for a protected space go through `room_create`."""

from __future__ import annotations

import uuid

import pytest

from backend.organisations import services
from backend.organisations.models import Room, Venue
from tests.conftest import client_for
from tests.factories import VenueFactory

VENUES = "/api/v1/venues/"


def new_venue(world, **extra):
    body = {"organisation": str(world.org.pk), "name": "St Anne's Church",
            "address": "1 Church Lane, Derby", "postcode": "DE1 1AA",
            "accessibility": "Step-free entrance on the side; accessible toilet.",
            "map_url": "https://www.openstreetmap.org/#map=18/52.92/-1.47", **extra}  # fmt: skip
    return client_for(world.coordinator).post(VENUES, body, format="json")


def test_a_coordinator_adds_a_venue_with_rooms_and_edits_them(world):
    response = new_venue(world)
    assert response.status_code == 201, response.json()
    venue = response.json()
    assert venue["organisation"]["id"] == str(world.org.pk)
    assert venue["accessibility"].startswith("Step-free") and venue["rooms"] == []
    client = client_for(world.coordinator)
    url = f"{VENUES}{venue['id']}/"
    hall = {"name": "Hall", "capacity": 40, "accessibility": "Hearing loop"}
    room = client.post(f"{url}rooms/", hall, format="json")
    assert room.status_code == 201, room.json()
    assert room.json()["capacity"] == 40
    response = client.patch(f"{url}rooms/{room.json()['id']}/", {"capacity": 35}, format="json")
    assert response.status_code == 200 and response.json()["capacity"] == 35
    response = client.patch(url, {"name": "St Anne's Hall", "postcode": " DE1 2AA "},
                            format="json")  # fmt: skip
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["postcode"]) == ("St Anne's Hall", "DE1 2AA")
    assert [r["name"] for r in client.get(url).json()["rooms"]] == ["Hall"]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": "Hall", "capacity": 0}, "invalid", "capacity"),
        ({"name": " ", "capacity": 5}, "invalid", "name"),
        ({"name": "Hall", "capacity": 5, "space": str(uuid.uuid4())}, "invalid", "space"),
    ],
)
def test_bad_rooms_are_refused_and_nothing_written(world, body, code, field):
    venue = Venue.objects.get(pk=new_venue(world).json()["id"])
    response = client_for(world.coordinator).post(f"{VENUES}{venue.pk}/rooms/", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code and field in response.json()["fields"]
    assert not venue.rooms.exists()


def test_a_room_name_is_unique_in_its_venue(world):
    venue = Venue.objects.get(pk=new_venue(world).json()["id"])
    client = client_for(world.coordinator)
    client.post(f"{VENUES}{venue.pk}/rooms/", {"name": "Hall", "capacity": 5}, format="json")
    response = client.post(f"{VENUES}{venue.pk}/rooms/", {"name": "Hall", "capacity": 9},
                           format="json")  # fmt: skip
    assert response.status_code == 409 and response.json()["code"] == "room_name_taken"
    assert venue.rooms.get().capacity == 5


def test_only_the_venues_organisation_edits_it(world):
    venue = Venue.objects.get(pk=new_venue(world).json()["id"])
    shared = VenueFactory(name="Council hall")  # kept by the server's team
    for user in (world.other_coordinator, world.learner, world.tutor_elsewhere):
        client = client_for(user)
        response = client.patch(f"{VENUES}{venue.pk}/", {"name": "Mine now"}, format="json")
        assert response.status_code == 403
        response = client.post(f"{VENUES}{venue.pk}/rooms/", {"name": "X", "capacity": 5},
                               format="json")  # fmt: skip
        assert response.status_code == 403
    response = client_for(world.coordinator).patch(f"{VENUES}{shared.pk}/", {"name": "X"},
                                                   format="json")  # fmt: skip
    assert response.status_code == 403
    body = {"organisation": str(world.other_org.pk), "name": "Not hers"}
    response = client_for(world.coordinator).post(VENUES, body, format="json")
    assert response.status_code == 400 and "organisation" in response.json()["fields"]
    venue.refresh_from_db()
    assert venue.name == "St Anne's Church"
    assert client_for(None).post(VENUES, body, format="json").status_code == 403


def test_a_hidden_room_answers_like_an_unknown_one(world):
    """The women's room is used only by the women-only class: to everyone
    without the grant it does not exist, whatever they try."""
    hidden = world.protected_activity.room
    hidden.venue.organisation = world.org
    hidden.venue.save()
    url = f"{VENUES}{hidden.venue.pk}/rooms/"
    client = client_for(world.coordinator)
    seen = client.patch(f"{url}{hidden.pk}/", {"capacity": 2}, format="json")
    unknown = client.patch(f"{url}{uuid.uuid4()}/", {"capacity": 2}, format="json")
    assert (seen.status_code, seen.content) == (404, unknown.content)
    with pytest.raises(Exception) as raised:
        services.room_update(actor=world.coordinator, room=hidden, capacity=2)
    assert getattr(raised.value, "code", None) == "not_found"
    hidden.refresh_from_db()
    assert hidden.capacity == 14


def test_a_room_for_a_space_needs_its_coordinator_and_its_organisations_venue(world):
    venue = Venue.objects.get(pk=new_venue(world).json()["id"])
    other_venue = VenueFactory(organisation=world.other_org)
    # An organisation coordinator without the grant: the space does not exist for her.
    with pytest.raises(Exception) as raised:
        services.room_create(actor=world.coordinator, venue=venue, name="Quiet room",
                             capacity=8, space=world.space)  # fmt: skip
    assert raised.value.fields == {"space": ["Not found."]}
    with pytest.raises(Exception) as raised:
        services.room_create(actor=world.space_coordinator, venue=other_venue, name="Quiet",
                             capacity=8, space=world.space)  # fmt: skip
    assert raised.value.code == "permission_denied"
    # Without a space, a space coordinator is not the venue's coordinator.
    with pytest.raises(Exception) as raised:
        services.room_create(actor=world.space_coordinator, venue=venue, name="Quiet",
                             capacity=8)  # fmt: skip
    assert raised.value.code == "permission_denied"
    assert not Room.objects.filter(venue__in=[venue, other_venue]).exists()
