"""THE visibility policy. Every read of activities, sessions, rooms and people starts here.

The rule: every answer that a person without a grant can observe is computed
only from what that person may see, or is identical to what it would be if the
hidden data did not exist. That covers lists and details, and also refusals
and their wording and order, counts, figures, search suggestions, "first seen"
dates, history pages, validation errors and message texts. Writes and
aggregates use these querysets for every check whose outcome the actor can
observe (docs/architecture.md).

A protected space's activities exist only for people holding an explicit
`access_space` grant on that space (django-guardian, direct-FK tables).
Superuser, staff and organisation roles never imply a grant. Everything here
is computed per call from the database, so a revoked grant takes effect on the
very next request.

One policy, literally: each `can_*` boolean has a queryset twin
(`can_see_activity` / `visible_activities`, `can_manage_activity` /
`manageable_activities`, `can_manage_session` / `manageable_sessions`,
`can_book` / `bookable_sessions`, `can_take_register` / `staffed_sessions`,
`has_grant` / `granted_spaces`), and tests/access/test_policy_twins.py checks
they agree for every role of the permission matrix and every object of its
world. The booleans are the cheap form for one object in hand; the querysets
filter lists.

Views fetch an object named by an id with `access_session` / `access_activity`
(fetch through the policy, else the standard not-found answer), never with an
inline fetch-then-404 of their own.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from backend.accounts.models import Participant, User
from backend.bookings.models import Booking
from backend.common.errors import ApplicationError, NotFoundError, field_not_found, parse_uuid
from backend.common.object_perms import objects_with_perm
from backend.common.types import Viewer
from backend.organisations.models import Room, Venue
from backend.organisations.roles import coordinated_organisations, tutored_organisations
from backend.registers.models import Attendance
from backend.timetable.models import Activity, Session

from .models import (
    ACCESS,
    COORDINATE,
    Space,
    SpaceGroupObjectPermission,
    SpaceUserObjectPermission,
)


def _spaces_with(user: Viewer, codename: str) -> QuerySet[Space]:
    """Spaces on which the user holds `codename`, directly or through a group."""
    return objects_with_perm(
        Space,
        user,
        codename,
        user_perms=SpaceUserObjectPermission,
        group_perms=SpaceGroupObjectPermission,
    )


def granted_spaces(user: Viewer) -> QuerySet[Space]:
    """Spaces whose activities the user may see."""
    return _spaces_with(user, ACCESS)


def coordinated_spaces(user: Viewer) -> QuerySet[Space]:
    """Spaces the user coordinates (grants, requests, their timetable).
    Coordinating without also holding access shows nothing."""
    return _spaces_with(user, COORDINATE).filter(pk__in=granted_spaces(user).values("pk"))


def has_grant(user: Viewer, space: Space | None) -> bool:
    return space is None or granted_spaces(user).filter(pk=space.pk).exists()


def _visible_space_q(user: Viewer, prefix: str = "") -> Q:
    return Q(**{f"{prefix}space__isnull": True}) | Q(
        **{f"{prefix}space__in": granted_spaces(user).values("pk")}
    )


def visible_activities(user: Viewer) -> QuerySet[Activity]:
    return Activity.objects.filter(_visible_space_q(user))


def visible_sessions(user: Viewer) -> QuerySet[Session]:
    return Session.objects.filter(_visible_space_q(user, "activity__"))


def sessions_seen_alongside(session) -> QuerySet:
    """Sessions that everyone who may see `session` may see too: public ones,
    and those of the same space. Work nobody asks for (promotion off a waiting
    line) may look only at these, because its outcome is seen by all of them."""
    space_id = session.activity.space_id
    same = Q(activity__space__isnull=True)
    if space_id is not None:
        same |= Q(activity__space_id=space_id)
    return Session.objects.filter(same)


def visible_rooms(user: Viewer) -> QuerySet[Room]:
    """Rooms, less those kept for a space the user has no grant to.

    A room's visibility is fixed when it is made: a space's own room (a
    refuge's meeting room) is hidden from the start, every other room is
    visible to everyone, whoever books it. Deciding from use instead made a
    visible room vanish from its venue the day a space started using it. A
    space's use of a shared room shows only as a neutral "Reserved" block
    (`backend.timetable.rooms`)."""
    return Room.objects.filter(_visible_space_q(user))


def visible_venues(user: Viewer) -> QuerySet[Venue]:
    """Venues with at least one visible room (or no rooms yet)."""
    return Venue.objects.filter(
        Q(rooms__isnull=True) | Q(rooms__in=visible_rooms(user).values("pk"))
    ).distinct()


def manageable_activities(user: Viewer) -> QuerySet:
    """Visible activities the user coordinates, through the organisation or the space."""
    if user is None or not user.is_authenticated:
        return visible_activities(user).none()
    return visible_activities(user).filter(
        Q(organisation__in=coordinated_organisations(user).values("pk"))
        | Q(space__in=coordinated_spaces(user).values("pk"))
    )


def staffed_sessions(user: Viewer) -> QuerySet:
    """Visible sessions whose register the user takes: she tutors the activity or runs it.

    The queryset twin of `can_take_register`."""
    if user is None or not user.is_authenticated:
        return visible_sessions(user).none()
    return visible_sessions(user).filter(
        Q(activity__tutors=user) | Q(activity__in=manageable_activities(user).values("pk"))
    )


def manageable_sessions(user: Viewer) -> QuerySet[Session]:
    """Visible sessions of activities the user coordinates. The queryset twin
    of `can_manage_session`."""
    if user is None or not user.is_authenticated:
        return visible_sessions(user).none()
    return visible_sessions(user).filter(activity__in=manageable_activities(user).values("pk"))


def bookable_sessions(user: Viewer) -> QuerySet[Session]:
    """Visible, scheduled sessions, for a signed-in user. The queryset twin of
    `can_book` (booking windows and capacity are the bookings rules' business)."""
    if user is None or not user.is_authenticated:
        return visible_sessions(user).none()
    return visible_sessions(user).filter(status=Session.Status.SCHEDULED)


def can_see_activity(user: Viewer, activity) -> bool:
    return has_grant(user, activity.space)


def can_manage_activity(user: Viewer, activity) -> bool:
    return manageable_activities(user).filter(pk=activity.pk).exists()


def can_manage_session(user: Viewer, session) -> bool:
    return can_manage_activity(user, session.activity)


def can_create_in(user: Viewer, organisation, space: Space | None) -> bool:
    """May the user add an activity to this organisation (and space)?"""
    if space is not None:
        if not has_grant(user, space):
            return False
        if coordinated_spaces(user).filter(pk=space.pk).exists():
            return True
    return coordinated_organisations(user).filter(pk=organisation.pk).exists()


def can_book(user: Viewer, session) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and can_see_activity(user, session.activity)
        and session.status == session.Status.SCHEDULED
    )


def can_take_register(user: Viewer, session) -> bool:
    if user is None or not user.is_authenticated or not can_see_activity(user, session.activity):
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


def _staff_organisations(user: Viewer) -> QuerySet:
    return coordinated_organisations(user) | tutored_organisations(user)


def _people_known_through(*, orgs, spaces, sessions) -> Q:
    """People booked or marked at `sessions`, registered with `orgs`, or
    registered at one of `spaces`: a filter on Participant."""
    booked = Booking.objects.filter(participant=OuterRef("pk"), session__in=sessions)
    attended = Attendance.objects.filter(participant=OuterRef("pk"), session__in=sessions)
    registered = Participant.objects.filter(
        Q(organisations__in=orgs) | Q(registered_in_space__in=spaces)
    )
    return Exists(booked) | Exists(attended) | Q(pk__in=registered.values("pk"))


def _spaces_staffed(user: Viewer, orgs) -> QuerySet[Space]:
    """Spaces whose people the user works with: she coordinates the space, or
    she is staff of its organisation and holds its grant."""
    return Space.objects.filter(
        Q(pk__in=coordinated_spaces(user).values("pk"))
        | Q(pk__in=granted_spaces(user).values("pk"), organisation__in=orgs)
    )


def visible_participants(user: Viewer) -> QuerySet:
    """Herself; and, for staff, the people they may know of: booked or marked at
    visible sessions of their organisations, their spaces or the activities
    they tutor, or registered in a context they may see."""
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


def visible_accounts(user: Viewer) -> QuerySet:
    """Logins whose existence the user may know of: all but those a protected
    space made (her participant record is registered at the space) when the
    user holds no grant to that space. Such a login exists only because the
    space does; to anyone else it does not (the admin's user list)."""
    hidden = Participant.objects.filter(registered_in_space__isnull=False).exclude(
        registered_in_space__in=granted_spaces(user).values("pk")
    )
    return User.objects.exclude(pk__in=hidden.filter(user__isnull=False).values("user"))


def manageable_participants(user: Viewer) -> QuerySet:
    """Visible people whose records the user may merge, erase, export or give a
    sign-in code: those known to an organisation or space she coordinates (the
    same three ways as `visible_participants`). Not herself: a learner may
    export or erase her own record, which the services allow separately.

    The queryset twin of `can_manage_participant`."""
    if user is None or not user.is_authenticated:
        return Participant.objects.none()
    orgs = coordinated_organisations(user).values("pk")
    spaces = _spaces_staffed(user, orgs).values("pk")
    activities = manageable_activities(user).values("pk")
    sessions = visible_sessions(user).filter(activity__in=activities).values("pk")
    known = _people_known_through(orgs=orgs, spaces=spaces, sessions=sessions)
    return Participant.objects.filter(merged_into__isnull=True).filter(known)


def can_see_participant(user: Viewer, participant) -> bool:
    return visible_participants(user).filter(pk=participant.pk).exists()


def can_manage_participant(user: Viewer, participant) -> bool:
    return manageable_participants(user).filter(pk=participant.pk).exists()


# --- fetch and authorise --------------------------------------------------------------
#
# In the spirit of Zulip's `access_stream_by_id`: a view names an object by the
# id it was given and gets it back only through the policy. An id that is not a
# UUID, one that never existed and one the policy hides get the same answer: the
# standard 404 `not_found`, or, for an id sent in the request body (`field=`),
# that field's "Not found." (400 `invalid`). Asked `for_` more than seeing, an
# object she can see but may not use that way is a 403 `permission_denied`.

_DENIED = {
    "manage": "Only this activity's coordinators can do that.",
    "register": "Only this activity's tutors and coordinators take its register.",
}


def _fetch(queryset: QuerySet, object_id, field: str | None):
    pk = parse_uuid(object_id)
    found = None if pk is None else queryset.filter(pk=pk).first()
    if found is None:
        raise field_not_found(field) if field else NotFoundError()
    return found


def _require(allowed: bool, for_: str) -> None:
    if not allowed:
        raise ApplicationError("permission_denied", _DENIED[for_], status_code=403)


def access_activity(
    user: Viewer, activity_id, *, for_: str = "see", field: str | None = None
) -> Activity:
    """The activity `activity_id` as the user may reach it: `for_` is "see" or "manage"."""
    if for_ not in ("see", "manage"):
        raise ValueError(f"access_activity: unknown purpose {for_!r}")
    activity = _fetch(visible_activities(user).select_related("space"), activity_id, field)
    if for_ == "manage":
        _require(can_manage_activity(user, activity), for_)
    return activity


def access_session(
    user: Viewer, session_id, *, for_: str = "see", field: str | None = None
) -> Session:
    """The session `session_id` as the user may reach it: `for_` is "see",
    "manage" (she coordinates its activity) or "register" (she takes its register)."""
    if for_ not in ("see", "manage", "register"):
        raise ValueError(f"access_session: unknown purpose {for_!r}")
    # The boolean twin of visible_sessions (tests/access/test_policy_twins.py):
    # the row by its id, then its space's grant, asked only for a protected
    # space. The nested SQL of the queryset form costs more to build than to run.
    pk = parse_uuid(session_id)
    session = None
    if pk is not None:
        session = Session.objects.select_related("activity__space").filter(pk=pk).first()
    if session is None or not can_see_activity(user, session.activity):
        raise field_not_found(field) if field else NotFoundError()
    if for_ == "manage":
        _require(can_manage_session(user, session), for_)
    elif for_ == "register":
        _require(can_take_register(user, session), for_)
    return session
