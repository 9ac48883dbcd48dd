"""The figures funders ask for, for one organisation and period.

A fixed number of queries whatever the number of sessions and people: every
figure is an aggregate in the database. Protected spaces are counted in the
organisation's totals (they are people supported) but broken out by kind or
activity only for viewers holding the space's grant; for anyone else their
numbers sit in one `not_broken_out` row.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from backend.access import policy
from backend.bookings.models import Booking
from backend.registers.models import Attendance
from backend.timetable.models import Session

ATTENDED = Attendance.ATTENDED
HIDDEN = "not_broken_out"
MIN_DAYS_FOR_HIDDEN = 28


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date_from, time(0), tzinfo=tz),
        datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz),
    )


def figures(*, user, organisation, date_from: date, date_to: date) -> dict:
    start, end = _bounds(date_from, date_to)
    # Joins rather than IN (subquery): planners handle them well at any size.
    held_filter = {
        "activity__organisation": organisation,
        "start__gte": start,
        "start__lt": min(end, timezone.now()),
        "status": Session.Status.SCHEDULED,
    }
    held = Session.objects.filter(**held_filter)
    attended = Attendance.objects.filter(
        mark__in=ATTENDED, **{f"session__{key}": value for key, value in held_filter.items()}
    )
    visible_spaces = policy.granted_spaces(user).values("pk")
    shown = Q(session__activity__space__isnull=True) | Q(
        session__activity__space__in=visible_spaces
    )
    # Protected spaces count in the totals of periods long enough that no
    # single session can be singled out; in shorter periods, and in every
    # breakdown by date, viewers without the grant see only what they may see.
    protected_included = (date_to - date_from).days + 1 >= MIN_DAYS_FOR_HIDDEN
    if not protected_included:
        attended = attended.filter(shown)
    held = held.filter(Q(activity__space__isnull=True) | Q(activity__space__in=visible_spaces))

    totals = attended.aggregate(
        people=Count("participant", distinct=True),
        attendances=Count("pk"),
        new_people=Count(
            "participant",
            distinct=True,
            filter=Q(participant__first_seen__gte=date_from, participant__first_seen__lte=date_to),
        ),
    )
    sessions_held = held.count()
    new_people = totals["new_people"]
    # Came once in the period and never again (to this organisation, to date).
    all_visits = Attendance.objects.filter(
        session__activity__organisation=organisation,
        session__status=Session.Status.SCHEDULED,
        mark__in=ATTENDED,
    )
    once = (
        all_visits.filter(participant__in=attended.values("participant"))
        .values("participant")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .count()
    )
    came = Attendance.objects.filter(
        session=OuterRef("session"), participant=OuterRef("participant"), mark__in=ATTENDED
    )
    booked = Booking.objects.filter(
        status="confirmed", **{f"session__{key}": value for key, value in held_filter.items()}
    )
    if not protected_included:
        booked = booked.filter(shown)
    booking_figures = booked.aggregate(
        booked=Count("pk"),
        showed=Count("pk", filter=Q(Exists(came))),
    )
    no_shows = booking_figures["booked"] - booking_figures["showed"]
    rate = (
        round(booking_figures["showed"] / booking_figures["booked"], 3)
        if booking_figures["booked"]
        else None
    )

    by_kind = _breakdown(attended, shown, "session__activity__kind")
    by_activity = _breakdown(
        attended, shown, "session__activity_id", label="session__activity__title"
    )
    by_week = [
        {
            "week": row["week"].date().isoformat(),
            "people": row["people"],
            "attendances": row["attendances"],
            "new_people": row["new_people"],
        }
        for row in attended.filter(shown)
        .annotate(week=TruncWeek("session__start"))
        .values("week")
        .annotate(
            people=Count("participant", distinct=True),
            attendances=Count("pk"),
            new_people=Count("participant", distinct=True, filter=Q(first_visit=True)),
        )
        .order_by("week")
    ]
    return {
        "organisation": {"id": str(organisation.pk), "name": organisation.name},
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "protected_included": protected_included,
        "people_supported": totals["people"],
        "new_people": new_people,
        "came_once": once,
        "sessions_held": sessions_held,
        "attendances": totals["attendances"],
        "bookings": booking_figures["booked"],
        "no_shows": no_shows,
        "attendance_rate": rate,
        "by_kind": by_kind,
        "by_activity": by_activity,
        "by_week": by_week,
    }


def _breakdown(attended, shown: Q, key: str, label: str | None = None) -> list[dict]:
    fields = [key, label] if label else [key]
    rows = [
        {
            "key": str(row[key]),
            "label": row[label] if label else str(row[key]),
            "people": row["people"],
            "attendances": row["attendances"],
        }
        for row in attended.filter(shown)
        .values(*fields)
        .annotate(people=Count("participant", distinct=True), attendances=Count("pk"))
        .order_by(key)
    ]
    hidden = attended.exclude(shown).aggregate(
        people=Count("participant", distinct=True), attendances=Count("pk")
    )
    if hidden["attendances"]:
        rows.append({"key": HIDDEN, "label": "Not broken out", **hidden})
    return rows
