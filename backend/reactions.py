"""Reactions: the one sanctioned place where one domain's write reaches a domain
above it (docs/layers.md).

Domains are layered: accounts and organisations at the bottom, then access,
the timetable, bookings, and registers, feeds and reports on top. A service may
call the services of the domains below it directly. A few writes of a lower
domain have consequences in a higher one (revoking a grant ends her bookings in
the space; cancelling a session tells the people booked on it). Those calls go
through this module and nowhere else, so the whole list of cross-domain
cascades is on one page, and import-linter (pyproject.toml) can hold every
other import to the layers.

No signals: a reaction is an ordinary function the service calls explicitly,
inside the service's own transaction and while it holds its locks, so the
cascade commits or rolls back with the write that caused it.

Lock order. Row locks (SELECT ... FOR UPDATE) are taken in this order, so no
two transactions can wait for each other in a cycle:

    participant or activity  ->  session(s)  ->  room(s)

A transaction holding a session's lock never then waits for a participant's or
an activity's, and several sessions (or rooms) are locked in primary-key
order. The timetable locks the activity, its sessions, then the rooms; a
booking locks her participant row, then the session. A reaction the timetable
calls runs with those locks held and locks only a session its caller already
holds; `grant_revoked` is called holding no row lock and locks her sessions in
primary-key order. A course's enrolment (bookings/courses.py) locks her
participant row, then the activity's, then every remaining session of the
course in primary-key order. A crèche staff change takes the activity's row,
then the session's (or every session to come, in primary-key order; on a
course always every session to come, as serving the course's line needs).
"""

from __future__ import annotations

from backend.bookings import courses, creche
from backend.bookings import services as booking_services
from backend.bookings.models import Booking
from backend.registers import no_shows
from backend.registers.models import Attendance

# --- bookings -> registers ------------------------------------------------------


def booking_waits_for_confirmation(*, session, participant) -> bool:
    """A place is being given to her: does the activity's no-show rule (a
    register matter) hold it for a coordinator's confirmation? Counted only
    from sessions everyone who sees this one may see (docs/fair-shares.md)."""
    return no_shows.rule_holds_back(session=session, participant=participant)


# --- access -> bookings ---------------------------------------------------------


def grant_revoked(*, space, user) -> int:
    """Her grant to `space` was revoked: her places, waiting-list places and
    queue entries in its activities end, and the places go to the line."""
    return booking_services.bookings_withdraw_for_space(space=space, user=user)


# --- timetable -> bookings, registers ---------------------------------------------


def session_places_opened(*, session_id) -> list[Booking]:
    """Places opened without a cancellation (capacity raised, a bigger room, the
    session reinstated or moved): the waiting line is served. The caller holds
    the session's lock."""
    return booking_services.line_serve(session_id=session_id)


def creche_staff_needed(*, session) -> int:
    """Asked before a session's crèche staff go down (its own number, or the
    activity's it follows): the fewest staff the children booked on it need.
    The caller holds the session's lock."""
    return creche.staff_needed(session)


def course_sessions_added(*, activity) -> int:
    """A course has sessions its live enrolments do not hold yet (generated
    later, or its dates widened): each enrolled learner gets a place on each,
    or waits first in its line (docs/courses.md). The caller holds the
    activity's lock."""
    return courses.enrolments_extend(activity=activity)


def course_places_opened(*, activity) -> int:
    """Places or crèche places opened on a course's sessions by a change that
    holds the activity's lock (its capacity or crèche staff raised, one
    session's crèche staff raised): the course's own line is served at once,
    in order. The caller holds the activity's row and, if any, sessions of it
    taken in primary-key order (courses._lock_course takes the rest the same
    way). Returns how many were enrolled."""
    return courses.course_line_serve(activity=activity)


def session_cancelled(*, session) -> int:
    """The session is off: everyone holding or waiting for a place is told.
    Their bookings stay (the coordinator may reinstate the session)."""
    return booking_services.session_cancelled_notify(session=session)


def session_reinstated(*, session) -> int:
    """A cancelled session runs after all (a closure was undone): everyone still
    holding or waiting for a place is told."""
    return booking_services.session_reinstated_notify(session=session)


def session_in_use(session) -> bool:
    """Asked before a schedule edit deletes a session: anyone ever booked or
    marked keeps it, so their history keeps its session."""
    return (
        session.booked_places > 0
        or Booking.objects.filter(session=session).exists()
        or Attendance.objects.filter(session=session).exists()
    )
