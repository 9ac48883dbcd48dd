"""The booking rules, one function each, each refusal with its stable code.
Called by services with the session row locked."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from backend.access import policy
from backend.common.errors import ApplicationError
from backend.timetable.models import Session

from .models import ACTIVE, HOLDING, Booking


def _refuse(code: str, detail: str, status: int = 409, field: str | None = None):
    fields = {field: [detail]} if field else None
    return ApplicationError(code, detail, fields=fields, status_code=status)


def check_session_bookable(session: Session, *, now=None) -> None:
    now = now or timezone.now()
    activity = session.activity
    if session.status == Session.Status.CANCELLED:
        raise _refuse("session_cancelled", "This session is cancelled.")
    if not activity.booking_required:
        raise _refuse("drop_in", "No booking needed: this is a drop-in, just come along.", 400)
    if now >= session.start:
        raise _refuse("session_started", "This session has already started.")
    opens = session.start - timedelta(days=activity.booking_opens_days)
    if now < opens:
        local = timezone.localtime(opens)
        raise _refuse("booking_not_open", f"Booking opens on {local:%a %d %b at %H:%M}.")
    closes = session.start - timedelta(hours=activity.booking_closes_hours)
    if now >= closes:
        raise _refuse("booking_closed", "Booking for this session has closed.")


def check_not_course(activity) -> None:
    """A course's sessions are taken for the term (bookings/courses.py): a
    single session, or the activity queue, points to enrolment instead."""
    if activity.is_course:
        raise _refuse(
            "course_enrolment_required",
            "This is a course: enrol for the term (POST /api/v1/enrolments/).",
        )


def check_group_size(session: Session, places: int) -> None:
    limit = min(session.activity.max_group_size, session.capacity)
    if places < 1 or places > limit:
        raise _refuse(
            "group_too_large", f"One booking can be for 1 to {limit} places.", 400, "places"
        )


def check_not_already_booked(session: Session, participant) -> None:
    existing = (
        Booking.objects.filter(session=session, participant=participant, status__in=ACTIVE)
        .values_list("status", flat=True)
        .first()
    )
    refuse_if_booked(existing)


def refuse_if_booked(status: str | None) -> None:
    """The refusal for her active booking's status (None: she has none)."""
    if status is not None:
        code = "already_waiting" if status == Booking.Status.WAITING else "already_booked"
        raise _refuse(code, "You already have a place or a waiting-list place in this session.")


def overlapping_booking(session: Session, participant, *, among) -> Booking | None:
    """Her place at another session at the same time, looking only at the
    sessions in `among`: those the person asking may see, so a place she holds
    somewhere hidden from him never refuses or skips anything he can observe
    (docs/women-only-rooms.md)."""
    candidates = _overlapping(session, participant)
    # Most bookings overlap nothing: one plain query says so before the
    # visibility filter (the policy's nested SQL, costly to build) is applied.
    if not candidates.exists():
        return None
    return (
        candidates.filter(session__in=among.values("pk"))
        .select_related("session__activity")
        .order_by("session__start", "pk")
        .first()
    )


def _overlapping(session: Session, participant):
    return Booking.objects.filter(
        participant=participant,
        status__in=HOLDING,
        session__status=Session.Status.SCHEDULED,
        session__start__lt=session.end,
        session__end__gt=session.start,
    ).exclude(session=session)


def has_unseen_overlap(session: Session, participant, *, among) -> bool:
    """She holds a place at the same time that the person who put her here
    could not see: she is told herself (her bookings show it too)."""
    if not holds_overlapping_place(session, participant):
        return False  # the common case, without building the visibility filter
    return _overlapping(session, participant).exclude(session__in=among.values("pk")).exists()


def holds_overlapping_place(session: Session, participant) -> bool:
    """She holds a place at another session at the same time, anywhere. Not
    for an answer anyone else observes: only a cheap "no" before the
    visibility-filtered questions above."""
    return _overlapping(session, participant).exists()


def check_no_overlap(session: Session, participant, *, actor) -> None:
    if not holds_overlapping_place(session, participant):
        return  # the common case: no visibility filter to build
    clash = overlapping_booking(session, participant, among=policy.visible_sessions(actor))
    if clash is not None:
        # Only places the actor may see are looked at, so naming it tells him nothing new.
        detail = f"Already has a place at \u201c{clash.session.activity.title}\u201d then."
        raise _refuse("overlapping_booking", detail)


def week_bounds(session: Session):
    local = timezone.localtime(session.start)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday, monday + timedelta(days=7)


def check_weekly_limit(session: Session, participant) -> None:
    limit = session.activity.weekly_limit
    if not limit:
        return
    start, end = week_bounds(session)
    held = Booking.objects.filter(
        participant=participant,
        status__in=ACTIVE,
        session__activity=session.activity,
        session__start__gte=start,
        session__start__lt=end,
    ).count()
    if held >= limit:
        raise _refuse(
            "weekly_limit_reached",
            f"You can book {limit} session(s) of this activity a week, so others get a turn.",
        )
