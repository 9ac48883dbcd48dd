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


# --- people ---------------------------------------------------------------------------------
# Which staff may see a person follows only from what they may see of her: her
# bookings or attendance at visible sessions they work on, or a registration
# made in a context they may see (a public register or learner login of their
# organisation: `Participant.organisations`; a space's register or login:
# `Participant.registered_in_space`, never the organisation). A woman known to an
# organisation only through its women-only space does not exist for its staff
# without the grant: not in search, not by id, not for merge, erase, export or a
# sign-in code.


def _staff_organisations(user) -> QuerySet:
    from backend.organisations.roles import tutored_organisations

    return coordinated_organisations(user) | tutored_organisations(user)


def _people_known_through(*, orgs, spaces, sessions) -> Q:
    """People booked or marked at `sessions`, registered with `orgs`, or
    registered at one of `spaces`: a filter on Participant."""
    from backend.accounts.models import Participant
    from backend.bookings.models import Booking
    from backend.registers.models import Attendance

    booked = Booking.objects.filter(participant=OuterRef("pk"), session__in=sessions)
    attended = Attendance.objects.filter(participant=OuterRef("pk"), session__in=sessions)
    registered = Participant.objects.filter(
        Q(organisations__in=orgs) | Q(registered_in_space__in=spaces)
    )
    return Exists(booked) | Exists(attended) | Q(pk__in=registered.values("pk"))


def _spaces_staffed(user, orgs) -> QuerySet[Space]:
    """Spaces whose people the user works with: she coordinates the space, or
    she is staff of its organisation and holds its grant."""
    return Space.objects.filter(
        Q(pk__in=coordinated_spaces(user).values("pk"))
        | Q(pk__in=granted_spaces(user).values("pk"), organisation__in=orgs)
    )


def visible_participants(user) -> QuerySet:
    """Herself; and, for staff, the people they may know of: booked or marked at
    visible sessions of their organisations, their spaces or the activities
    they tutor, or registered in a context they may see."""
    from backend.accounts.models import Participant

    if user is None or not user.is_authenticated:
        return Participant.objects.none()
    orgs = _staff_organisations(user).values("pk")
    spaces = _spaces_staffed(user, orgs).values("pk")
    sessions = visible_sessions(user).filter(
        Q(activity__organisation__in=orgs)
        | Q(activity__space__in=coordinated_spaces(user).values("pk"))
        | Q(activity__tutors=user)
    )
    known = _people_known_through(orgs=orgs, spaces=spaces, sessions=sessions.values("pk"))
    return Participant.objects.filter(merged_into__isnull=True).filter(Q(user=user) | known)


def manageable_participants(user) -> QuerySet:
    """Visible people whose records the user may merge, erase, export or give a
    sign-in code: those known to an organisation or space she coordinates (the
    same three ways as `visible_participants`). Not herself: a learner may
    export or erase her own record, which the services allow separately.

    The queryset twin of `can_manage_participant`."""
    from backend.accounts.models import Participant

    if user is None or not user.is_authenticated:
        return Participant.objects.none()
    orgs = coordinated_organisations(user).values("pk")
    spaces = _spaces_staffed(user, orgs).values("pk")
    activities = manageable_activities(user).values("pk")
    sessions = visible_sessions(user).filter(activity__in=activities).values("pk")
    known = _people_known_through(orgs=orgs, spaces=spaces, sessions=sessions)
    return Participant.objects.filter(merged_into__isnull=True).filter(known)


def can_see_participant(user, participant) -> bool:
    return visible_participants(user).filter(pk=participant.pk).exists()


def can_manage_participant(user, participant) -> bool:
    return manageable_participants(user).filter(pk=participant.pk).exists()
