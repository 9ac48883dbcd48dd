"""Reads for registers: the rows of one register. Which people a viewer may see
is `backend.access.policy.visible_participants`."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from backend.access import policy
from backend.accounts.models import Participant
from backend.bookings.models import ACTIVE, Booking
from backend.timetable.models import Session

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


# --- her registers, regulars, and telling walk-ins apart --------------------------------------

REGULAR_DAYS = 28  # "came in the last 4 weeks"


def _same_domain_sessions(session):
    """Sessions whose attendance may show on this session's register: public
    ones and those of its own space (a visit to a protected space never shows
    through a public register)."""

    space = session.activity.space_id
    return Session.objects.filter(Q(activity__space__isnull=True) | Q(activity__space=space))


def my_registers(user, *, now=None) -> list[tuple[str, object]]:
    """The registers she takes, in the order she needs them: today's, then the
    recent ones still unlocked (newest first), then her next session whenever
    it is. Cancelled sessions have no register to take. Returns (group, session)."""
    from datetime import datetime, time

    from django.utils import timezone

    from backend.timetable.models import Session

    now = now or timezone.now()
    day_start = datetime.combine(
        timezone.localdate(now), time.min, tzinfo=timezone.get_current_timezone()
    )
    day_end = day_start + timedelta(days=1)
    staffed = (
        Session.objects.filter(pk__in=policy.staffed_sessions(user).values("pk"))
        .filter(status=Session.Status.SCHEDULED)
        .select_related("activity__space", "activity__organisation", "room__venue")
    )
    today = list(staffed.filter(start__gte=day_start, start__lt=day_end).order_by("start"))
    lock = timedelta(days=settings.HARBOUR_REGISTER_LOCK_DAYS)
    recent = list(
        staffed.filter(start__lt=day_start)
        .filter(Q(end__gt=now - lock) | Q(reopenings__until__gt=now))
        .distinct()
        .order_by("-start")[:20]
    )
    upcoming = list(staffed.filter(start__gte=day_end).order_by("start")[:1])
    return (
        [("today", s) for s in today]
        + [("recent", s) for s in recent]
        + [("upcoming", s) for s in upcoming]
    )


def register_regulars(*, user, session) -> list[dict]:
    """People who came to this activity in the four weeks before this session,
    are not on its register, and whom she may see: {participant, last_visit}."""

    from django.db.models import Max

    on_register = Booking.objects.filter(session=session, status__in=ACTIVE).values("participant")
    marked = Attendance.objects.filter(session=session).values("participant")
    visits = (
        Attendance.objects.filter(
            session__activity=session.activity_id,
            session__start__gte=session.start - timedelta(days=REGULAR_DAYS),
            session__start__lt=session.start,
            mark__in=Attendance.ATTENDED,
            participant__in=policy.visible_participants(user)
            .filter(erased_at__isnull=True)
            .values("pk"),
        )
        .exclude(participant__in=on_register)
        .exclude(participant__in=marked)
        .values("participant")
        .annotate(last=Max("session__start"))
    )
    last = {row["participant"]: row["last"] for row in visits}
    people = Participant.objects.filter(pk__in=last).order_by("known_as")
    return [{"participant": p, "last_visit": last[p.pk]} for p in people]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def _phone_end(phone: str) -> str:
    digits = _digits(phone)
    return digits[-3:] if len(digits) >= 6 else ""


def walk_in_suggestions(*, user, session, people: list[Participant]) -> list[dict]:
    """The search result for a walk-in, with what tells two Ahmeds apart: her
    last visit (among registers this viewer takes, public or of this session's
    space), the phone's last digits and her languages. Everything here comes
    from what the viewer already sees on her registers."""
    from django.db.models import Max

    if not people:
        return []
    pks = [p.pk for p in people]
    visits = (
        Attendance.objects.filter(
            participant__in=pks,
            mark__in=Attendance.ATTENDED,
            session__in=policy.staffed_sessions(user).values("pk"),
        )
        .filter(session__in=_same_domain_sessions(session).values("pk"))
        .exclude(session=session)
        .values("participant")
        .annotate(last=Max("session__start"))
    )
    last = {row["participant"]: row["last"] for row in visits}
    booked = set(
        Booking.objects.filter(session=session, status__in=ACTIVE, participant__in=pks).values_list(
            "participant", flat=True
        )
    )
    marked = set(
        Attendance.objects.filter(session=session, participant__in=pks).values_list(
            "participant", flat=True
        )
    )
    return [
        {
            "participant": p,
            "last_visit": last.get(p.pk),
            "phone_end": _phone_end(p.phone),
            "languages": list(p.languages or []),
            "on_register": p.pk in booked or p.pk in marked,
        }
        for p in people
    ]
