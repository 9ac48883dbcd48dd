"""A space coordinator registers a learner and gives her the space in the same
step (issue 14 item 6); a revocation from the members list carries a reason."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model

from backend.access import policy
from backend.access.models import AuditEntry
from tests.conftest import client_for


def _register(user, **body):
    return client_for(user).post(
        "/api/v1/learner-accounts/", {"known_as": "Mariam", **body}, format="json"
    )


def test_she_is_granted_in_the_same_step_and_sees_the_class_at_once(world):
    response = _register(world.space_coordinator, space=str(world.space.pk), grant=True)
    assert response.status_code == 201, response.json()
    mariam = get_user_model().objects.get(username=response.json()["username"])
    assert policy.has_grant(mariam, world.space)
    entry = AuditEntry.objects.get(space=world.space, subject=mariam, action="access_granted")
    assert entry.actor == world.space_coordinator
    listed = client_for(mariam).get(f"/api/v1/activities/{world.protected_activity.pk}/")
    assert listed.status_code == 200


def test_without_the_box_ticked_she_is_registered_but_not_granted(world):
    response = _register(world.space_coordinator, space=str(world.space.pk))
    mariam = get_user_model().objects.get(username=response.json()["username"])
    assert not policy.has_grant(mariam, world.space)


def test_a_grant_needs_a_space(world):
    response = _register(world.coordinator, organisation=str(world.org.pk), grant=True)
    assert response.status_code == 400 and "grant" in response.json()["fields"]
    assert not get_user_model().objects.filter(known_as="Mariam").exists()


def test_someone_who_does_not_coordinate_the_space_cannot_tell_it_from_an_unknown_one(world):
    before = get_user_model().objects.count()
    hidden = _register(world.coordinator, space=str(world.space.pk), grant=True)
    unknown = _register(world.coordinator, space=str(uuid.uuid4()), grant=True)
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.content == unknown.content
    assert get_user_model().objects.count() == before


def test_revoking_from_the_members_list_records_the_reason(world):
    client = client_for(world.space_coordinator)
    members = client.get(f"/api/v1/spaces/{world.space.pk}/members/").json()["results"]
    assert world.learner_with_grant.username in [m["username"] for m in members]
    response = client.post(
        f"/api/v1/spaces/{world.space.pk}/revoke/",
        {"username": world.learner_with_grant.username, "note": "Asked to leave the group"},
        format="json",
    )
    assert response.status_code == 204
    assert not policy.has_grant(world.learner_with_grant, world.space)
    entry = AuditEntry.objects.get(subject=world.learner_with_grant, action="access_revoked")
    assert entry.note == "Asked to leave the group"
