"""Reads for registers: the rows of one register. Which people a viewer may see
is `backend.access.policy.visible_participants`."""

from __future__ import annotations

from backend.bookings.models import ACTIVE, Booking

from .models import Attendance


def register_rows(*, session) -> list[dict]:
    """Booked people, the waiting line and walk-ins in one list, marks pre-filled.
    The caller has checked the register may be taken."""
    bookings = list(
        Booking.objects.filter(session=session, status__in=ACTIVE)
        .select_related("participant")
        .order_by("status", "-priority", "seq")
    )
    marks = {
        a.participant_id: a
        for a in Attendance.objects.filter(session=session).select_related("participant")
    }
    rows = []
    for booking in bookings:
        mark = marks.pop(booking.participant_id, None)
        rows.append(_row(booking.participant, booking=booking, attendance=mark))
    for attendance in sorted(marks.values(), key=lambda a: a.participant.known_as):
        rows.append(_row(attendance.participant, booking=None, attendance=attendance))
    return rows


def _row(participant, *, booking, attendance) -> dict:
    return {
        "participant": participant,
        "booking_status": booking.status if booking else None,
        "places": booking.places if booking else 1,
        "mark": attendance.mark if attendance else None,
        "walk_in": bool(attendance and attendance.walk_in),
        "over_capacity": bool(attendance and attendance.over_capacity),
        "first_visit": bool(attendance and attendance.first_visit),
    }
