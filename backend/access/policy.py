"""THE visibility policy. Every read of activities and sessions starts here.

A protected space's activities exist only for people holding an explicit
`access_space` grant on that space (django-guardian, direct-FK tables).
Superuser, staff and organisation roles never imply a grant. Everything here
is computed per call from the database, so a revoked grant takes effect on the
very next request.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from backend.common.object_perms import objects_with_perm
from backend.organisations.roles import coordinated_organisations

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


def visible_activities(user) -> QuerySet:
    from backend.timetable.models import Activity

    return Activity.objects.filter(_visible_space_q(user))


def visible_sessions(user) -> QuerySet:
    from backend.timetable.models import Session

    return Session.objects.filter(_visible_space_q(user, "activity__"))


def sessions_seen_alongside(session) -> QuerySet:
    """Sessions that everyone who may see `session` may see too: public ones,
    and those of the same space. Work nobody asks for (promotion off a waiting
    line) may look only at these, because its outcome is seen by all of them."""
    from backend.timetable.models import Session

    space_id = session.activity.space_id
    same = Q(activity__space__isnull=True)
    if space_id is not None:
        same |= Q(activity__space_id=space_id)
    return Session.objects.filter(same)


def visible_rooms(user) -> QuerySet:
    """Rooms, less those kept for a space the user has no grant to.

    A room's visibility is fixed when it is made: a space's own room (a
    refuge's meeting room) is hidden from the start, every other room is
    visible to everyone, whoever books it. Deciding from use instead made a
    visible room vanish from its venue the day a space started using it. A
    space's use of a shared room shows only as a neutral "Reserved" block
    (`backend.timetable.rooms`)."""
    from backend.organisations.models import Room

    return Room.objects.filter(_visible_space_q(user))


def visible_venues(user) -> QuerySet:
    """Venues with at least one visible room (or no rooms yet)."""
    from backend.organisations.models import Venue

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
