"""Reads for bookings. Every booking is reached through a session the policy
lets the reader see."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from backend.access import policy
from backend.timetable.models import Session

from . import rules
from .models import ACTIVE, HOLDING, ActivityQueueEntry, Booking, CourseEnrolment


def _position(line_model, scope_field: str):
    """1 + how many waiting entries of the same scope are ahead of this one."""
    ahead = (
        line_model.objects.filter(
            **{scope_field: OuterRef(scope_field), "status": line_model.Status.WAITING}
        )
        .filter(
            Q(priority__gt=OuterRef("priority"))
            | Q(priority=OuterRef("priority"), seq__lt=OuterRef("seq"))
        )
        .order_by()
        .values(scope_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1


def _overlaps_another(user):
    """True when the same person holds another place at the same time in a
    session `user` may see. Her own view shows every overlap (a place given
    while someone else booked her, or promotion, may overlap a place they could
    not see); a viewer without the grant never sees one with a hidden place."""
    exists = Exists(
        Booking.objects.filter(
            participant=OuterRef("participant"),
            status__in=HOLDING,
            session__status=Session.Status.SCHEDULED,
            session__start__lt=OuterRef("session__end"),
            session__end__gt=OuterRef("session__start"),
            session__in=policy.visible_sessions(user).values("pk"),
        ).exclude(session=OuterRef("session"))
    )
    return ExpressionWrapper(exists & Q(status__in=ACTIVE), output_field=BooleanField())


def _with_related(qs: QuerySet[Booking], user) -> QuerySet[Booking]:
    return qs.select_related(
        "session__activity__organisation", "session__room__venue", "participant"
    ).annotate(position=_position(Booking, "session"), overlaps_another=_overlaps_another(user))


def bookings_of(*, user) -> QuerySet[Booking]:
    """Her own bookings, in sessions she can (still) see."""
    if not user.is_authenticated:
        return Booking.objects.none()
    return _with_related(
        Booking.objects.filter(
            participant__user=user, session__in=policy.visible_sessions(user).values("pk")
        ),
        user,
    ).order_by("session__start", "created_at")


def bookings_visible_to(*, user) -> QuerySet[Booking]:
    """Her own, plus every booking of sessions she takes registers for or runs."""
    if not user.is_authenticated:
        return Booking.objects.none()
    staffed = policy.staffed_sessions(user)
    return _with_related(
        Booking.objects.filter(
            Q(participant__user=user, session__in=policy.visible_sessions(user).values("pk"))
            | Q(session__in=staffed.values("pk"))
        ),
        user,
    )


def session_line(*, user, session) -> QuerySet[Booking]:
    """A session's active bookings (confirmed, offered, then the waiting line)."""
    return (
        bookings_visible_to(user=user)
        .filter(session=session, status__in=ACTIVE)
        .order_by("status", "-priority", "seq")
    )


def queue_entries_visible_to(*, user) -> QuerySet[ActivityQueueEntry]:
    if not user.is_authenticated:
        return ActivityQueueEntry.objects.none()
    visible = policy.visible_activities(user).values("pk")
    return (
        ActivityQueueEntry.objects.filter(activity__in=visible)
        .filter(
            Q(participant__user=user)
            | Q(activity__in=policy.manageable_activities(user).values("pk"))
        )
        .select_related("activity", "participant")
        .annotate(position=_position(ActivityQueueEntry, "activity"))
        .order_by("activity__title", "-priority", "seq")
    )


def booking_get(*, user, booking_id) -> Booking | None:
    """One booking as the user may see it; her own are found with the cheaper query."""
    own = bookings_of(user=user).filter(pk=booking_id).first()
    return own or bookings_visible_to(user=user).filter(pk=booking_id).first()


def booking_as_made(*, user, booking: Booking) -> Booking | None:
    """The booking `user` just made (`booking_create`, which checked she may
    see its session), as `booking_get` would give it, without its nested
    policy SQL: the session, room and person are the ones the service held.
    Her place in line is the one the service counted under the session's lock
    (what she was told). `overlaps_another` is false unless she holds an
    overlapping place at all (one plain query); then the full read answers."""
    if rules.holds_overlapping_place(booking.session, booking.participant):
        return booking_get(user=user, booking_id=booking.pk)
    booking.overlaps_another = False  # type: ignore[attr-defined]
    return booking


# --- courses (docs/courses.md) -------------------------------------------------------------


def enrolments_visible_to(*, user):
    """Her own enrolments, and those of courses she manages, in courses she
    may (still) see."""
    if not user.is_authenticated:
        return CourseEnrolment.objects.none()
    visible = policy.visible_activities(user).values("pk")
    return (
        CourseEnrolment.objects.filter(activity__in=visible)
        .filter(
            Q(participant__user=user)
            | Q(activity__in=policy.manageable_activities(user).values("pk"))
        )
        .select_related("activity", "participant")
        .prefetch_related("creche_children")
        .annotate(position=_course_position(), held_sessions=_held_sessions())
        .order_by("activity__title", "-priority", "seq")
    )


def _held_sessions():
    """How many sessions the enrolment holds a place on."""
    held = (
        Booking.objects.filter(enrolment=OuterRef("pk"), status__in=HOLDING)
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(held, output_field=IntegerField()), Value(0))


def _course_position():
    return _position(CourseEnrolment, "activity")


def class_list(*, activity):
    """A course's enrolments, enrolled first then its line in order. The
    caller has checked that the viewer manages the course."""
    return (
        CourseEnrolment.objects.filter(activity=activity, status__in=CourseEnrolment.LIVE)
        .select_related("participant")
        .prefetch_related("creche_children")
        .annotate(position=_course_position(), held_sessions=_held_sessions())
        .order_by("status", "-priority", "seq")
    )
