"""One policy, literally: every `can_*` boolean of backend/access/policy.py
agrees with its queryset twin, for every role of the permission matrix and
every object of its world (a cancelled session and an unstaffed one included,
so a boolean that forgot the status or the tutors would differ)."""

from __future__ import annotations

from datetime import time

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.access import policy
from backend.organisations.roles import coordinated_organisations
from backend.timetable import services as timetable_services
from backend.timetable.models import Activity, Session
from tests.access.test_permission_matrix import ROLES
from tests.factories import make_activity

# The matrix's roles, and the other organisation's coordinator; anonymous
# both as a request sees her (AnonymousUser) and as feeds pass her (None).
TWIN_ROLES = (*ROLES, "other_coordinator")


def _users(world):
    for role in TWIN_ROLES:
        if role == "anonymous":
            yield "anonymous", AnonymousUser()
            yield "anonymous (None)", None
        else:
            yield role, getattr(world, role)


@pytest.fixture
def full_world(world):
    """The matrix's world, plus a cancelled session in each activity and an
    activity of the other organisation that nobody tutors."""
    for activity in (world.public_activity, world.protected_activity):
        session = activity.sessions.order_by("start").last()
        actor = world.space_coordinator if activity.space_id else world.coordinator
        timetable_services.session_cancel(actor=actor, session=session, reason="Snow.")
    make_activity(
        actor=world.other_coordinator, organisation=world.other_org, title="Bike repair",
        kind=Activity.Kind.OTHER, start_time=time(9), end_time=time(10),
    )  # fmt: skip
    assert Session.objects.filter(status=Session.Status.CANCELLED).count() == 2
    return world


ACTIVITY_TWINS = [
    (policy.can_see_activity, policy.visible_activities),
    (policy.can_manage_activity, policy.manageable_activities),
]
SESSION_TWINS = [
    (policy.can_manage_session, policy.manageable_sessions),
    (policy.can_book, policy.bookable_sessions),
    (policy.can_take_register, policy.staffed_sessions),
]


@pytest.mark.parametrize(("boolean", "twin"), ACTIVITY_TWINS, ids=lambda f: f.__name__)
def test_activity_booleans_equal_their_querysets(full_world, boolean, twin):
    differences = [
        f"{role} / {activity.title}: {boolean.__name__} says {not expected}"
        for role, user in _users(full_world)
        for activity in Activity.objects.select_related("space")
        if boolean(user, activity) != (expected := twin(user).filter(pk=activity.pk).exists())
    ]
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize(("boolean", "twin"), SESSION_TWINS, ids=lambda f: f.__name__)
def test_session_booleans_equal_their_querysets(full_world, boolean, twin):
    sessions = list(Session.objects.select_related("activity__space"))
    assert len(sessions) > 6
    differences = [
        f"{role} / {session.activity.title} {session.start:%d %b} ({session.status}): "
        f"{boolean.__name__} says {not expected}"
        for role, user in _users(full_world)
        for session in sessions
        if boolean(user, session) != (expected := twin(user).filter(pk=session.pk).exists())
    ]
    assert not differences, "\n".join(differences)


def test_grants_equal_the_granted_spaces(full_world):
    for role, user in _users(full_world):
        assert policy.has_grant(user, None), role  # a public activity needs no grant
        granted = policy.granted_spaces(user).filter(pk=full_world.space.pk).exists()
        assert policy.has_grant(user, full_world.space) == granted, role


def test_creating_follows_the_coordinated_organisations_and_spaces(full_world):
    """`can_create_in` has no single queryset: it is the coordinated
    organisations, or a coordinated space she can see."""
    for role, user in _users(full_world):
        for organisation in (full_world.org, full_world.other_org):
            runs_org = coordinated_organisations(user).filter(pk=organisation.pk).exists()
            assert policy.can_create_in(user, organisation, None) == runs_org, role
            space = full_world.space
            runs_space = policy.coordinated_spaces(user).filter(pk=space.pk).exists()
            expected = policy.has_grant(user, space) and (runs_space or runs_org)
            assert policy.can_create_in(user, organisation, space) == expected, role


def test_the_twins_are_not_trivial(full_world):
    """Each twin separates the roles: these tests compare something."""
    protected = full_world.protected_activity.sessions.filter(status="scheduled").first()
    assert policy.can_take_register(full_world.tutor_in_space, protected)
    assert not policy.can_take_register(full_world.tutor_elsewhere, protected)
    assert policy.can_manage_session(full_world.space_coordinator, protected)
    assert not policy.can_manage_session(full_world.coordinator, protected)
    assert policy.can_book(full_world.learner_with_grant, protected)
    assert not policy.can_book(full_world.man, protected)
