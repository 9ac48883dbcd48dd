"""The figures funders ask for, for one organisation (or one of its protected
spaces) and period.

A fixed number of queries whatever the number of sessions and people: every
figure is an aggregate in the database. Every figure is computed over the
attendance the viewer may see and nothing else (issue 12): for anyone without
a space's grant the space does not exist here either, not in a total, not in
a first visit, not in "came once". Her funders still get complete numbers,
from a coordinator who holds the grant, or from the space's coordinator.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from backend.access import policy
from backend.access.models import Space
from backend.bookings.models import Booking
from backend.organisations.roles import coordinated_organisations
from backend.registers.models import Attendance
from backend.timetable.models import Session

ATTENDED = Attendance.ATTENDED


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date_from, time(0), tzinfo=tz),
        datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz),
    )


def figure_activities(*, user, organisation, space: Space | None = None) -> QuerySet:
    """The activities whose figures the user may have: all she may see in an
    organisation she coordinates, or those of the spaces she coordinates in it.
    Empty when she may have none."""
    activities = policy.visible_activities(user).filter(organisation=organisation)
    if space is not None:
        activities = activities.filter(space=space)
    if user is None or not user.is_authenticated:
        return activities.none()
    if coordinated_organisations(user).filter(pk=organisation.pk).exists():
        return activities
    return activities.filter(space__in=policy.coordinated_spaces(user).values("pk"))


def figures_space(*, user, space_id) -> Space | None:
    """A space whose figures the user may have: she coordinates it, or she
    holds its grant and coordinates its organisation."""
    return (
        policy.granted_spaces(user)
        .filter(pk=space_id)
        .filter(
            Q(pk__in=policy.coordinated_spaces(user).values("pk"))
            | Q(organisation__in=coordinated_organisations(user).values("pk"))
        )
        .select_related("organisation")
        .first()
    )


def figures(
    *, user, organisation, date_from: date, date_to: date, space: Space | None = None
) -> dict:
    start, end = _bounds(date_from, date_to)
    # Evaluated once: a short list of ids keeps every query below plain (and
    # quick to compile, which matters more than running them at this size).
    activities = list(
        figure_activities(user=user, organisation=organisation, space=space).values_list(
            "pk", flat=True
        )
    )
    seen_here = list(
        policy.visible_activities(user)
        .filter(organisation=organisation)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    held_filter = {
        "activity__in": activities,
        "start__gte": start,
        "start__lt": min(end, now),
        "status": Session.Status.SCHEDULED,
    }
    # When these figures change with time alone: the next session of the
    # period starts (is "held"). Not part of the answer; a cache's expiry.
    changes_at = (
        Session.objects.filter(
            activity__in=activities,
            start__gte=max(start, now),
            start__lt=end,
            status=Session.Status.SCHEDULED,
        )
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    held = Session.objects.filter(**held_filter)
    in_period = {f"session__{key}": value for key, value in held_filter.items()}
    attended = Attendance.objects.filter(mark__in=ATTENDED, **in_period)
    # "New" means her first visit to the organisation that this viewer may
    # see: a visit to a space he cannot see never makes her "not new" on his
    # register's day.
    visible_visits = Attendance.objects.filter(
        participant=OuterRef("participant"), mark__in=ATTENDED, session__activity__in=seen_here
    )
    totals = attended.aggregate(
        people=Count("participant", distinct=True),
        attendances=Count("pk"),
        new_people=Count(
            "participant",
            distinct=True,
            filter=~Q(Exists(visible_visits.filter(session__start__lt=start))),
        ),
    )
    # Came once in the period and never again (to what she may see of this
    # organisation, to date).
    all_visits = Attendance.objects.filter(
        session__activity__in=activities,
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
    booking_figures = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, **in_period
    ).aggregate(
        booked=Count("pk"),
        showed=Count("pk", filter=Q(Exists(came))),
    )
    no_shows = booking_figures["booked"] - booking_figures["showed"]
    rate = (
        round(booking_figures["showed"] / booking_figures["booked"], 3)
        if booking_figures["booked"]
        else None
    )
    first_of_hers = ~Q(Exists(visible_visits.filter(session__start__lt=OuterRef("session__start"))))
    by_week = [
        {
            "week": row["week"].date().isoformat(),
            "people": row["people"],
            "attendances": row["attendances"],
            "new_people": row["new_people"],
        }
        for row in attended.annotate(week=TruncWeek("session__start"))
        .values("week")
        .annotate(
            people=Count("participant", distinct=True),
            attendances=Count("pk"),
            new_people=Count("participant", distinct=True, filter=first_of_hers),
        )
        .order_by("week")
    ]
    return {
        "organisation": {"id": str(organisation.pk), "name": organisation.name},
        "space": {"id": str(space.pk), "name": space.name} if space is not None else None,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "people_supported": totals["people"],
        "new_people": totals["new_people"],
        "came_once": once,
        "sessions_held": held.count(),
        "attendances": totals["attendances"],
        "bookings": booking_figures["booked"],
        "no_shows": no_shows,
        "attendance_rate": rate,
        "by_kind": _breakdown(attended, "session__activity__kind"),
        "by_activity": _breakdown(
            attended, "session__activity_id", label="session__activity__title"
        ),
        "by_week": by_week,
        "changes_at": changes_at,
    }


def _breakdown(attended, key: str, label: str | None = None) -> list[dict]:
    fields = [key, label] if label else [key]
    return [
        {
            "key": str(row[key]),
            "label": row[label] if label else str(row[key]),
            "people": row["people"],
            "attendances": row["attendances"],
        }
        for row in attended.values(*fields)
        .annotate(people=Count("participant", distinct=True), attendances=Count("pk"))
        .order_by(key)
    ]
