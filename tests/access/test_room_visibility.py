"""Issue 12, item 5: a room's visibility never changes because a space started
using it. A space's own room (`Room.space`) is hidden from the start from
everyone without the grant; every other room stays visible whoever uses it."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from backend.access import policy
from backend.organisations.models import Room
from tests.conftest import client_for
from tests.factories import RoomFactory, VenueFactory, make_activity
from tests.probes import assert_same_answer

WITHOUT_GRANT = ("man", "learner", "tutor_elsewhere", "coordinator", "superuser")


@pytest.fixture
def hall(world):
    """A venue with a room nobody uses yet."""
    venue = VenueFactory(name="Community Hall")
    return RoomFactory(venue=venue, name="Small hall", capacity=20)


def _space_starts_using(world, room):
    def setup():
        make_activity(
            actor=world.space_coordinator, organisation=world.org, room=room, space=world.space,
            title="Women's yoga", start_date=timezone.localdate() + timedelta(days=3),
            start_time=time(9), end_time=time(10),
        )  # fmt: skip

    return setup


@pytest.mark.parametrize("role", WITHOUT_GRANT)
def test_a_room_stays_in_its_venue_when_a_space_starts_using_it(world, hall, role):
    user = getattr(world, role)
    url = reverse("venue-detail", kwargs={"pk": hall.venue_id})
    status, body = assert_same_answer(
        _space_starts_using(world, hall), lambda: client_for(user).get(url)
    )
    assert status == 200 and [r["name"] for r in body["rooms"]] == ["Small hall"]


@pytest.mark.parametrize("role", WITHOUT_GRANT)
def test_the_venue_list_is_the_same_with_and_without_the_space(world, hall, role):
    user = getattr(world, role)

    def hidden():
        _space_starts_using(world, hall)()
        RoomFactory(venue=hall.venue, name="Crèche room", capacity=8, space=world.space)
        elsewhere = VenueFactory(name="Marigold House")
        kept = RoomFactory(venue=elsewhere, name="Rose", space=world.space)
        make_activity(
            actor=world.space_coordinator, organisation=world.org, room=kept, space=world.space,
            title="Sewing", start_date=timezone.localdate() + timedelta(days=4),
        )  # fmt: skip

    assert_same_answer(hidden, lambda: client_for(user).get(reverse("venue-list")))


def test_a_space_room_is_hidden_from_the_start_and_seen_with_the_grant(world, hall):
    RoomFactory(venue=hall.venue, name="Crèche room", capacity=8, space=world.space)
    url = reverse("venue-detail", kwargs={"pk": hall.venue_id})
    outsiders = [r["name"] for r in client_for(world.coordinator).get(url).json()["rooms"]]
    assert outsiders == ["Small hall"]
    for user in (world.learner_with_grant, world.space_coordinator):
        names = [r["name"] for r in client_for(user).get(url).json()["rooms"]]
        assert names == ["Crèche room", "Small hall"]


def test_the_policy_decides_by_the_rooms_space_not_its_use(world, hall):
    _space_starts_using(world, hall)()
    assert policy.visible_rooms(world.man).filter(pk=hall.pk).exists()
    kept = world.protected_activity.room
    assert not policy.visible_rooms(world.man).filter(pk=kept.pk).exists()
    assert policy.visible_rooms(world.learner_with_grant).filter(pk=kept.pk).exists()


def test_the_migration_keeps_rooms_hidden_today_hidden(world, hall):
    from importlib import import_module

    migration = import_module("backend.organisations.migrations.0003_room_space_and_reservations")
    only_space = world.protected_activity.room
    Room.objects.filter(pk=only_space.pk).update(space=None)
    shared = RoomFactory(name="Shared")
    make_activity(actor=world.coordinator, organisation=world.org, room=shared, title="Open")
    make_activity(
        actor=world.space_coordinator, organisation=world.org, room=shared, space=world.space,
        title="Women", start_time=time(8), end_time=time(9),
    )  # fmt: skip
    migration.keep_space_rooms_hidden(apps, None)
    spaces = dict(Room.objects.values_list("name", "space_id"))
    assert spaces[only_space.name] == world.space.pk  # used only by the space: stays hidden
    assert spaces["Shared"] is None and spaces["Small hall"] is None
    assert spaces["Classroom 1"] is None


def test_the_admin_offers_a_space_only_to_its_coordinators_and_never_changes_it(world, hall):
    from backend.organisations.admin import RoomForm

    form = RoomForm(instance=world.protected_activity.room)
    assert form.fields["space"].disabled
    fresh = RoomForm()
    assert not fresh.fields["space"].disabled
