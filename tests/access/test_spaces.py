"""Grants, requests, revocation, tutors, the audit log and aggregates."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.access import policy
from backend.access import services as access_services
from backend.access.models import AuditEntry
from backend.common.errors import ApplicationError
from backend.timetable import services as timetable_services
from backend.timetable.models import Session
from tests.conftest import client_for
from tests.factories import UserFactory


def session_ids(user) -> set[str]:
    response = client_for(user).get(reverse("session-list"), {"page_size": 200})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def protected_ids(world) -> set[str]:
    upcoming = world.protected_activity.sessions.order_by("start")[:1]
    return {str(s.pk) for s in upcoming}


def test_request_approve_then_she_sees_the_class(world):
    woman = UserFactory(username="amal")
    assert not protected_ids(world) & session_ids(woman)

    response = client_for(woman).post(
        reverse("space-request-access", kwargs={"pk": world.space.pk}),
        {"message": "My neighbour comes."},
        format="json",
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    again = client_for(woman).post(
        reverse("space-request-access", kwargs={"pk": world.space.pk}), {}, format="json"
    )
    assert again.json()["id"] == response.json()["id"]  # asking twice is one request

    pending = client_for(world.space_coordinator).get(
        reverse("access-request-list"), {"status": "pending"}
    )
    assert [r["user"]["username"] for r in pending.json()["results"]] == ["amal"]
    assert client_for(world.coordinator).get(reverse("access-request-list")).json()["count"] == 0

    approved = client_for(world.space_coordinator).post(
        reverse("access-request-approve", kwargs={"pk": response.json()["id"]}),
        {"note": "Met at the door"},
        format="json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert protected_ids(world) <= session_ids(woman)
    actions = list(
        AuditEntry.objects.filter(subject=woman).order_by("at").values_list("action", "actor")
    )
    assert actions == [
        ("access_requested", woman.pk),
        ("access_request_approved", world.space_coordinator.pk),
    ]


def test_declined_request_gives_nothing_and_is_audited(world):
    woman = UserFactory()
    request = access_services.access_request_create(user=woman, space=world.space)
    access_services.access_request_decide(
        actor=world.space_coordinator, request=request, approve=False
    )
    assert not policy.has_grant(woman, world.space)
    assert AuditEntry.objects.filter(subject=woman, action="access_request_declined").exists()
    with pytest.raises(ApplicationError) as caught:
        access_services.access_request_decide(
            actor=world.space_coordinator, request=request, approve=True
        )
    assert caught.value.code == "request_not_pending"


@pytest.mark.parametrize("role", ["coordinator", "superuser", "learner_with_grant"])
def test_only_space_coordinators_grant(world, role):
    response = client_for(getattr(world, role)).post(
        reverse("space-grant", kwargs={"pk": world.space.pk}),
        {"username": world.man.username},
        format="json",
    )
    assert response.status_code == 403
    assert not policy.has_grant(world.man, world.space)


def test_direct_grant_and_revoke_take_effect_on_the_next_request(world):
    coordinator = client_for(world.space_coordinator)
    woman = UserFactory(username="hana")
    url = reverse("session-detail", kwargs={"pk": next(iter(protected_ids(world)))})
    assert client_for(woman).get(url).status_code == 404

    grant = coordinator.post(
        reverse("space-grant", kwargs={"pk": world.space.pk}), {"username": "hana"}, format="json"
    )
    assert grant.status_code == 204
    assert client_for(woman).get(url).status_code == 200
    members = coordinator.get(reverse("space-members", kwargs={"pk": world.space.pk})).json()
    assert "hana" in {m["username"] for m in members["results"]}

    revoke = coordinator.post(
        reverse("space-revoke", kwargs={"pk": world.space.pk}), {"username": "hana"}, format="json"
    )
    assert revoke.status_code == 204
    assert client_for(woman).get(url).status_code == 404
    audit = coordinator.get(reverse("space-audit", kwargs={"pk": world.space.pk})).json()
    assert [e["action"] for e in audit["results"]][:2] == ["access_revoked", "access_granted"]


def test_unknown_username_is_a_clear_400(world):
    response = client_for(world.space_coordinator).post(
        reverse("space-grant", kwargs={"pk": world.space.pk}), {"username": "nobody"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "unknown_user"


def test_a_tutor_needs_the_grant_to_be_assigned_and_loses_the_class_on_revoke(world):
    tutor = UserFactory()
    with pytest.raises(ApplicationError) as caught:
        timetable_services.activity_tutor_assign(
            actor=world.space_coordinator, activity=world.protected_activity, tutor=tutor
        )
    assert caught.value.code == "tutor_needs_grant"
    assert not world.protected_activity.tutors.filter(pk=tutor.pk).exists()

    access_services.space_grant(actor=world.space_coordinator, space=world.space, user=tutor)
    timetable_services.activity_tutor_assign(
        actor=world.space_coordinator, activity=world.protected_activity, tutor=tutor
    )
    session = world.protected_activity.sessions.first()
    assert policy.can_take_register(tutor, session)

    access_services.space_revoke(actor=world.space_coordinator, space=world.space, user=tutor)
    assert not world.protected_activity.tutors.filter(pk=tutor.pk).exists()
    assert not policy.can_take_register(tutor, session)


def test_superuser_and_staff_status_never_grant(world):
    assert not policy.has_grant(world.superuser, world.space)
    assert world.protected_activity not in policy.visible_activities(world.superuser)
    assert not policy.can_take_register(world.superuser, world.protected_activity.sessions.first())


def test_counts_cover_only_what_the_viewer_may_see(world):
    def count(user):
        return client_for(user).get(reverse("session-list")).json()["count"]

    public = Session.objects.filter(activity=world.public_activity)
    hidden = Session.objects.filter(activity=world.protected_activity)
    rng = {"date_from": public.order_by("start")[0].start.date().isoformat()}

    def count_in(user):
        return client_for(user).get(reverse("session-list"), rng).json()["count"]

    assert (
        count_in(world.learner_with_grant)
        == count_in(world.man)
        + hidden.filter(
            start__date__gte=rng["date_from"],
            start__date__lte=public.order_by("start")[0].start.date() + timedelta(days=6),
        ).count()
    )
    assert count(world.man) == count(None)


def test_unlisted_space_does_not_exist_for_others(world):
    world.space.is_listed = False
    world.space.save()
    url = reverse("space-detail", kwargs={"pk": world.space.pk})
    assert client_for(world.man).get(url).status_code == 404
    unknown = client_for(world.man).get(reverse("space-detail", kwargs={"pk": uuid.uuid4()}))
    assert client_for(world.man).get(url).content == unknown.content
    assert client_for(world.learner_with_grant).get(url).status_code == 200
    listed = client_for(world.man).get(reverse("space-list")).json()
    assert listed["count"] == 0


def test_me_lists_roles_and_grants(world):
    me = client_for(world.space_coordinator).get(reverse("me")).json()
    assert [s["name"] for s in me["spaces"]] == ["Upbeat Women"]
    assert [s["name"] for s in me["coordinates_spaces"]] == ["Upbeat Women"]
    assert client_for(world.coordinator).get(reverse("me")).json()["spaces"] == []


def _bulk_sessions(activity, n):
    # From the first session on, off the series' minute so no slot repeats.
    start = activity.sessions.order_by("start").first().start + timedelta(minutes=1)
    step = timedelta(hours=2)
    Session.objects.bulk_create(
        Session(
            activity=activity, original_start=start + step * (i + 1),
            start=start + step * (i + 1), end=start + step * (i + 1) + timedelta(hours=1),
            room=activity.room, capacity=activity.capacity,
        )
        for i in range(n)
    )  # fmt: skip


def test_session_list_query_count_is_constant_in_the_number_of_sessions(world):
    client = client_for(world.learner_with_grant)
    # Both sizes overflow a page: a list that fits on one page skips the COUNT(*)
    # (common/pagination.py), one query fewer, whatever its size.
    params = {"page_size": 5}

    def queries():
        first = world.protected_activity.sessions.order_by("start").first().start.date()
        params.update(date_from=first.isoformat(), date_to=(first + timedelta(days=91)).isoformat())
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("session-list"), params)
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    _bulk_sessions(world.protected_activity, 10)
    small, small_count = queries()
    _bulk_sessions(world.public_activity, 1000)
    large, large_count = queries()
    assert large_count > small_count + 900  # the range holds many more sessions now
    assert small == large


def test_operator_appoints_the_first_coordinator_from_the_command_line(world):
    from django.core.management import CommandError, call_command

    nadia = UserFactory(username="nadia")
    call_command("space_coordinator", space="Upbeat Women", username="nadia", verbosity=0)
    assert policy.coordinated_spaces(nadia).filter(pk=world.space.pk).exists()
    entry = AuditEntry.objects.get(subject=nadia)
    assert entry.action == "coordinator_appointed" and entry.actor is None
    with pytest.raises(CommandError):
        call_command("space_coordinator", space="No such space", username="nadia")


def test_a_space_coordinator_grants_a_woman_she_found_by_name(world):
    """The members screen's "Give access": a person she may see, by her record."""
    from backend.accounts.models import Participant
    from backend.people import services as people_services

    mina = people_services.learner_account_create(
        actor=world.space_coordinator, known_as="Mina Rahimi", space=world.space
    )
    walk_in = Participant.objects.create(known_as="Roya", registered_in_space=world.space)
    url = reverse("space-grant", kwargs={"pk": world.space.pk})
    coordinator = client_for(world.space_coordinator)
    granted = coordinator.post(url, {"participant": str(mina.pk), "note": "Met her"}, format="json")
    assert granted.status_code == 204, granted.content
    assert policy.has_grant(mina.user, world.space)
    no_login = coordinator.post(url, {"participant": str(walk_in.pk)}, format="json")
    assert no_login.status_code == 400 and "no login" in no_login.json()["fields"]["participant"][0]
    # Someone she may not see answers exactly as an id that never existed.
    hidden = Participant.objects.create(known_as="Ahmed K")
    unseen = coordinator.post(url, {"participant": str(hidden.pk)}, format="json")
    unknown = coordinator.post(url, {"participant": str(uuid.uuid4())}, format="json")
    assert (unseen.status_code, unseen.content) == (400, unknown.content)
    both = coordinator.post(url, {"participant": str(mina.pk), "username": "x"}, format="json")
    assert both.status_code == 400
