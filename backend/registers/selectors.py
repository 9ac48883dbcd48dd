"""Reads for registers and participants, scoped by the access policy."""

from __future__ import annotations

import difflib
import re

from django.db.models import Exists, OuterRef, Q, QuerySet

from backend.access import policy
from backend.accounts.models import Participant
from backend.bookings.models import ACTIVE, Booking
from backend.organisations.roles import coordinated_organisations, tutored_organisations

from .models import Attendance


def staff_organisations(user):
    return coordinated_organisations(user) | tutored_organisations(user)


def visible_participants(user) -> QuerySet[Participant]:
    """Herself; and, for staff, people who booked or attended sessions the
    viewer may see and works on (her organisation's, her space's, or ones she
    tutors), or whom her organisation or space registered. A person first
    registered at a protected space's register stays hidden from anyone
    without that space's grant."""
    if user is None or not user.is_authenticated:
        return Participant.objects.none()
    orgs = staff_organisations(user).values("pk")
    spaces = policy.coordinated_spaces(user).values("pk")
    sessions = (
        policy.visible_sessions(user)
        .filter(
            Q(activity__organisation__in=orgs)
            | Q(activity__space__in=spaces)
            | Q(activity__tutors=user)
        )
        .values("pk")
    )
    booked = Booking.objects.filter(participant=OuterRef("pk"), session__in=sessions)
    attended = Attendance.objects.filter(participant=OuterRef("pk"), session__in=sessions)
    registered = Q(registered_in_space__in=spaces) | Q(organisations__in=orgs) & (
        Q(registered_in_space__isnull=True)
        | Q(registered_in_space__in=policy.granted_spaces(user).values("pk"))
    )
    return Participant.objects.filter(merged_into__isnull=True).filter(
        Q(user=user)
        | Exists(booked)
        | Exists(attended)
        | Q(pk__in=Participant.objects.filter(registered).values("pk"))
    )


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def participant_search(*, user, query: str, limit: int = 20) -> list[Participant]:
    """Name or phone, typo-tolerant: "Fatma" finds Fatima, "7700 900" finds
    07700 900123. Ranked in Python over the visible set (a charity's people
    number in the thousands at most)."""
    query = (query or "").strip()[:60]  # a name or a phone number is short
    if not query:
        return []
    candidates = list(visible_participants(user).filter(erased_at__isnull=True)[:5000])
    digits = _digits(query)
    needle = query.casefold()
    scored = []
    for person in candidates:
        name = person.known_as.casefold()
        score = 0.0
        if len(digits) >= 4 and digits in _digits(person.phone):
            score = 1.0
        elif needle in name:
            score = 0.95
        else:
            words = name.split() or [name]
            score = max(difflib.SequenceMatcher(None, needle, w).ratio() for w in [name, *words])
        if score >= 0.7:
            scored.append((score, person.known_as, person))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [person for _, _, person in scored[:limit]]


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
