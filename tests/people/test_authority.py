"""Who may merge, erase, export and give a sign-in code: decided once, from what
the actor may see (issue 13 item 5, issue 12 item 9)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from backend.access.models import AuditEntry
from backend.accounts.models import Participant, SignInCode
from backend.registers import services as register_services
from tests.conftest import client_for

PEOPLE = "/api/v1/participants/"
ACCOUNTS = "/api/v1/learner-accounts/"


def _held(activity, days_ago=1):
    start = timezone.now() - timedelta(days=days_ago)
    return activity.sessions.create(
        original_start=start, start=start, end=start + timedelta(hours=1),
        room=activity.room, capacity=10,
    )  # fmt: skip


def _space_walk_in(world, name: str, days_ago: int = 1) -> Participant:
    register_services.walk_in_add(
        actor=world.tutor_in_space, session=_held(world.protected_activity, days_ago),
        known_as=name,
    )  # fmt: skip
    return Participant.objects.get(known_as=name)


def test_a_space_coordinator_merges_two_records_of_a_woman_in_her_space(world):
    keep = _space_walk_in(world, "Roya Karimi", days_ago=2)
    other = _space_walk_in(world, "Roya K", days_ago=1)
    response = client_for(world.space_coordinator).post(
        f"{PEOPLE}{keep.pk}/merge/", {"other": str(other.pk)}, format="json"
    )
    assert response.status_code == 200, response.content
    other.refresh_from_db()
    assert other.merged_into_id == keep.pk
    assert keep.attendance.count() == 2


def test_a_space_tutor_may_not_merge(world):
    keep = _space_walk_in(world, "Roya Karimi", days_ago=2)
    other = _space_walk_in(world, "Roya K", days_ago=1)
    response = client_for(world.tutor_in_space).post(
        f"{PEOPLE}{keep.pk}/merge/", {"other": str(other.pk)}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_a_coordinator_of_another_organisation_cannot_reach_either(world):
    keep = _space_walk_in(world, "Roya Karimi", days_ago=2)
    response = client_for(world.other_coordinator).post(
        f"{PEOPLE}{keep.pk}/merge/", {"other": str(keep.pk)}, format="json"
    )
    unknown = client_for(world.other_coordinator).post(
        f"{PEOPLE}{uuid.uuid4()}/merge/", {"other": str(keep.pk)}, format="json"
    )
    assert (response.status_code, response.content) == (404, unknown.content)


def _learner_login(world, name: str) -> Participant:
    made = client_for(world.coordinator).post(
        ACCOUNTS, {"known_as": name, "organisation": str(world.org.pk)}, format="json"
    )
    assert made.status_code == 201, made.content
    return Participant.objects.get(pk=made.json()["id"])


def _issue(actor, person):
    return client_for(actor).post(f"{PEOPLE}{person.pk}/sign-in-code/")


def _shape(response) -> tuple:
    body = response.json()
    return response.status_code, sorted(body), body.get("participant"), body.get("username")


def test_a_hidden_grant_does_not_change_the_answer_to_a_code_request(world):
    """Layla's login was made by her organisation; the space later let her in.
    Her coordinator, who does not coordinate the space, gets the answer he would
    get if she had no grant, and the code he hands out does not open the space."""
    layla = _learner_login(world, "Layla")
    hana = _learner_login(world, "Hana")
    from backend.access import services as access_services

    asked = access_services.access_request_create(user=layla.user, space=world.space)
    access_services.access_request_decide(
        actor=world.space_coordinator, request=asked, approve=True
    )
    without_grant = _issue(world.coordinator, hana)
    with_grant = _issue(world.coordinator, layla)
    assert with_grant.status_code == without_grant.status_code == 201
    assert sorted(with_grant.json()) == sorted(without_grant.json())
    assert with_grant.json()["participant"] == str(layla.pk)
    # Whoever uses that code signs in to a login without the space...
    client = APIClient()
    signed_in = client.post(
        "/api/v1/auth/sign-in-code/",
        {"code": with_grant.json()["sign_in_code"], "secret": "472915"},
        format="json",
    )
    assert signed_in.status_code == 200
    assert client.get("/api/v1/me/").json()["spaces"] == []
    assert client.get("/api/v1/access-requests/").json()["count"] == 0
    space = client.get(f"/api/v1/spaces/{world.space.pk}/").json()
    hers = client_for(hana.user).get(f"/api/v1/spaces/{world.space.pk}/").json()
    assert space == hers
    # ...and the space's coordinators see why, in the space's own log.
    entry = AuditEntry.objects.get(space=world.space, action="access_suspended")
    assert entry.subject == layla.user and entry.actor == world.coordinator


def test_the_space_coordinator_still_gives_her_a_code_that_opens_the_space(world):
    layla = _learner_login(world, "Layla")
    from backend.access import services as access_services

    access_services.space_grant(actor=world.space_coordinator, space=world.space, user=layla.user)
    from backend.bookings import services as booking_services

    women = world.protected_activity.sessions.order_by("start").first()
    booking_services.booking_create(actor=layla.user, session=women)  # how the space knows her
    issued = _issue(world.space_coordinator, layla)
    assert issued.status_code == 201, issued.content
    client = APIClient()
    signed_in = client.post(
        "/api/v1/auth/sign-in-code/",
        {"code": issued.json()["sign_in_code"], "secret": "472915"},
        format="json",
    )
    assert signed_in.status_code == 200, signed_in.content
    assert [s["name"] for s in client.get("/api/v1/me/").json()["spaces"]] == ["Upbeat Women"]
    assert not AuditEntry.objects.filter(action="access_suspended").exists()


def test_a_login_the_space_made_is_simply_not_found_by_others(world):
    made = client_for(world.space_coordinator).post(
        ACCOUNTS, {"known_as": "Mina", "space": str(world.space.pk)}, format="json"
    )
    mina = Participant.objects.get(pk=made.json()["id"])
    for role in ("coordinator", "tutor_elsewhere", "other_coordinator", "superuser", "man"):
        user = getattr(world, role)
        answer = _issue(user, mina)
        unknown = client_for(user).post(f"{PEOPLE}{uuid.uuid4()}/sign-in-code/")
        assert (answer.status_code, answer.content) == (404, unknown.content), role
    assert not SignInCode.objects.filter(user=mina.user).exists()
    assert list(mina.organisations.all()) == []
