"""THE visibility policy. Every read of activities and sessions starts here.

A protected space's activities exist only for people holding an explicit
`access_space` grant on that space (django-guardian, direct-FK tables).
Superuser, staff and organisation roles never imply a grant. Everything here
is computed per call from the database, so a revoked grant takes effect on the
very next request.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from backend.common.object_perms import objects_with_perm
from backend.organisations.models import Room, Venue
from backend.organisations.roles import coordinated_organisations
from backend.timetable.models import Activity, Session

from .models import (
    ACCESS,
    COORDINATE,
    Space,
    SpaceGroupObjectPermission,
    SpaceUserObjectPermission,
)


def _spaces_with(user, codename: str) -> QuerySet[Space]:
    """Spaces on which the user holds `codename`, directly or through a group."""
    return objects_with_perm(
        Space,
        user,
        codename,
        user_perms=SpaceUserObjectPermission,
        group_perms=SpaceGroupObjectPermission,
    )


def granted_spaces(user) -> QuerySet[Space]:
    """Spaces whose activities the user may see."""
    return _spaces_with(user, ACCESS)


def coordinated_spaces(user) -> QuerySet[Space]:
    """Spaces the user coordinates (grants, requests, their timetable).
    Coordinating without also holding access shows nothing."""
    return _spaces_with(user, COORDINATE).filter(pk__in=granted_spaces(user).values("pk"))


def has_grant(user, space: Space | None) -> bool:
    return space is None or granted_spaces(user).filter(pk=space.pk).exists()


def _visible_space_q(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}space__isnull": True}) | Q(
        **{f"{prefix}space__in": granted_spaces(user).values("pk")}
    )


def visible_activities(user) -> QuerySet[Activity]:
    return Activity.objects.filter(_visible_space_q(user))


def visible_sessions(user) -> QuerySet[Session]:
    return Session.objects.filter(_visible_space_q(user, "activity__"))


def visible_rooms(user) -> QuerySet[Room]:
    """Rooms, less those used only by activities the user may not see: a room
    that exists only for a women-only group (a refuge's meeting room) must not
    appear to anyone else. Rooms nobody uses yet are visible."""
    sessions_here = Session.objects.filter(room=OuterRef("pk"))
    activities_here = Activity.objects.filter(room=OuterRef("pk"))
    hidden_use = Exists(sessions_here.exclude(_visible_space_q(user, "activity__"))) | Exists(
        activities_here.exclude(_visible_space_q(user))
    )
    visible_use = Exists(sessions_here.filter(_visible_space_q(user, "activity__"))) | Exists(
        activities_here.filter(_visible_space_q(user))
    )
    return Room.objects.exclude(hidden_use & ~visible_use)


def visible_venues(user) -> QuerySet[Venue]:
    """Venues with at least one visible room (or no rooms yet)."""
    return Venue.objects.filter(
        Q(rooms__isnull=True) | Q(rooms__in=visible_rooms(user).values("pk"))
    ).distinct()


def manageable_activities(user) -> QuerySet:
    """Visible activities the user coordinates, through the organisation or the space."""
    if user is None or not user.is_authenticated:
        return visible_activities(user).none()
    return visible_activities(user).filter(
        Q(organisation__in=coordinated_organisations(user).values("pk"))
        | Q(space__in=coordinated_spaces(user).values("pk"))
    )


def staffed_sessions(user) -> QuerySet:
    """Visible sessions whose register the user takes: she tutors the activity or runs it.

    The queryset twin of `can_take_register`."""
    if user is None or not user.is_authenticated:
        return visible_sessions(user).none()
    return visible_sessions(user).filter(
        Q(activity__tutors=user) | Q(activity__in=manageable_activities(user).values("pk"))
    )


def can_see_activity(user, activity) -> bool:
    return has_grant(user, activity.space)


def can_manage_activity(user, activity) -> bool:
    return manageable_activities(user).filter(pk=activity.pk).exists()


def can_manage_session(user, session) -> bool:
    return can_manage_activity(user, session.activity)


def can_create_in(user, organisation, space: Space | None) -> bool:
    """May the user add an activity to this organisation (and space)?"""
    if space is not None:
        if not has_grant(user, space):
            return False
        if coordinated_spaces(user).filter(pk=space.pk).exists():
            return True
    return coordinated_organisations(user).filter(pk=organisation.pk).exists()


def can_book(user, session) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and can_see_activity(user, session.activity)
        and session.status == session.Status.SCHEDULED
    )


def can_take_register(user, session) -> bool:
    if not can_see_activity(user, session.activity):
        return False
    if session.activity.tutors.filter(pk=user.pk).exists():
        return True
    return can_manage_activity(user, session.activity)
